import { InvalidArgumentError, type Command } from "commander";
import { extname, join } from "node:path";
import { readValueMap } from "../analysis/value-map.js";
import { UserError } from "../errors.js";
import { writeOutput } from "../io/atomic-write.js";
import { csvTable } from "../io/csv-write.js";
import { action, collect, finiteNumber, nonNegativeInt, positiveInt } from "./action.js";
import { progressBar } from "./progress.js";
import { reportReclaimed } from "./reclaimed-note.js";

interface SelectFlags {
  freq: string[];
  count?: number;
  maxFrequency?: number;
  minFrequency?: number;
  by?: string;
  missingAsZero: boolean;
  out?: string;
}

interface CurateFlags {
  images: string;
  out: string;
  hashBits: number;
  maxDistance: number;
  minSide: number;
  crossClass: boolean;
  perClass?: number;
  minPerClass: number;
  balance: boolean;
  seed: number;
  copy: boolean;
  link: boolean;
  concurrency: number;
  force: boolean;
}

interface ReportFlags {
  results: string[];
  baseline?: string[];
  model?: string[];
  baselineName: string;
  title?: string;
  out?: string;
  plot?: string;
}

function integer(v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected an integer.");
  return n;
}

export function registerLongtail(program: Command): void {
  const longtail = program
    .command("longtail")
    .description('build a long-tail test set for your corpus, after "Let It Wag!": select rare concepts, curate images, report');

  longtail
    .command("select")
    .description("rank concepts by pretraining frequency and keep the rarest (name duplicates merged)")
    .requiredOption("--freq <[NAME=]FILE>", "frequency map (JSON object or CSV concept,count; FILE#/pointer for part of a JSON); repeat for several corpora", collect)
    .option("--count <n>", "keep the rarest n", positiveInt)
    .option("--max-frequency <k>", "keep concepts with frequency at most k", finiteNumber)
    .option("--min-frequency <m>", "drop concepts with frequency below m", finiteNumber)
    .option("--by <name>", "rank by this corpus's count instead of the mean of log(1+count)")
    .option("--missing-as-zero", "count a concept absent from a map as 0 (default: skip it)", false)
    .option("--out <file>", "write here: .csv (concept,frequency,rank,counts per corpus), .json (array of names), else a concept list (one per line); default: a table on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  conceptfreq longtail select --freq laion400m_counts.json --count 290 --out letitwag_concepts.txt\n" +
        "  conceptfreq longtail select --freq cc3m=cc3m.json --freq laion=laion.json --max-frequency 100 --min-frequency 1 --out rare.csv",
    )
    .action(
      action(async (o: SelectFlags) => {
        const { formatSelectionTable, parseFrequencyFlag, selectionToConceptList, selectionToCsv, selectLongTail } = await import("../longtail/select.js");
        const sources = o.freq.map((f) => {
          const { name, spec } = parseFrequencyFlag(f);
          return { name, counts: readValueMap(spec) };
        });
        const sel = selectLongTail(sources, {
          ...(o.count !== undefined ? { count: o.count } : {}),
          ...(o.maxFrequency !== undefined ? { maxFrequency: o.maxFrequency } : {}),
          ...(o.minFrequency !== undefined ? { minFrequency: o.minFrequency } : {}),
          ...(o.by !== undefined ? { by: o.by } : {}),
          missing: o.missingAsZero ? "zero" : "skip",
        });
        const ext = o.out === undefined ? "" : extname(o.out).toLowerCase();
        if (o.out === undefined) writeOutput(undefined, formatSelectionTable(sel));
        else if (ext === ".csv") {
          const { header, rows } = selectionToCsv(sel);
          writeOutput(o.out, csvTable(header, rows));
        } else if (ext === ".json") writeOutput(o.out, JSON.stringify(sel.concepts.map((c) => c.concept), null, 2) + "\n");
        else writeOutput(o.out, selectionToConceptList(sel));
        if (sel.nearDuplicates.length) {
          process.stderr.write(
            `note: ${sel.nearDuplicates.length} duplicate name(s) merged: ` +
              sel.nearDuplicates.slice(0, 5).map((d) => `${d.name} -> ${d.keptAs}`).join(", ") +
              (sel.nearDuplicates.length > 5 ? ", ..." : "") +
              "\n",
          );
        }
        if (sel.missing.length) {
          process.stderr.write(`note: ${sel.missing.length} concept(s) missing from some map were skipped (use --missing-as-zero to count them as 0).\n`);
        }
        process.stderr.write(`selected ${sel.concepts.length} of ${sel.ranked} concepts\n`);
      }),
    );

  longtail
    .command("curate")
    .description("de-duplicate (pHash), clean and balance candidate images, one sub-folder per concept; write a manifest")
    .requiredOption("--images <dir>", "folder with one sub-folder of candidate images (JPEG/PNG/WebP) per concept")
    .requiredOption("--out <dir>", "output folder: manifest.csv, classes.txt, labels.txt, summary.csv, excluded.csv, curate.json")
    .option("--hash-bits <n>", "pHash size: 64 (8x8 DCT block) or 256 (16x16)", positiveInt, 64)
    .option("--max-distance <d>", "images within this Hamming distance are duplicates", nonNegativeInt, 10)
    .option("--min-side <px>", "skip images whose shorter side is below this", positiveInt, 32)
    .option("--cross-class", "also drop images duplicated across classes, from both classes", false)
    .option("--per-class <n>", "cap every class at n images (default: the smallest class after cleaning)", positiveInt)
    .option("--min-per-class <m>", "drop classes with fewer than m images after cleaning", positiveInt, 1)
    .option("--no-balance", "keep every clean image (no cap)")
    .option("--seed <s>", "seed for sampling when capping classes", integer, 0)
    .option("--copy", "copy the kept files into <out>/<class>/", false)
    .option("--link", "hard-link the kept files into <out>/<class>/ (symlink across devices)", false)
    .option("--concurrency <n>", "images decoded at once", positiveInt, 3)
    .option("--force", "replace an existing output folder (only an earlier curate output, or an empty folder)", false)
    .addHelpText(
      "after",
      "\nExample:\n  conceptfreq longtail curate --images candidates/ --out letitwag/ --cross-class --min-per-class 50 --seed 1 --copy",
    )
    .action(
      action(async (o: CurateFlags) => {
        if (o.copy && o.link) throw new UserError("--copy and --link cannot be combined.");
        // Loaded on use: sharp (libvips) is only needed here.
        const { curateLongTail, formatCurationSummary } = await import("../longtail/curate.js");
        let bar: ReturnType<typeof progressBar> | undefined;
        const r = await curateLongTail({
          images: o.images,
          out: o.out,
          hashBits: o.hashBits,
          maxDistance: o.maxDistance,
          minSide: o.minSide,
          crossClass: o.crossClass,
          ...(o.perClass !== undefined ? { perClass: o.perClass } : {}),
          minPerClass: o.minPerClass,
          balance: o.balance,
          seed: o.seed,
          files: o.copy ? "copy" : o.link ? "link" : "none",
          concurrency: o.concurrency,
          force: o.force,
          onReclaim: reportReclaimed,
          onProgress: (done, total) => {
            bar ??= progressBar("hashing {bar} {value}/{total} images", total);
            bar.update(done);
            if (done === total) bar.stop();
          },
        });
        process.stdout.write(formatCurationSummary(r.classes));
        const kept = r.classes.filter((c) => !c.droppedBecause).length;
        process.stderr.write(
          `kept ${r.manifest.length} images in ${kept} classes` +
            (r.perClass !== null ? ` (at most ${r.perClass} per class)` : "") +
            ` -> ${join(o.out, "manifest.csv")}\n`,
        );
      }),
    );

  longtail
    .command("report")
    .alias("evaluate")
    .description("per-model top-1 on the long-tail set vs a baseline benchmark, and the gap (the paper's table and plot)")
    .requiredOption("--results <file[#/pointer]>", "`eval classify` results on the long-tail set (top-1 read from `full`); repeat per model", collect)
    .option("--baseline <file[#/pointer]>", "the same model's results on the baseline benchmark; one per --results", collect)
    .option("--model <name>", "display name, one per --results (default: the pointer's last key or the file name)", collect)
    .option("--baseline-name <name>", "name of the baseline benchmark in the table and plot", "ImageNet")
    .option("--title <text>", "plot title")
    .option("--out <file>", "write the table here: .csv, .json, or text; default: stdout")
    .option("--plot <file>", "also draw the plot: .svg or .png")
    .addHelpText(
      "after",
      "\nExample:\n" +
        "  conceptfreq longtail report \\\n" +
        "    --model RN50 --results wag.json#/RN50 --baseline imagenet.json#/RN50 \\\n" +
        "    --model ViT-B/32 --results wag.json#/ViT-B~132 --baseline imagenet.json#/ViT-B~132 --plot gap.svg",
    )
    .action(
      action(async (o: ReportFlags) => {
        const { buildLongTailReport, formatLongTailTable, longTailChartSpec, longTailReportCsv, longTailReportJson, pairReportInputs } =
          await import("../longtail/report.js");
        const rows = buildLongTailReport(pairReportInputs(o.results, o.baseline ?? [], o.model ?? []));
        const ext = o.out === undefined ? "" : extname(o.out).toLowerCase();
        const table =
          ext === ".csv" ? longTailReportCsv(rows) : ext === ".json" ? longTailReportJson(rows) : formatLongTailTable(rows, o.baselineName);
        if (o.plot !== undefined) {
          const { writeChart } = await import("../report/render.js"); // vega is loaded only for a plot
          await writeChart(longTailChartSpec(rows, { baselineName: o.baselineName, ...(o.title ? { title: o.title } : {}) }), o.plot);
        }
        writeOutput(o.out, table);
      }),
    );
}
