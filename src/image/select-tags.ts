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

/** Reusable candidate buffers for one row. */
class Candidates {
  idx = new Int32Array(64);
  val = new Float64Array(64);

  grow(): void {
    const idx = new Int32Array(this.idx.length * 2);
    idx.set(this.idx);
    this.idx = idx;
    const val = new Float64Array(this.val.length * 2);
    val.set(this.val);
    this.val = val;
  }
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
  const buf = new Candidates();
  for (let i = 0; i < n; i++) {
    const off = i * m;
    // 1. Candidates: every concept whose score may reach the lowest threshold.
    let c = 0;
    for (let j = 0; j < m; j++) {
      const s = scores[off + j]!;
      if (s >= lo) {
        if (c === buf.idx.length) buf.grow();
        buf.idx[c] = j;
        buf.val[c] = s;
        c++;
      }
    }
    if (c === 0) continue;
    const cand = buf.idx;
    const val = buf.val;
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
