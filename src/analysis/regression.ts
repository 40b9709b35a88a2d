/**
 * The log-linear fit: ordinary least squares of performance on log10(pretraining frequency).
 * The slope is "points of performance per 10x more data"; data_multiplier inverts it into
 * "how many times more data does +1 (or +10) points cost".
 */
import { centredMoments, correlationP, pearsonR, spearman } from "./correlation.js";
import { percentile } from "./numpy-semantics.js";
import { mulberry32, randomIndex } from "./random.js";
import { UserError } from "../errors.js";

export interface ConceptPoint {
  concept: string;
  frequency: number;
  performance: number;
  /** The frequency's 95% interval, when the count carries one (an audited or a sampled count). */
  frequency_low?: number;
  frequency_high?: number;
}

export interface FitLogLinearOptions {
  /** The frequency used in place of 0 before taking log10 (default 1, as the paper: log10(1) = 0). */
  zeroAs?: number;
  /** Bootstrap resamples for the slope's 95% interval (default 1000; 0 skips it). */
  bootstrap?: number;
  /** Seed of the bootstrap's random generator (default 0). */
  seed?: number;
  /**
   * Propagate the frequencies' intervals (frequency_low/high) into the bootstrap: each resampled
   * concept's log10 frequency is drawn from a normal centred on its log10 count, with the interval's
   * log10 half-width as 1.96 standard deviations (default false).
   */
  countUncertainty?: boolean;
}

/** What the slope interval's bootstrap drew for the counts, when it propagated their intervals. */
export interface CountUncertainty {
  model: "normal-log10";
  /** Concepts whose count had an interval (the others keep their count in every resample). */
  concepts_with_interval: number;
}

export type SlopeInterval =
  | { low: number; high: number; level: 0.95; resamples: number; degenerate_resamples: number; seed: number; count_uncertainty?: CountUncertainty }
  | { low: null; high: null; level: 0.95; resamples: number; degenerate_resamples: number; seed: number; count_uncertainty?: CountUncertainty; reason: string };

export type DataMultiplier =
  | { per_point: number | null; per_10_points: number | null; log10_per_point: number; log10_per_10_points: number; reason?: string }
  | { per_point: null; per_10_points: null; log10_per_point: null; log10_per_10_points: null; reason: string };

export interface Regression {
  n: number;
  /** Performance points per 10x frequency. */
  slope: number | null;
  intercept: number | null;
  /** The usual OLS standard error of the slope. */
  slope_stderr: number | null;
  /** Pearson's r between log10(frequency) and performance, and its two-sided p-value (t, n-2 df). */
  r: number | null;
  r2: number | null;
  p: number | null;
  /** Spearman's rho (average ranks for ties) and its p-value. */
  spearman: number | null;
  spearman_p: number | null;
  slope_ci95: SlopeInterval | null;
  data_multiplier: DataMultiplier;
  zero_as: number;
  /** Set when something above is null: why. */
  reason?: string;
}

interface Ols {
  slope: number;
  intercept: number;
  sxx: number;
  sxy: number;
  syy: number;
}

/** OLS of y on x; undefined when x is constant (or fewer than 2 points). */
export function ols(x: readonly number[], y: readonly number[]): Ols | undefined {
  if (x.length < 2) return undefined;
  const { mx, my, sxx, sxy, syy } = centredMoments(x, y);
  if (!(sxx > 0)) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, sxx, sxy, syy };
}

/** log10 of each frequency, zeros replaced by zeroAs; negative or non-finite frequencies are a UserError. */
export function log10Frequencies(points: readonly ConceptPoint[], zeroAs: number): number[] {
  if (!(zeroAs > 0) || !Number.isFinite(zeroAs)) throw new UserError(`--zero-as must be a positive number (got ${zeroAs}).`);
  return points.map((p) => {
    if (!Number.isFinite(p.frequency) || p.frequency < 0) {
      throw new UserError(`The frequency of "${p.concept}" is ${p.frequency}; frequencies must be finite and non-negative.`);
    }
    return Math.log10(p.frequency === 0 ? zeroAs : p.frequency);
  });
}

