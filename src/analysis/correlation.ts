/**
 * Pearson and Spearman correlation with two-sided p-values from Student's t distribution
 * (the same test scipy.stats.pearsonr / spearmanr use: t = r·sqrt((n-2)/(1-r²)), n-2 degrees of freedom).
 * Degenerate input gives nulls with a reason, never NaN.
 */
import tCdf from "@stdlib/stats-base-dists-t-cdf";

export type Correlation = { r: number; p: number } | { r: null; p: null; reason: string };

/** Two-sided p-value of a t statistic with df degrees of freedom. */
export function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  const p = 2 * tCdf(-Math.abs(t), df);
  return Math.min(1, Math.max(0, p));
}

/** The p-value of a correlation coefficient r over n points (t test, n-2 degrees of freedom). */
export function correlationP(r: number, n: number): number {
  if (Math.abs(r) >= 1) return 0;
  const df = n - 2;
  return twoSidedP(r * Math.sqrt(df / ((1 - r) * (1 + r))), df);
}

/** Why a correlation over these values is undefined, or undefined when it is defined. */
function degenerate(x: readonly number[], y: readonly number[], minPoints: number): string | undefined {
  if (x.length !== y.length) throw new RangeError("correlation: x and y differ in length");
  if (x.length < minPoints) return `${x.length} point${x.length === 1 ? "" : "s"} (a correlation needs at least ${minPoints}).`;
  if (isConstant(x)) return "the x values are all equal.";
  if (isConstant(y)) return "the y values are all equal.";
  return undefined;
}

function isConstant(v: readonly number[]): boolean {
  for (let i = 1; i < v.length; i++) if (v[i] !== v[0]) return false;
  return true;
}

/** Means and centred sums of squares and products of two equally long samples. */
export function centredMoments(x: readonly number[], y: readonly number[]): { mx: number; my: number; sxx: number; sxy: number; syy: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return { mx, my, sxx, sxy, syy };
}

/** Pearson's r, the raw coefficient (caller guarantees at least 2 points and non-constant x, y). */
export function pearsonR(x: readonly number[], y: readonly number[]): number {
  const { sxx, sxy, syy } = centredMoments(x, y);
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

/** Pearson's r with its two-sided p-value; at least 3 points (minPoints) and non-constant x and y. */
export function pearson(x: readonly number[], y: readonly number[], minPoints = 3): Correlation {
  const why = degenerate(x, y, minPoints);
  if (why !== undefined) return { r: null, p: null, reason: why };
  const r = pearsonR(x, y);
  return { r, p: correlationP(r, x.length) };
}

/** Ranks 1..n with ties given the average of the ranks they span (scipy.stats.rankdata "average"). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]! || a - b);
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j + 2) / 2; // mean of the 1-based ranks i+1 .. j+1
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rho (Pearson's r of average ranks) with its two-sided p-value (t approximation, as scipy). */
export function spearman(x: readonly number[], y: readonly number[], minPoints = 3): Correlation {
  const why = degenerate(x, y, minPoints);
  if (why !== undefined) return { r: null, p: null, reason: why };
  const r = pearsonR(averageRanks(x), averageRanks(y));
  return { r, p: correlationP(r, x.length) };
}
