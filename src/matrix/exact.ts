/**
 * Exact decisions from fast approximate scores.
 *
 * A blocked float32 product gives every score within a known bound of the dot product (see
 * `float32DotErrorBound`). To rank exactly, candidates whose float32 score lies within twice that
 * bound of the k-th best are re-scored as float64 dot products of the same float32 vectors, and the
 * ranking (higher score, then lower index) is decided on those. The result is therefore the same
 * whatever kernel, thread count or CPU computed the float32 scores.
 */
import { float32DotErrorBound } from "./matmul.js";
import { topK } from "./topk.js";

/** Σ a[aOff + k] · b[bOff + k] for k < d, accumulated in float64 in index order. */
export function dot64(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[aOff + k]! * b[bOff + k]!;
  return s;
}

/**
 * An absolute bound on |float32 score − float64 score| for vectors of dimension d whose L2 norms are
 * at most `normA` and `normB` (1 for normalised rows; a margin covers their rounding and the float64
 * sum's own rounding).
 */
export function scoreErrorBound(d: number, normA = 1, normB = 1): number {
  return 1.01 * float32DotErrorBound(d) * normA * normB + 1e-12;
}

let gather = new Int32Array(0);

export interface ExactTopK {
  /** Column indices, best first. */
  indices: Int32Array;
  /**
   * Their scores: float64 dot products when the row needed re-scoring, else the float32 scores
   * (whose order was already certain).
   */
  scores: Float64Array;
}

/**
 * The exact top-k of one row of a similarity matrix S = A · Bᵀ.
 *
 * `scores[sOff .. sOff + m)` are the row's float32 scores, `a[aOff .. aOff + d)` its A vector and `b`
 * the m × d matrix B; `bound` is from `scoreErrorBound`.
 */
export function exactTopK(
  scores: Float32Array,
  sOff: number,
  m: number,
  k: number,
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  d: number,
  bound: number,
): ExactTopK {
  const kk = Math.min(k, m);
  if (kk === 0) return { indices: new Int32Array(0), scores: new Float64Array(0) };
  const approx = topK(scores, kk, sOff, m);
  const threshold = scores[sOff + approx[kk - 1]!]! - 2 * bound;
  if (gather.length < m) gather = new Int32Array(m);
  let nc = 0;
  const end = sOff + m;
  for (let j = sOff; j < end; j++) if (scores[j]! >= threshold) gather[nc++] = j - sOff;
  if (nc === kk) {
    // No other column can reach the top k; if the k float32 scores are also more than 2 bounds apart,
    // their order is certain too and no re-scoring is needed.
    let certain = true;
    for (let r = 0; r + 1 < kk && certain; r++) {
      certain = scores[sOff + approx[r]!]! - scores[sOff + approx[r + 1]!]! > 2 * bound;
    }
    if (certain) return { indices: approx, scores: Float64Array.from(approx, (j) => scores[sOff + j]!) };
  }
  const cand = gather.slice(0, nc);
  const exact = new Float64Array(nc);
  for (let c = 0; c < nc; c++) exact[c] = dot64(a, aOff, b, cand[c]! * d, d);
  const order = topK(exact, kk);
  const indices = new Int32Array(kk);
  const out = new Float64Array(kk);
  for (let r = 0; r < kk; r++) {
    indices[r] = cand[order[r]!]!;
    out[r] = exact[order[r]!]!;
  }
  return { indices, scores: out };
}