/** A multiplier 10^e, or null when it does not fit in a double. */
function pow10(e: number): number | null {
  const v = Math.pow(10, e);
  return Number.isFinite(v) ? v : null;
}

export function dataMultiplier(slope: number | null): DataMultiplier {
  if (slope === null) return { per_point: null, per_10_points: null, log10_per_point: null, log10_per_10_points: null, reason: "there is no slope." };
  if (!(slope > 0)) {
    return {
      per_point: null,
      per_10_points: null,
      log10_per_point: null,
      log10_per_10_points: null,
      reason: `the slope is ${slope === 0 ? "zero" : "negative"}, so more data does not raise performance in this fit.`,
    };
  }
  const out: DataMultiplier = {
    per_point: pow10(1 / slope),
    per_10_points: pow10(10 / slope),
    log10_per_point: 1 / slope,
    log10_per_10_points: 10 / slope,
  };
  if (out.per_point === null || out.per_10_points === null) {
    out.reason = "the multiplier exceeds the range of a double; see the log10_ fields.";
  }
  return out;
}

/**
 * The standard deviations of each point's log10 frequency implied by its 95% interval, for
 * bootstrapSlope: (log10 high - log10 low) / (2 * 1.96), zeros read as zeroAs like the counts; 0 for
 * a point without an interval. An interval that does not hold its count is a UserError.
 */
export function log10Sigmas(points: readonly ConceptPoint[], zeroAs: number): number[] {
  return points.map((p) => {
    const { frequency_low: low, frequency_high: high } = p;
    if (low === undefined || high === undefined) return 0;
    if (!Number.isFinite(low) || !Number.isFinite(high) || low < 0 || !(low <= p.frequency && p.frequency <= high)) {
      throw new UserError(`The count interval of "${p.concept}" is [${low}, ${high}], which does not hold its count ${p.frequency}.`);
    }
    const lg = (v: number) => Math.log10(v === 0 ? zeroAs : v);
    return Math.max(0, lg(high) - lg(low)) / (2 * 1.959963984540054);
  });
}

/** A standard normal deviate (Box-Muller) from the seeded generator. */
function normal(random: () => number): number {
  const u = 1 - random(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * Replaces each observed log count x_i (measured with standard deviation s_i) by a draw of the true
 * log count given the observation, under a normal prior fitted to the resample by moments
 * (mean m, variance t^2 = var(x) - mean(s^2), at least var(x) / 10): N((t^2 x_i + s_i^2 m) / (t^2 + s_i^2),
 * t^2 s_i^2 / (t^2 + s_i^2)). Drawing around the observation itself (N(x_i, s_i^2)) would add the
 * measurement noise a second time: the slope would shrink further towards 0 (the noisy counts
 * already attenuate it) and the interval's coverage get worse, not better (tested by simulation).
 */
function drawTrueLogCounts(x: number[], s: readonly number[], random: () => number): void {
  const n = x.length;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let varX = 0;
  let meanS2 = 0;
  for (let i = 0; i < n; i++) {
    varX += (x[i]! - mean) ** 2;
    meanS2 += s[i]! ** 2;
  }
  varX /= Math.max(1, n - 1);
  meanS2 /= n;
  const t2 = Math.max(varX - meanS2, varX / 10);
  if (!(t2 > 0)) return;
  for (let i = 0; i < n; i++) {
    const s2 = s[i]! ** 2;
    if (s2 === 0) continue;
    const m = (t2 * x[i]! + s2 * mean) / (t2 + s2);
    x[i] = m + Math.sqrt((t2 * s2) / (t2 + s2)) * normal(random);
  }
}

/**
 * A seeded percentile bootstrap of the OLS slope (resampling concepts with replacement). With
 * `sigma` (per point, log10 units; see log10Sigmas) each resample's log counts are then drawn as in
 * drawTrueLogCounts, from a second generator, so the resampled concepts are the same as without it.
 */
export function bootstrapSlope(x: readonly number[], y: readonly number[], resamples: number, seed: number, sigma?: readonly number[]): SlopeInterval {
  const n = x.length;
  const random = mulberry32(seed);
  const noise = sigma ? mulberry32((seed ^ 0x9e3779b9) >>> 0) : undefined;
  const slopes: number[] = [];
  let degenerate = 0;
  const bx = new Array<number>(n);
  const by = new Array<number>(n);
  const bs = new Array<number>(n).fill(0);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) {
      const k = randomIndex(random, n);
      bx[i] = x[k]!;
      by[i] = y[k]!;
      if (sigma) bs[i] = sigma[k]!;
    }
    if (noise) drawTrueLogCounts(bx, bs, noise);
    const fit = ols(bx, by);
    if (fit === undefined) degenerate++;
    else slopes.push(fit.slope);
  }
  const base = {
    level: 0.95 as const,
    resamples,
    degenerate_resamples: degenerate,
    seed,
    ...(sigma ? { count_uncertainty: { model: "normal-log10" as const, concepts_with_interval: sigma.filter((s) => s > 0).length } } : {}),
  };
  if (slopes.length < Math.max(2, resamples / 2)) {
    return { low: null, high: null, ...base, reason: `only ${slopes.length} of ${resamples} resamples had two distinct frequencies.` };
  }
  return { low: percentile(slopes, 2.5), high: percentile(slopes, 97.5), ...base };
}

