/**
 * Turning a block of scores (similarities or probabilities; images × concepts) into tags.
 *
 * For the embedding tagger the scores come from a float32 kernel and are within `bound` of the
 * float64 dot product of the same (normalised float32) vectors. A score within `bound` of a threshold
 * is re-scored in float64 (`rescore`) before deciding, and a top-k cut whose scores are within
 * 2·bound of each other is ranked on float64 scores too (as in matrix/exact.ts). So a tag means exactly
 * "float64 cosine of the stored vectors >= threshold" (then the k best, higher score first and the
 * lower concept index between equals), whatever kernel, block size or thread count produced the
 * float32 scores. Imported probabilities are exact already: no `rescore`.
 */
import { topK } from "../matrix/topk.js";

export interface TagSelection {
  /** Thresholds, ascending. Level i is thresholds[i]. A score >= the threshold tags. */
  thresholds: readonly number[];
  /** At most this many tags per image (undefined: no limit). */
  topK?: number;
  /** With `rescore`: |approximate score − exact score| bound. */
  bound?: number;
  /** The exact score of (row, concept); absent when the scores are exact. */
  rescore?: (row: number, concept: number) => number;
}

/**
 * Scans a block of `n` rows of `m` scores (row-major). Calls `emit(level, row, concept)` for every tag:
 * rows in order, concepts ascending within a row, levels in order for each row.
 */
export function selectTags(
  scores: ArrayLike<number>,
  n: number,
  m: number,
  sel: TagSelection,
  emit: (level: number, row: number, concept: number) => void,
): void {
  const ts = sel.thresholds;
  const levels = ts.length;
  const rescore = sel.rescore;
  const bound = rescore ? (sel.bound ?? 0) : 0;
  const lo = ts[0]! - bound;
  // Candidate buffers for one row (a row has at most m candidates).
  const cand = new Int32Array(m);
  const val = new Float64Array(m);
  // float32 scores and a positive bound: compare bit patterns as integers (twice as fast in V8).
  const bits = scores instanceof Float32Array && lo > 0 ? new Int32Array(scores.buffer, scores.byteOffset, scores.length) : undefined;
  const loBits = bits ? float32BitsAtLeast(lo) : 0;
  for (let i = 0; i < n; i++) {
    // 1. Candidates: every concept whose score may reach the lowest threshold.
    const c = bits ? scanRowBits(bits, scores as Float32Array, i * m, m, loBits, cand, val) : scanRow(scores, i * m, m, lo, cand, val);
    if (c === 0) continue;
    // 2. Near a threshold: decide on the exact score.
    if (rescore) {
      for (let q = 0; q < c; q++) {
        const s = val[q]!;
        for (let l = 0; l < levels; l++) {
          if (Math.abs(s - ts[l]!) <= bound) {
            val[q] = rescore(i, cand[q]!);
            break;
          }
        }
      }
    }
    // 3. Keep those at or above the lowest threshold (ascending concept order is kept).
    let p = 0;
    for (let q = 0; q < c; q++) {
      if (val[q]! >= ts[0]!) {
        cand[p] = cand[q]!;
        val[p] = val[q]!;
        p++;
      }
    }
    // 4. Top-k.
    if (sel.topK !== undefined && p > sel.topK) p = keepBest(cand, val, p, sel.topK, bound, rescore ? (j) => rescore(i, j) : undefined);
    // 5. Emit per level. The k best at the lowest threshold, filtered by a higher threshold, are the
    //    k best at that threshold: the kept ones are the highest scores.
    for (let l = 0; l < levels; l++) {
      const t = ts[l]!;
      for (let q = 0; q < p; q++) if (val[q]! >= t) emit(l, i, cand[q]!);
    }
  }
}

/** Writes the positions (and scores) of the row's scores >= lo into cand/val; returns how many. */
function scanRow(scores: ArrayLike<number>, off: number, m: number, lo: number, cand: Int32Array, val: Float64Array): number {
  let c = 0;
  for (let j = 0; j < m; j++) {
    const s = scores[off + j]!;
    if (s >= lo) {
      cand[c] = j;
      val[c] = s;
      c++;
    }
  }
  return c;
}

/** The bit pattern (as int32) of the smallest float32 >= x, for x > 0. */
export function float32BitsAtLeast(x: number): number {
  const f = new Float32Array([x]);
  const b = new Int32Array(f.buffer);
  if (f[0]! < x) b[0]!++; // rounded down: the next float32 up (positive floats order like their bits)
  return b[0]!;
}

/**
 * scanRow for float32 scores and a positive bound: a non-negative float32 is >= another exactly when
 * its bit pattern is, read as an int32, and every negative one (sign bit set) reads as a negative
 * int32, below any positive bound. (NaN patterns may pass here; step 3 drops them: NaN >= t is false.)
 */
function scanRowBits(bits: Int32Array, scores: Float32Array, off: number, m: number, loBits: number, cand: Int32Array, val: Float64Array): number {
  let c = 0;
  const end = off + m;
  for (let p = off; p < end; p++) {
    if (bits[p]! >= loBits) {
      cand[c] = p - off;
      val[c] = scores[p]!;
      c++;
    }
  }
  return c;
}

/**
 * Keeps the k best of the first p candidates (ascending concept order in, ascending concept order
 * out), ranking by higher score, then lower concept index. Approximate scores within 2·bound of the
 * k-th are re-scored first. Returns k.
 */
function keepBest(
  cand: Int32Array,
  val: Float64Array,
  p: number,
  k: number,
  bound: number,
  rescore: ((concept: number) => number) | undefined,
): number {
  const approx = topK(val.subarray(0, p), k);
  const kth = val[approx[k - 1]!]!;
  let sure: number[];
  let band: number[];
  const bandVal: number[] = [];
  if (!rescore) {
    sure = [];
    band = [];
    for (let q = 0; q < p; q++) if (val[q]! > kth) sure.push(q);
    for (let q = 0; q < p; q++) if (val[q]! === kth) band.push(q);
    for (const q of band) bandVal.push(val[q]!);
  } else {
    // True k-th score >= kth − bound: anything below kth − 2·bound is out; anything above
    // kth + 2·bound beats every candidate that could be k-th, so it is in.
    sure = [];
    band = [];
    for (let q = 0; q < p; q++) {
      const v = val[q]!;
      if (v > kth + 2 * bound) sure.push(q);
      else if (v >= kth - 2 * bound) band.push(q);
    }
    for (const q of band) bandVal.push(rescore(cand[q]!));
  }
  // Band entries are in ascending concept order, so topK's lower-index rule is the lower-concept rule.
  const take = topK(bandVal, k - sure.length);
  const kept: { j: number; v: number }[] = sure.map((q) => ({ j: cand[q]!, v: val[q]! }));
  for (const b of take) kept.push({ j: cand[band[b]!]!, v: bandVal[b]! });
  kept.sort((x, y) => x.j - y.j);
  for (let q = 0; q < kept.length; q++) {
    cand[q] = kept[q]!.j;
    val[q] = kept[q]!.v;
  }
  return kept.length;
}
