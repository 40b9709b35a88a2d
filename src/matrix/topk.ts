/**
 * Top-k selection with one deterministic order: higher score first, and between equal scores the
 * lower index first. NaN counts as lower than every number.
 */

/** Whether (sa, ia) ranks before (sb, ib): higher score, then lower index. */
export function ranksBefore(sa: number, ia: number, sb: number, ib: number): boolean {
  const a = sa !== sa ? -Infinity : sa;
  const b = sb !== sb ? -Infinity : sb;
  return a > b || (a === b && ia < ib);
}

/**
 * The k best positions of `scores[offset .. offset + length)`, best first, as indices relative to
 * `offset`. Returns min(k, length) indices.
 */
export function topK(scores: ArrayLike<number>, k: number, offset = 0, length = scores.length - offset): Int32Array {
  const kk = Math.max(0, Math.min(k, length));
  const idx = new Int32Array(kk);
  if (kk === 0) return idx;
  const val = new Float64Array(kk);
  let size = 0;
  let j = 0;
  // Fill: the first kk positions, insertion-sorted (NaN ranks as -Infinity; stable for equal scores).
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
  // Scan: indices only grow, so an equal score never displaces a kept one; NaN > x is false.
  let worst = val[kk - 1]!;
  for (; j < length; j++) {
    const s = scores[offset + j]!;
    if (!(s > worst)) continue;
    let p = kk - 1;
    while (p > 0 && s > val[p - 1]!) {
      val[p] = val[p - 1]!;
      idx[p] = idx[p - 1]!;
      p--;
    }
    val[p] = s;
    idx[p] = j;
    worst = val[kk - 1]!;
  }
  return idx;
}

/**
 * Keeps the k best (score, index) pairs of each of `rows` rows while candidates arrive in any order
 * and in any number of batches (e.g. column chunks of a similarity matrix too wide for memory).
 */
export class RunningTopK {
  readonly rows: number;
  readonly k: number;
  private readonly val: Float64Array;
  private readonly idx: Int32Array;
  private readonly size: Int32Array;

  constructor(rows: number, k: number) {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(k) || k < 0) throw new RangeError("rows and k must be non-negative integers");
    this.rows = rows;
    this.k = k;
    this.val = new Float64Array(rows * k);
    this.idx = new Int32Array(rows * k);
    this.size = new Int32Array(rows);
  }

  /** Offers one candidate for a row. */
  push(row: number, score: number, index: number): void {
    const k = this.k;
    if (k === 0) return;
    const s = score !== score ? -Infinity : score;
    const base = row * k;
    let size = this.size[row]!;
    if (size === k) {
      const ws = this.val[base + k - 1]!;
      const wi = this.idx[base + k - 1]!;
      if (!(s > ws || (s === ws && index < wi))) return;
      size--;
    }
    let p = size;
    while (p > 0) {
      const ps = this.val[base + p - 1]!;
      const pi = this.idx[base + p - 1]!;
      if (!(s > ps || (s === ps && index < pi))) break;
      this.val[base + p] = ps;
      this.idx[base + p] = pi;
      p--;
    }
    this.val[base + p] = s;
    this.idx[base + p] = index;
    this.size[row] = size + 1;
  }

  /**
   * Offers `length` consecutive candidates `scores[offset + j]` for a row, with indices `indexBase + j`.
   */
  pushRow(row: number, scores: ArrayLike<number>, offset: number, length: number, indexBase: number): void {
    const k = this.k;
    if (k === 0) return;
    const base = row * k;
    for (let j = 0; j < length; j++) {
      const s = scores[offset + j]!;
      if (this.size[row] === k) {
        const ws = this.val[base + k - 1]!;
        if (s < ws || (s === ws && indexBase + j > this.idx[base + k - 1]!)) continue; // fast reject
      }
      this.push(row, s, indexBase + j);
    }
  }

  /** The row's kept indices, best first. */
  indices(row: number): Int32Array {
    return this.idx.slice(row * this.k, row * this.k + this.size[row]!);
  }

  /** The row's kept scores, best first (NaN reported as -Infinity). */
  scores(row: number): Float64Array {
    return this.val.slice(row * this.k, row * this.k + this.size[row]!);
  }
}
