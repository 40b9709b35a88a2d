/**
 * Full-corpus counts estimated from a sampled index, with an exact 95% interval.
 *
 * Model (binomial thinning): the full corpus holds M captions matching the concept; each row was kept
 * independently with probability r (the sample rate), so the sampled count k ~ Binomial(M, r).
 * - The estimate is k / r (unbiased for M), rounded to the nearest integer.
 * - The interval is exact (Clopper–Pearson style, inverting two one-sided binomial tests in M):
 *     low  = the smallest M with P(Binomial(M, r) ≥ k) ≥ α/2   (0 when k = 0)
 *     high = the largest  M with P(Binomial(M, r) ≤ k) ≥ α/2
 *   so P(M < low) and P(M > high) are each at most α/2 whatever M is: coverage ≥ 1 − α.
 * Why not a proportion interval (k out of the n sampled docs, scaled by the full row count)? It
 * ignores that the sample is a sizeable part of a finite corpus: at r = 1 it still gives a wide
 * interval where thinning gives exactly [k, k], and at r = 10% it is ~5% wider than needed. Thinning
 * also needs no full row count: it is the same model whatever the other concepts do.
 */
import { binomialCdf } from "../analysis/binomial.js";

export interface CountEstimate {
  /** Estimated full-corpus count: round(sampled / rate). */
  count: number;
  /** The interval's ends (integers; low ≤ count ≤ high). */
  low: number;
  high: number;
  /** The count in the sample (k). */
  sampled: number;
  rate: number;
}

/** The estimate and exact interval of a full-corpus count M from k ~ Binomial(M, rate). */
export function estimateFullCount(sampled: number, rate: number, confidence = 0.95): CountEstimate {
  if (!Number.isInteger(sampled) || sampled < 0) throw new RangeError(`sampled count must be a non-negative integer, not ${sampled}`);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`rate must be in (0, 1], not ${rate}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), not ${confidence}`);
  const k = sampled;
  const count = Math.round(k / rate);
  if (rate === 1) return { count: k, low: k, high: k, sampled: k, rate };
  const tail = (1 - confidence) / 2;

  // high: P(X ≤ k | M) falls as M grows; the largest M where it is still ≥ tail.
  const atMostK = (m: number) => binomialCdf(k, m, rate);
  let hiBad = Math.max(k + 1, Math.ceil((k + 1) / rate));
  while (atMostK(hiBad) >= tail) hiBad = k + 2 * (hiBad - k);
  let hiGood = k; // P(X ≤ k | M = k) = 1
  while (hiBad - hiGood > 1) {
    const mid = hiGood + Math.floor((hiBad - hiGood) / 2);
    if (atMostK(mid) >= tail) hiGood = mid;
    else hiBad = mid;
  }

  // low: P(X ≥ k | M) = 1 − P(X ≤ k − 1 | M) grows with M; the smallest M where it is ≥ tail.
  let low = 0;
  if (k > 0) {
    const atLeastK = (m: number) => 1 - binomialCdf(k - 1, m, rate);
    let loGood = Math.max(k, Math.ceil(k / rate));
    while (atLeastK(loGood) < tail) loGood = k + 2 * (loGood - k) + 1;
    let loBad = k - 1; // M < k: P(X ≥ k) = 0
    while (loGood - loBad > 1) {
      const mid = loBad + Math.floor((loGood - loBad) / 2);
      if (atLeastK(mid) >= tail) loGood = mid;
      else loBad = mid;
    }
    low = loGood;
  }
  return { count, low, high: hiGood, sampled: k, rate };
}

export interface ConceptEstimate extends CountEstimate {
  concept: string;
}

/** Each concept's count in a sampled index turned into a full-corpus estimate with its interval. */
export function estimateConceptCounts(counts: readonly { concept: string; count: number }[], rate: number, confidence = 0.95): ConceptEstimate[] {
  return counts.map((c) => ({ concept: c.concept, ...estimateFullCount(c.count, rate, confidence) }));
}
