/**
 * Runs a study: counts every dataset's concepts in every corpus and count mode (cached), fits each
 * model's per-concept performance against each corpus' counts (the same computation as
 * `conceptfreq fit`), describes each corpus' long tail (as `conceptfreq tail`), draws the plots and
 * writes the results, the HTML report and the dashboard's data into the output directory.
 *
 * Output directory:
 *   results.csv, results.json          one row per fit (dataset × model × corpus × mode)
 *   counts/CORPUS/MODE.json            {concept: count} for every concept of the study (the tail's input)
 *   counts/CORPUS/MODE/DATASET.json    {concept: count} for one dataset's concepts (a fit's input)
 *   synonyms/CORPUS/DATASET.json       the synonym expansion used (with synonyms:; the --explain format)
 *   tail/MODE.json                     long-tail report of each corpus and their cross-corpus correlations
 *   cross-corpus.json                  the cross-corpus correlations of every mode
 *   plots/…/*.svg, *.png               log-linear plots (per dataset, corpus, mode; per fit) and tail plots
 *   report.html                        self-contained report
 *   study-data.json                    the dashboard's data (conceptfreq serve --study DIR)
 *   cache/                             count and plot caches
 *
 * Each step is a function of its own file: inputs.ts (read and check), index-check.ts, study-counts.ts,
 * fits.ts, plots.ts, outputs.ts; output-dir.ts owns the directory.
 */
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { formatRate } from "../text-index/sample.js";
import type { CountMode, StudyManifest } from "./manifest.js";
import { readStudyInputs } from "./inputs.js";
import { checkIndexes } from "./index-check.js";
import { collectStudyCounts, writeStudyCounts, type StudyModeCounts } from "./study-counts.js";
import { fitStudy } from "./fits.js";
import { drawStudyPlots } from "./plots.js";
import { studyData, writeDataAndReport, writeResults, writeTails } from "./outputs.js";
import { StudyOutputDir } from "./output-dir.js";
import type { ResultRow } from "./results.js";

export { STUDY_MARKER } from "./output-dir.js";

export interface StudyRunOptions {
  /** Output directory (created when missing). */
  out: string;
  /** One line per step, for a CLI to print. */
  onProgress?: (message: string) => void;
  /** Each warning, as soon as it is known (so a run that fails later has printed them). */
  onWarning?: (message: string) => void;
  /** Informational notes (e.g. result keys of corpora the study does not have). */
  onNote?: (message: string) => void;
}

export interface StudyRunSummary {
  out: string;
  report: string | null;
  results: { csv: string; json: string };
  rows: ResultRow[];
  /** Per corpus and mode: how many concepts were counted now (0 = all from the cache). */
  counts: {
    corpus: string;
    mode: CountMode;
    concepts: number;
    /** Concepts counted in an index this run (0: all from the cache, or read from count files). */
    computed: number;
    /** True when this corpus × mode was read from count files (`counts:`), not an index. */
    fromCountFiles: boolean;
  }[];
  plots: string[];
  warnings: string[];
  notes: string[];
}

/** Warnings about counts that are estimates or carry intervals, and whether the fits propagate them. */
function warnAboutIntervals(manifest: StudyManifest, counts: readonly StudyModeCounts[], warn: (w: string) => void): void {
  const propagate = manifest.analyses.fit.countUncertainty;
  const how = propagate
    ? "the fits' slope intervals propagate them (analyses.fit.countUncertainty)"
    : "the fits treat them as exact; set analyses.fit.countUncertainty: true to propagate them into the slope intervals";
  for (const c of counts) {
    if (c.sample) {
      warn(
        `corpus "${c.corpus}", ${c.mode} mode: the text index is a ${formatRate(c.sample.rate)} sample of ${c.sample.rowsSeen} rows (seed ${c.sample.seed}); ` +
          `its counts are estimates of the full corpus's (sampled count / rate) with exact 95% intervals; ${how}.`,
      );
    } else if (c.intervals.size > 0) {
      warn(`corpus "${c.corpus}", ${c.mode} mode: ${c.intervals.size} count(s) from files carry 95% intervals ({count, low, high}); ${how}.`);
    }
  }
  if (propagate && counts.every((c) => c.intervals.size === 0)) {
    warn("analyses.fit.countUncertainty is set, but no count has an interval (a sampled index or count files with {count, low, high}); the slope intervals are the plain bootstrap's.");
  }
}

export async function runStudy(manifest: StudyManifest, opts: StudyRunOptions): Promise<StudyRunSummary> {
  const out = resolve(opts.out);
  const say = opts.onProgress ?? (() => {});
  const warnings: string[] = [];
  const warned = new Set<string>();
  const warn = (w: string) => {
    if (warned.has(w)) return;
    warned.add(w);
    warnings.push(w);
    opts.onWarning?.(w);
  };

  // Every input is read and checked before anything is written (cache included).
  const dir = new StudyOutputDir(out, opts.out, manifest.source);
  const indexes = checkIndexes(manifest, warn);
  const inputs = readStudyInputs(manifest, warn);
  for (const n of inputs.notes) opts.onNote?.(n);
  if (inputs.datasets.every((d) => d.concepts_.length === 0)) throw new UserError(`${manifest.source}: the study has no datasets, so there are no concepts to count.`);

  dir.open();
  const counts = collectStudyCounts(manifest, inputs, { out, indexes, say, warn });
  warnAboutIntervals(manifest, counts, warn);
  const synonyms = writeStudyCounts(dir, counts, inputs);
  const fits = fitStudy(manifest, inputs.datasets, counts, out, warn);
  say(`fitted ${fits.fits.length} model × corpus × mode combination${fits.fits.length === 1 ? "" : "s"}`);
  const tails = writeTails(dir, manifest, counts);
  const plots = await drawStudyPlots(dir, manifest, inputs.datasets, fits, counts, tails, say);
  const rows = writeResults(dir, manifest, fits);
  const data = studyData({ manifest, datasets: inputs.datasets, counts, fits, tails, plots, synonyms });
  const report = writeDataAndReport(dir, data, manifest.analyses.report);
  dir.finish();

  return {
    out,
    report,
    results: { csv: join(out, "results.csv"), json: join(out, "results.json") },
    rows,
    counts: counts.map((c) => ({ corpus: c.corpus, mode: c.mode, concepts: c.counts.size + c.missing.length, computed: c.computed, fromCountFiles: c.cacheFile === "" })),
    plots: plots.map((p) => join(out, p.svg)),
    warnings,
    notes: inputs.notes,
  };
}
