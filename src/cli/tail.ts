import { Command, InvalidArgumentError, Option } from "commander";
import { basename, extname } from "node:path";
import { action, collect, nonNegativeInt } from "./action.js";
import { readValueMap } from "../analysis/value-map.js";
import { tailReport } from "../analysis/long-tail.js";
import { formatTailReport } from "../report/tail-text.js";
import { chartFormat } from "../report/chart-format.js";
import { UserError } from "../errors.js";

interface TailFlags {
  freq?: string[];
  names?: string[];
  rarest: number;
  plot?: string;
  plotScale?: "log" | "linear";
  title?: string;
  json?: boolean;
}

function nameList(value: string): string[] {
  const names = value.split(",").map((n) => n.trim());
  if (names.some((n) => n === "")) throw new InvalidArgumentError("expected comma-separated non-empty names.");
  return names;
}

/** "data/cc3m-counts.json#/counts" -> "cc3m-counts". */
function corpusName(spec: string): string {
  const hash = spec.indexOf("#");
  const path = hash < 0 ? spec : spec.slice(0, hash);
  return basename(path, extname(path));
}

export function registerTail(program: Command): void {
  program
    .command("tail")
    .description(
      "the long tail of concept frequencies: Zipf exponent, shares of rare concepts, concentration of " +
        "occurrences, the rarest concepts; with several corpora, how alike their counts are",
    )
    .option("--freq <file>", "frequency map: JSON {concept: count}, CSV concept,count, or file.json#/json/pointer (repeatable)", collect)
    .option("--names <a,b>", "names of the corpora, in --freq order (default: the file names)", nameList)
    .option("--rarest <n>", "how many of the rarest concepts to list", nonNegativeInt, 10)
    .option("--plot <file>", "write the sorted frequency curves (.svg or .png)")
    .option("--title <text>", "plot title")
    .addOption(new Option("--plot-scale <scale>", "log: counts on a log axis (zeros left out); linear: the paper's long-tail figure, count / the largest count on linear axes").choices(["log", "linear"]).default("log"))
    .option("--json", "print one JSON document instead of tables")
    .action(
      action(async (flags: TailFlags) => {
        const specs = flags.freq ?? [];
        if (specs.length === 0) throw new UserError("Nothing to describe: give at least one --freq FILE.");
        if (flags.names && flags.names.length !== specs.length) {
          throw new UserError(`--names lists ${flags.names.length} name${flags.names.length === 1 ? "" : "s"} for ${specs.length} --freq file${specs.length === 1 ? "" : "s"}.`);
        }
        if (flags.plot !== undefined) chartFormat(flags.plot);
        const corpora = specs.map((spec, k) => ({ name: flags.names?.[k] ?? corpusName(spec), freq: readValueMap(spec) }));
        const report = tailReport(corpora, { rarest: flags.rarest });
        if (flags.plot !== undefined) {
          const [{ tailPlotSpec }, { writeChart }] = await Promise.all([import("../report/plots.js"), import("../report/render.js")]);
          await writeChart(tailPlotSpec(corpora, { title: flags.title, scale: flags.plotScale }), flags.plot);
        }
        process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + "\n" : formatTailReport(report));
      }),
    );
}
