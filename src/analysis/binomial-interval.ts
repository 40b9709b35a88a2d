/**
 * Confidence intervals for a binomial proportion k / n (here: the precision of a concept's matches,
 * from k relevant captions among n labelled).
 *
 *   wilson   — the Wilson score interval (Wilson 1927): the set of p whose score test does not reject
 *              at the level; never leaves [0, 1], good coverage even for small n and p near 0 or 1.
 *   jeffreys — the equal-tailed Bayesian interval under the Jeffreys prior Beta(1/2, 1/2): the
 *              (1-level)/2 and (1+level)/2 quantiles of Beta(k + 1/2, n - k + 1/2), with the lower
 *              bound 0 when k = 0 and the upper 1 when k = n (Brown, Cai & DasGupta 2001).
 *
 * The beta quantile inverts the regularized incomplete beta function (incomplete-beta.ts) by
 * bisection to 1e-12, so no statistics library is needed.
 */
import { betaQuantile } from "./incomplete-beta.js";

export type IntervalMethod = "wilson" | "jeffreys";
export const INTERVAL_METHODS: readonly IntervalMethod[] = ["wilson", "jeffreys"];

export interface ProportionInterval {
  estimate: number;
  low: number;
  high: number;
}

/** The standard normal quantile at (1 + level) / 2, e.g. 1.959964 for level 0.95 (Acklam's rational approximation refined by one Halley step). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  // one Halley step against the complementary error function brings it to full double precision
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** The complementary error function (the Chebyshev fit of Numerical Recipes 3rd ed. §6.2, erfccheb; ~1.2e-16). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 2 / (2 + z);
  const ty = 4 * t - 2;
  const cof = [
    -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4, 3.66839497852761e-4,
    4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9,
    5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13,
    3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
  ];
  let d = 0;
  let dd = 0;
  for (let j = cof.length - 1; j > 0; j--) {
    const tmp = d;
    d = ty * d - dd + cof[j]!;
    dd = tmp;
  }
  const r = t * Math.exp(-z * z + 0.5 * (cof[0]! + ty * d) - dd);
  return x >= 0 ? r : 2 - r;
}

function checkCounts(k: number, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`binomial interval: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`binomial interval: k must be an integer in [0, n], got ${k}`);
}

/** The Wilson score interval for k successes in n trials at the given two-sided level (default 0.95). */
export function wilsonInterval(k: number, n: number, level = 0.95): ProportionInterval {
  checkCounts(k, n);
  const z = normalQuantile((1 + level) / 2);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { estimate: p, low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}

/** The Jeffreys interval for k successes in n trials at the given two-sided level (default 0.95). */
export function jeffreysInterval(k: number, n: number, level = 0.95): ProportionInterval {
  checkCounts(k, n);
  const tail = (1 - level) / 2;
  const a = k + 0.5;
  const b = n - k + 0.5;
  return { estimate: k / n, low: k === 0 ? 0 : betaQuantile(tail, a, b), high: k === n ? 1 : betaQuantile(1 - tail, a, b) };
}

export function binomialInterval(method: IntervalMethod, k: number, n: number, level = 0.95): ProportionInterval {
  return method === "jeffreys" ? jeffreysInterval(k, n, level) : wilsonInterval(k, n, level);
}

// The beta distribution (incomplete-beta.ts): betaCdf is the regularized incomplete beta function.
export { regularizedBeta as betaCdf, betaQuantile, logGamma } from "./incomplete-beta.js";
