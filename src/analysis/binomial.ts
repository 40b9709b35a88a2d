/**
 * The binomial distribution's CDF, through the regularized incomplete beta function
 * (P(X ≤ k) for X ~ Binomial(n, p) is I_{1-p}(n - k, k + 1); see incomplete-beta.ts). Accurate to
 * ~1e-12 relative for the sizes an index holds (n up to 2^32).
 */

import { regularizedBeta } from "./incomplete-beta.js";

export { logGamma, regularizedBeta } from "./incomplete-beta.js";

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  return regularizedBeta(1 - p, n - k, k + 1);
}
