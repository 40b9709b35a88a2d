/**
 * Frequency vs performance for one or more series (e.g. one per model): join each (frequency map,
 * performance map) pair by exact concept name, pool the pairs of a series, and compute the log-linear
 * regression and a binned view. This is what `conceptfreq fit` prints and `conceptfreq study` reuses.
 */
import { binByQuantile, binLikePaper, type Binned } from "./binning.js";
import { fitLogLinear, type ConceptPoint, type Regression } from "./regression.js";
import { UserError } from "../errors.js";

export type BinningMethod = "paper" | "quantile" | "none";

export interface FitPairInput {
  freq: Map<string, number>;
  /** The 95% intervals of (some of) the frequencies, for FitOptions.countUncertainty. */
  freqIntervals?: Map<string, { low: number; high: number }>;
  perf: Map<string, number>;
  /** Where the maps came from (file specs), for messages and the JSON output. */
  freqLabel?: string;
  perfLabel?: string;
}

export interface SeriesInput {
  name: string;
  pairs: FitPairInput[];
}

export interface FitOptions {
  /** Frequency used for 0 in the regression's log10 (default 1). */
  zeroAs?: number;
  /** Bootstrap resamples for the slope interval (default 1000, 0 = none). */
  bootstrap?: number;
  seed?: number;
  /** "paper" (default), "quantile" or "none". */
  binning?: BinningMethod;
  /** Number of edges (paper) or bins (quantile); default 12. */
  bins?: number;
  /** Binned points dropped at the start and end; default [1, 1] for paper, [0, 0] for quantile. */
  trim?: [number, number];
  /** Unmatched concept names are an error instead of a warning. */
  strict?: boolean;
  /** Multiplies every performance value (e.g. 100 to turn fractions into percentage points); default 1. */
  performanceScale?: number;
  /** How many unmatched names to list (default 5). */
  unmatchedExamples?: number;
  /** Propagate the frequencies' intervals into the slope's bootstrap (see regression.ts). */
  countUncertainty?: boolean;
}

export interface Unmatched {
  count: number;
  /** The first few names, in file order. */
  first: string[];
}

export interface PairJoin {
  freq: string;
  perf: string;
  matched: number;
  /** Concepts with a performance but no frequency, and with a frequency but no performance. */
  unmatched_performance: Unmatched;
  unmatched_frequency: Unmatched;
}

export interface SeriesPoint extends ConceptPoint {
  /** Index of the pair the point came from. */
  pair: number;
}

export interface SeriesFit {
  name: string;
  n: number;
  pairs: PairJoin[];
  regression: Regression;
  binned: Binned | null;
  /** The joined points (not part of the CLI's JSON unless --points). */
  points: SeriesPoint[];
}

export interface FitReport {
  format: "conceptfreq-fit";
  version: 1;
  options: {
    zero_as: number;
    bootstrap: number;
    seed: number;
    binning: BinningMethod;
    bins: number;
    trim: [number, number] | null;
    performance_scale: number;
    /** Present (true) when the slope's bootstrap propagated the counts' intervals. */
    count_uncertainty?: true;
  };
  series: SeriesFit[];
}

function unmatched(names: string[], limit: number): Unmatched {
  return { count: names.length, first: names.slice(0, limit) };
}

