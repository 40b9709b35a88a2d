import { Command, InvalidArgumentError, Option } from "commander";
import { action, collect, finiteNumber, nonNegativeInt, positiveInt } from "./action.js";
import { readCountIntervals, readValueMap, type ValueReduce } from "../analysis/value-map.js";
import { UserError } from "../errors.js";
import { applyAliases, parseAliasArg, type AliasMap } from "../analysis/aliases.js";
import { fitFrequencyPerformance, fitReportToJson, type BinningMethod, type SeriesInput } from "../analysis/fit.js";
import { planSeries, type SeriesArg } from "../analysis/series-args.js";
import { formatFitReport, unmatchedWarnings } from "../report/fit-text.js";
import { chartFormat } from "../report/chart-format.js";

interface FitFlags {
  strict?: boolean;
  zeroAs: number;
  bootstrap: number;
  seed: number;
  binning: BinningMethod;
  bins: number;
  trim?: [number, number];
  perfScale: number;
  perfReduce?: ValueReduce;
  alias?: string[];
  plot?: string;
  scatter?: boolean;
  title?: string;
  yTitle?: string;
  json?: boolean;
  points?: boolean;
  countUncertainty?: boolean;
}

function trimPair(value: string): [number, number] {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError("expected LO,HI (two non-negative integers, e.g. 1,1).");
  return [Number(m[1]), Number(m[2])];
}

export function registerFit(program: Command): void {
  // --series, --freq and --perf are order-sensitive: record them in command-line order.
  const order: SeriesArg[] = [];
  const record = (kind: SeriesArg["kind"]) => (value: string, previous: string[] | undefined) => {
    order.push({ kind, value });
    return collect(value, previous);
  };
  program
    .command("fit")
    .description(
      "fit zero-shot performance against log pretraining frequency: OLS slope with a bootstrap interval, " +
        "Pearson/Spearman correlation, the paper's binned correlation, and the log-linear plot",
    )
    .option("--freq <file>", "frequency map: JSON {concept: count}, CSV concept,count, or file.json#/json/pointer (repeatable)", record("freq"))
    .option("--perf <file>", "performance map, same formats; the k-th --perf pairs with the k-th --freq (repeatable)", record("perf"))
    .option("--series <name>", "start a new series (e.g. one per model); the pairs after it belong to it (repeatable)", record("series"))
    .option("--strict", "unmatched concept names are an error instead of a warning")
    .option("--zero-as <n>", "frequency used for 0 before log10 in the regression", finiteNumber, 1)
    .option("--bootstrap <n>", "bootstrap resamples for the slope's 95% interval (0 = none)", nonNegativeInt, 1000)
    .option("--seed <n>", "seed of the bootstrap", nonNegativeInt, 0)
    .option("--count-uncertainty", "counts with 95% intervals ({concept: {count, low, high}}): the bootstrap also draws each count within its interval")
    .addOption(new Option("--binning <method>", "binned view: the paper's procedure, equal-count bins, or none").choices(["paper", "quantile", "none"]).default("paper"))
    .option("--bins <n>", "edges (paper) or bins (quantile)", positiveInt, 12)
    .option("--trim <lo,hi>", "binned points dropped at the start and end (default 1,1 for paper, 0,0 for quantile)", trimPair)
    .option("--perf-scale <x>", "multiply performance values (100 turns fractions into percentage points)", finiteNumber, 1)
    .addOption(new Option("--perf-reduce <how>", "a performance value that is a list (one score per prompt): take its mean or max").choices(["mean", "max"]))
    .option("--alias <a=b|file>", "rename concept a to b in every map before joining (CIFAR-10: plane=airplane), or a JSON file {a: b} (repeatable)", collect)
    .option("--plot <file>", "write the log-linear plot (.svg or .png)")
    .option("--scatter", "add the per-concept points to the plot, faintly")
    .option("--title <text>", "plot title")
    .option("--y-title <text>", "plot y-axis title", "Average zero-shot performance")
    .option("--json", "print one JSON document instead of tables")
    .option("--points", "include the joined per-concept points in the JSON")
    .action(
      action(async (flags: FitFlags) => {
        const args = order.splice(0, order.length);
        if (flags.plot !== undefined) chartFormat(flags.plot); // a bad extension fails before any work
        const plan = planSeries(args);
        const aliases: AliasMap = new Map();
        for (const a of flags.alias ?? []) parseAliasArg(a, aliases);
        const series: SeriesInput[] = plan.map((s) => ({
          name: s.name,
          pairs: s.pairs.map((p) => ({
            freq: applyAliases(readValueMap(p.freq), aliases, p.freq),
            perf: applyAliases(readValueMap(p.perf, { reduce: flags.perfReduce }), aliases, p.perf),
            freqLabel: p.freq,
            perfLabel: p.perf,
            ...(flags.countUncertainty ? { freqIntervals: applyAliases(readCountIntervals(p.freq), aliases, p.freq) } : {}),
          })),
        }));
        if (flags.countUncertainty && series.every((s) => s.pairs.every((p) => (p.freqIntervals?.size ?? 0) === 0))) {
          throw new UserError('--count-uncertainty needs counts with intervals, {"concept": {"count": n, "low": a, "high": b}}; no --freq file has any.');
        }
        const report = fitFrequencyPerformance(series, {
          zeroAs: flags.zeroAs,
          bootstrap: flags.bootstrap,
          seed: flags.seed,
          binning: flags.binning,
          bins: flags.bins,
          trim: flags.trim,
          strict: flags.strict,
          performanceScale: flags.perfScale,
          countUncertainty: flags.countUncertainty,
        });
        for (const w of unmatchedWarnings(report)) process.stderr.write(`conceptfreq: ${w}\n`);
        if (flags.plot !== undefined) {
          const [{ logLinearPlotSpec }, { writeChart }] = await Promise.all([import("../report/plots.js"), import("../report/render.js")]);
          await writeChart(logLinearPlotSpec(report.series, { scatter: flags.scatter, title: flags.title, yTitle: flags.yTitle }), flags.plot);
        }
        process.stdout.write(flags.json ? fitReportToJson(report, flags.points) : formatFitReport(report));
      }),
    );
}
