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
  const approx = topKFloat32(scores, kk, sOff, m);
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
    if (certain) {
      const out = new Float64Array(kk);
      for (let r = 0; r < kk; r++) out[r] = scores[sOff + approx[r]!]!;
      return { indices: approx, scores: out };
    }
  }
  // Re-score the candidates (in increasing column order) and rank them: score desc, then column asc.
  const cand: { j: number; s: number }[] = new Array(nc);
  for (let c = 0; c < nc; c++) {
    const j = gather[c]!;
    cand[c] = { j, s: dot64(a, aOff, b, j * d, d) };
  }
  cand.sort((x, y) => (x.s > y.s ? -1 : x.s < y.s ? 1 : x.j - y.j));
  const indices = new Int32Array(kk);
  const out = new Float64Array(kk);
  for (let r = 0; r < kk; r++) {
    indices[r] = cand[r]!.j;
    out[r] = cand[r]!.s;
  }
  return { indices, scores: out };
}

/** topK specialised to float32 rows (the hot path; see topk.ts for the order). */
function topKFloat32(scores: Float32Array, kk: number, offset: number, length: number): Int32Array {
  const idx = new Int32Array(kk);
  const val = new Float64Array(kk);
  let size = 0;
  let j = 0;
  for (; j < length && size < kk; j++) {
    let s = scores[offset + j]!;
    if (s !== s) s = -Infinity;
    let p = size;
    while (p > 0 && s > val[p - 1]!) {
      val[p] = val[p - 1]!;
      idx[p] = idx[p - 1]!;
      p--;
    }
    val[p] = s;
    idx[p] = j;
    size++;
  }
  let worst = val[kk - 1]!;
  const end = offset + length;
  for (let q = offset + j; q < end; q++) {
    const s = scores[q]!;
    if (!(s > worst)) continue;
    let p = kk - 1;
    while (p > 0 && s > val[p - 1]!) {
      val[p] = val[p - 1]!;
      idx[p] = idx[p - 1]!;
      p--;
    }
    val[p] = s;
    idx[p] = q - offset;
    worst = val[kk - 1]!;
  }
  return idx;
}
