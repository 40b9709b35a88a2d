/**
 * results.csv and results.json: one row per fit (dataset × model × corpus × count mode).
 * The numbers are exactly those `conceptfreq fit --json` prints for the same inputs and options.
 */
import { csvField } from "../io/csv-write.js";
import type { StudyFit } from "./data.js";

export interface ResultRow {
  /** The figure of a pooled fit ("" for one dataset's fit). */
  figure: string;
  /** The dataset, or for a figure's fit the datasets pooled, joined by "+". */
  dataset: string;
  model: string;
  corpus: string;
  mode: string;
  n: number;
  slope: number | null;
  intercept: number | null;
  slope_ci95_low: number | null;
  slope_ci95_high: number | null;
  r: number | null;
  r2: number | null;
  p: number | null;
  spearman: number | null;
  spearman_p: number | null;
  /** Pearson r (and p) of the binned view: the paper's ρ. */
  binned_r: number | null;
  binned_p: number | null;
  /** Times more data for +1 and +10 points (null when the slope is not positive). */
  data_multiplier_per_point: number | null;
  data_multiplier_per_10_points: number | null;
  unmatched_performance: number;
  unmatched_frequency: number;
  /** How many of the fit's counts have a 95% interval (0: exact counts). */
  count_intervals: number;
  /** The counts are estimates from a sampled index (index build --sample). */
  counts_estimated: boolean;
  /** The slope's interval propagates the counts' intervals (analyses.fit.countUncertainty). */
  count_uncertainty: boolean;
}

export const RESULT_COLUMNS: readonly (keyof ResultRow)[] = [
  "figure",
  "dataset",
  "model",
  "corpus",
  "mode",
  "n",
  "slope",
  "intercept",
  "slope_ci95_low",
  "slope_ci95_high",
  "r",
  "r2",
  "p",
  "spearman",
  "spearman_p",
  "binned_r",
  "binned_p",
  "data_multiplier_per_point",
  "data_multiplier_per_10_points",
  "unmatched_performance",
  "unmatched_frequency",
  "count_intervals",
  "counts_estimated",
  "count_uncertainty",
];

export function resultRow(f: StudyFit): ResultRow {
  const r = f.regression;
  const ci = r.slope_ci95;
  const sum = (k: "unmatched_performance" | "unmatched_frequency") => f.pairs.reduce((a, p) => a + p[k].count, 0);
  return {
    figure: f.figure ?? "",
    dataset: f.figure === null ? f.dataset : (f.datasets ?? []).join("+"),
    model: f.model,
    corpus: f.corpus,
    mode: f.mode,
    n: f.n,
    slope: r.slope,
    intercept: r.intercept,
    slope_ci95_low: ci?.low ?? null,
    slope_ci95_high: ci?.high ?? null,
    r: r.r,
    r2: r.r2,
    p: r.p,
    spearman: r.spearman,
    spearman_p: r.spearman_p,
    binned_r: f.binned?.pearson.r ?? null,
    binned_p: f.binned?.pearson.p ?? null,
    data_multiplier_per_point: r.data_multiplier.per_point,
    data_multiplier_per_10_points: r.data_multiplier.per_10_points,
    unmatched_performance: sum("unmatched_performance"),
    unmatched_frequency: sum("unmatched_frequency"),
    count_intervals: f.countIntervals?.intervals ?? 0,
    counts_estimated: f.countIntervals?.estimated ?? false,
    count_uncertainty: f.countIntervals?.propagated ?? false,
  };
}


export function resultsCsv(rows: readonly ResultRow[]): string {
  const lines = [RESULT_COLUMNS.join(",")];
  for (const row of rows) lines.push(RESULT_COLUMNS.map((c) => csvField(row[c])).join(","));
  return lines.join("\n") + "\n";
}

/** results.json: the options and, per fit, the row plus the full regression, binned view and join summary. */
export function resultsJson(name: string, options: object, fits: readonly StudyFit[]): string {
  const doc = {
    format: "conceptfreq-study-results",
    version: 1,
    name,
    options,
    fits: fits.map((f) => ({
      ...resultRow(f),
      regression: f.regression,
      binned: f.binned,
      pairs: f.pairs,
      outliers: f.outliers,
    })),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
