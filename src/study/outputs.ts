/**
 * The study's outputs after the fits: the long-tail reports and cross-corpus correlations, results.csv
 * and results.json, study-data.json (the dashboard's data) and report.html.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tailReport, type TailReport } from "../analysis/long-tail.js";
import { STUDY_DATA_FILE, STUDY_DATA_FORMAT, STUDY_DATA_VERSION, type StudyData } from "./data.js";
import type { StudyFits } from "./fits.js";
import { studyFitOptions } from "./fits.js";
import type { DatasetInputs } from "./inputs.js";
import { COUNT_MODES, type CountMode, type StudyManifest } from "./manifest.js";
import type { StudyOutputDir } from "./output-dir.js";
import { renderStudyReport } from "./report-html.js";
import { resultRow, resultsCsv, resultsJson, type ResultRow } from "./results.js";
import type { StudyModeCounts } from "./study-counts.js";

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

function mapToObject<V>(m: Map<string, V>): Record<string, V> {
  return Object.fromEntries(m);
}

function distinct<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** tail/MODE.json and cross-corpus.json, per mode over the corpora counted in it. */
export function writeTails(dir: StudyOutputDir, manifest: StudyManifest, counts: readonly StudyModeCounts[]): Partial<Record<CountMode, TailReport>> {
  const tails: Partial<Record<CountMode, TailReport>> = {};
  if (manifest.analyses.tail === false && !manifest.analyses.crossCorpus) return tails;
  for (const mode of COUNT_MODES) {
    const corpora = counts.filter((c) => c.mode === mode).map((c) => ({ name: c.corpus, freq: c.counts }));
    if (corpora.length === 0) continue;
    const report = tailReport(corpora, { rarest: manifest.analyses.tail === false ? 0 : manifest.analyses.tail.rarest });
    if (!manifest.analyses.crossCorpus) report.correlations = [];
    if (manifest.analyses.tail === false) report.corpora = [];
    tails[mode] = report;
    dir.write(`tail/${mode}.json`, json(report));
  }
  if (manifest.analyses.crossCorpus) {
    const cross: Record<string, unknown> = {};
    for (const [mode, t] of Object.entries(tails)) cross[mode] = t!.correlations;
    dir.write("cross-corpus.json", json(cross));
  }
  return tails;
}

/** results.csv and results.json. */
export function writeResults(dir: StudyOutputDir, manifest: StudyManifest, fits: StudyFits): ResultRow[] {
  const rows = fits.fits.map((f) => resultRow(f));
  const f = manifest.analyses.fit;
  const { countUncertainty: _c, ...fitOptions } = studyFitOptions(manifest);
  const options = { ...fitOptions, trim: f.trim ?? null, outliers: f.outliers, countUncertainty: f.countUncertainty };
  dir.write("results.csv", resultsCsv(rows));
  dir.write("results.json", resultsJson(manifest.name, options, fits.fits));
  return rows;
}

export interface StudyDataInputs {
  manifest: StudyManifest;
  datasets: readonly DatasetInputs[];
  counts: readonly StudyModeCounts[];
  fits: StudyFits;
  tails: Partial<Record<CountMode, TailReport>>;
  plots: StudyData["files"]["plots"];
  synonyms: StudyData["synonyms"];
}

/** The dashboard's data (study-data.json). */
export function studyData(x: StudyDataInputs): StudyData {
  const { manifest, datasets, counts, fits } = x;
  const data: StudyData = {
    format: STUDY_DATA_FORMAT,
    version: STUDY_DATA_VERSION,
    name: manifest.name,
    modes: manifest.analyses.modes,
    corpora: manifest.corpora.map((c) => {
      const sample = counts.find((k) => k.corpus === c.name && k.sample)?.sample;
      return {
        name: c.name,
        docCount: counts.find((k) => k.corpus === c.name)?.docCount ?? null,
        match: c.match,
        modes: counts.filter((k) => k.corpus === c.name).map((k) => k.mode),
        image: !!c.image || c.counts.image !== undefined || c.counts.integrated !== undefined,
        sample: sample ? { rate: sample.rate, seed: sample.seed, rowsSeen: sample.rowsSeen } : null,
      };
    }),
    datasets: datasets.map((d) => ({ name: d.name, concepts: d.concepts_, models: distinct(d.models.map((r) => r.model)) })),
    figures: manifest.figures.map((f) => ({
      name: f.name,
      title: f.title,
      datasets: f.datasets,
      models: distinct(fits.fits.filter((k) => k.figure === f.name).map((k) => k.model)),
      corpora: f.corpora,
      modes: f.modes,
    })),
    counts: {},
    countIntervals: {},
    synonyms: x.synonyms,
    examples: {},
    performance: {},
    fits: fits.fits,
    tail: x.tails,
    files: { report: manifest.analyses.report ? "report.html" : null, results_csv: "results.csv", results_json: "results.json", plots: x.plots },
  };
  for (const c of counts) {
    (data.counts[c.corpus] ??= {})[c.mode] = mapToObject(c.counts);
    if (c.intervals.size > 0) {
      const iv: Record<string, [number, number]> = {};
      for (const [k, v] of c.intervals) iv[k] = [v.low, v.high];
      (data.countIntervals![c.corpus] ??= {})[c.mode] = iv;
    }
    if (c.mode === "text" && c.examples.size > 0) data.examples[c.corpus] = mapToObject(c.examples);
  }
  for (const d of datasets) {
    const byModel: Record<string, Record<string, number>> = {};
    for (const mr of d.models) {
      const several = d.models.filter((k) => k.model === mr.model).length > 1;
      byModel[several ? `${mr.model} (${mr.corpora.join(", ")})` : mr.model] = mapToObject(mr.perf);
    }
    data.performance[d.name] = byModel;
  }
  return data;
}

/** Writes study-data.json and (when asked) report.html; returns the report's absolute path or null. */
export function writeDataAndReport(dir: StudyOutputDir, data: StudyData, report: boolean): string | null {
  dir.write(STUDY_DATA_FILE, JSON.stringify(data) + "\n");
  if (!report) return null;
  const plots = new Map<string, string>();
  for (const p of data.files.plots) plots.set(p.svg, readFileSync(join(dir.out, p.svg), "utf8"));
  return join(dir.out, dir.write("report.html", renderStudyReport(data, plots)));
}