/** Joins the pairs of a series by exact concept name; concepts of different pairs stay separate points. */
export function joinPairs(pairs: readonly FitPairInput[], opts: Pick<FitOptions, "strict" | "performanceScale" | "unmatchedExamples"> = {}): {
  points: SeriesPoint[];
  pairs: PairJoin[];
} {
  const scale = opts.performanceScale ?? 1;
  const limit = opts.unmatchedExamples ?? 5;
  if (!Number.isFinite(scale) || scale <= 0) throw new UserError(`--perf-scale must be a positive number (got ${scale}).`);
  const points: SeriesPoint[] = [];
  const joins: PairJoin[] = [];
  pairs.forEach((pair, k) => {
    const freqLabel = pair.freqLabel ?? `frequency map ${k + 1}`;
    const perfLabel = pair.perfLabel ?? `performance map ${k + 1}`;
    const perfOnly: string[] = [];
    let matched = 0;
    for (const [concept, performance] of pair.perf) {
      const frequency = pair.freq.get(concept);
      if (frequency === undefined) {
        perfOnly.push(concept);
        continue;
      }
      matched++;
      const interval = pair.freqIntervals?.get(concept);
      points.push({ concept, frequency, performance: performance * scale, pair: k, ...(interval ? { frequency_low: interval.low, frequency_high: interval.high } : {}) });
    }
    const freqOnly = [...pair.freq.keys()].filter((c) => !pair.perf.has(c));
    if (matched === 0 && (pair.perf.size > 0 || pair.freq.size > 0)) {
      const a = [...pair.perf.keys()][0];
      const b = [...pair.freq.keys()][0];
      throw new UserError(
        `No concept of ${perfLabel} has a frequency in ${freqLabel}` +
          (a !== undefined && b !== undefined ? ` (names are matched exactly, e.g. "${a}" vs "${b}").` : "."),
      );
    }
    if (opts.strict && (perfOnly.length > 0 || freqOnly.length > 0)) {
      const parts: string[] = [];
      if (perfOnly.length) parts.push(`${perfOnly.length} concept${perfOnly.length === 1 ? "" : "s"} of ${perfLabel} ha${perfOnly.length === 1 ? "s" : "ve"} no frequency (${quoteList(perfOnly, limit)})`);
      if (freqOnly.length) parts.push(`${freqOnly.length} concept${freqOnly.length === 1 ? "" : "s"} of ${freqLabel} ha${freqOnly.length === 1 ? "s" : "ve"} no performance (${quoteList(freqOnly, limit)})`);
      throw new UserError(`--strict: ${parts.join("; ")}.`);
    }
    joins.push({
      freq: freqLabel,
      perf: perfLabel,
      matched,
      unmatched_performance: unmatched(perfOnly, limit),
      unmatched_frequency: unmatched(freqOnly, limit),
    });
  });
  return { points, pairs: joins };
}

export function quoteList(names: readonly string[], limit: number): string {
  const shown = names.slice(0, limit).map((n) => JSON.stringify(n));
  return shown.join(", ") + (names.length > limit ? `, ... ${names.length - limit} more` : "");
}

/** The binned view chosen by opts.binning over already joined points (null for "none"). */
export function binPoints(points: readonly ConceptPoint[], opts: Pick<FitOptions, "binning" | "bins" | "trim"> = {}): Binned | null {
  const method = opts.binning ?? "paper";
  const binOpts = { bins: opts.bins, trim: opts.trim };
  if (method === "none") return null;
  if (method === "paper") return binLikePaper(points, binOpts);
  if (method === "quantile") return binByQuantile(points, binOpts);
  throw new UserError(`--binning must be paper, quantile or none (got ${String(method)}).`);
}

/** Everything `conceptfreq fit` reports for one series. */
export function fitSeries(input: SeriesInput, opts: FitOptions = {}): SeriesFit {
  const { points, pairs } = joinPairs(input.pairs, opts);
  const regression = fitLogLinear(points, { zeroAs: opts.zeroAs, bootstrap: opts.bootstrap, seed: opts.seed, countUncertainty: opts.countUncertainty });
  return { name: input.name, n: points.length, pairs, regression, binned: binPoints(points, opts), points };
}

/** Fits every series with the same options. */
export function fitFrequencyPerformance(series: readonly SeriesInput[], opts: FitOptions = {}): FitReport {
  if (series.length === 0) throw new UserError("Nothing to fit: give at least one --freq FILE --perf FILE pair.");
  const names = new Set<string>();
  for (const s of series) {
    if (names.has(s.name)) throw new UserError(`Two series are named "${s.name}"; give each --series a distinct name.`);
    names.add(s.name);
  }
  const binning = opts.binning ?? "paper";
  return {
    format: "conceptfreq-fit",
    version: 1,
    options: {
      zero_as: opts.zeroAs ?? 1,
      bootstrap: opts.bootstrap ?? 1000,
      seed: opts.seed ?? 0,
      binning,
      bins: opts.bins ?? 12,
      trim: binning === "none" ? null : (opts.trim ?? (binning === "paper" ? [1, 1] : [0, 0])),
      performance_scale: opts.performanceScale ?? 1,
      ...(opts.countUncertainty ? { count_uncertainty: true } : {}),
    },
    series: series.map((s) => fitSeries(s, opts)),
  };
}

/** The report as JSON text; per-concept points are left out unless withPoints. */
export function fitReportToJson(report: FitReport, withPoints = false): string {
  const doc = {
    ...report,
    series: report.series.map(({ points, ...rest }) => (withPoints ? { ...rest, points } : rest)),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