/**
 * Fits performance = intercept + slope * log10(frequency) over the points. Fewer than 3 points, or all
 * frequencies equal, give nulls with a reason; constant performance gives slope 0 and a null r.
 */
export function fitLogLinear(points: readonly ConceptPoint[], opts: FitLogLinearOptions = {}): Regression {
  const zeroAs = opts.zeroAs ?? 1;
  const resamples = opts.bootstrap ?? 1000;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(resamples) || resamples < 0) throw new UserError(`--bootstrap must be a non-negative integer (got ${resamples}).`);
  const x = log10Frequencies(points, zeroAs);
  const y = points.map((p) => {
    if (!Number.isFinite(p.performance)) throw new UserError(`The performance of "${p.concept}" is ${p.performance}, not a finite number.`);
    return p.performance;
  });
  const n = points.length;
  const empty = (reason: string): Regression => ({
    n,
    slope: null,
    intercept: null,
    slope_stderr: null,
    r: null,
    r2: null,
    p: null,
    spearman: null,
    spearman_p: null,
    slope_ci95: null,
    data_multiplier: dataMultiplier(null),
    zero_as: zeroAs,
    reason,
  });
  if (n < 3) return empty(`a fit needs at least 3 concepts with both a frequency and a performance; there ${n === 1 ? "is" : "are"} ${n}.`);
  const fit = ols(x, y);
  if (fit === undefined) return empty(`all ${n} concepts have the same frequency (after --zero-as), so no slope can be fitted.`);
  const df = n - 2;
  const residual = Math.max(0, fit.syy - fit.slope * fit.sxy);
  const stderr = Math.sqrt(residual / df / fit.sxx);
  const out: Regression = {
    n,
    slope: fit.slope,
    intercept: fit.intercept,
    slope_stderr: stderr,
    r: null,
    r2: null,
    p: null,
    spearman: null,
    spearman_p: null,
    slope_ci95: resamples > 0 ? bootstrapSlope(x, y, resamples, seed, opts.countUncertainty ? log10Sigmas(points, zeroAs) : undefined) : null,
    data_multiplier: dataMultiplier(fit.slope),
    zero_as: zeroAs,
  };
  if (fit.syy > 0) {
    const r = pearsonR(x, y);
    out.r = r;
    out.r2 = r * r;
    out.p = correlationP(r, n);
    const rho = spearman(x, y);
    out.spearman = rho.r;
    out.spearman_p = rho.p;
  } else {
    out.reason = `all ${n} concepts have the same performance, so the correlation is undefined.`;
  }
  return out;
}
