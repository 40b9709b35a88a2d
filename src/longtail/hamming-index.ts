/**
 * Radius search over binary hashes by multi-index hashing (Norouzi, Punjani & Fleet, 2012).
 *
 * The B bits are split into m contiguous bands. If two hashes are within Hamming distance d, then by
 * the pigeonhole principle at least one band differs in at most ⌊d/m⌋ bits. Each band has a hash
 * table from the band's value to the ids having it; a query probes, in every band, all values within
 * ⌊d/m⌋ bits of its own band and verifies each candidate with the full distance. (With m = d+1 bands
 * this is the "share one band exactly" rule; fewer, wider bands with a small probe radius are usually
 * cheaper.) m is chosen from the number of hashes to minimise probes + expected candidates for
 * uniformly random hashes; when a linear scan would be cheaper (few hashes, or a radius near B/2),
 * the index scans instead. Results are exact either way.
 */
/** Number of set bits of a 32-bit value. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance between two hashes of the same size (MSB-first 32-bit words). */
export function hammingDistance(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new Error(`hash sizes differ: ${a.length * 32} vs ${b.length * 32} bits`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += popcount32((a[i]! ^ b[i]!) >>> 0);
  return d;
}

export interface HammingMatch {
  id: number;
  distance: number;
}

interface Band {
  start: number;
  width: number;
}

/** Σ_{i ≤ r} C(w, i): how many values lie within r bits of a w-bit value. */
function ballSize(w: number, r: number): number {
  let total = 0;
  let c = 1;
  for (let i = 0; i <= Math.min(r, w); i++) {
    total += c;
    c = (c * (w - i)) / (i + 1);
  }
  return total;
}

function splitBands(bits: number, m: number): Band[] {
  const bands: Band[] = [];
  let start = 0;
  for (let b = 0; b < m; b++) {
    const width = Math.floor(bits / m) + (b < bits % m ? 1 : 0);
    bands.push({ start, width });
    start += width;
  }
  return bands;
}

/** Reads `width` (≤ 32) bits starting at bit `start` (0 = most significant bit of word 0). */
function bandValue(words: Uint32Array, offset: number, start: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) {
    const p = start + i;
    v = v * 2 + ((words[offset + (p >>> 5)]! >>> (31 - (p & 31))) & 1);
  }
  return v;
}

/** All w-bit masks with at most r bits set (0 first). */
function flipMasks(w: number, r: number): number[] {
  const out: number[] = [0];
  const rec = (from: number, left: number, mask: number): void => {
    for (let b = from; b < w; b++) {
      const m = (mask | (2 ** b)) >>> 0;
      out.push(m);
      if (left > 1) rec(b + 1, left - 1, m);
    }
  };
  if (r > 0) rec(0, r, 0);
  return out;
}

/**
 * A band's table from band value to ids. Bands up to DENSE_MAX_WIDTH bits use a dense CSR layout
 * (offsets by value into one id array: a probe is two array reads); wider bands (256-bit hashes)
 * use a Map of buckets.
 */
type BandTable = { offsets: Int32Array; ids: Int32Array } | { offsets?: undefined; buckets: Map<number, number[]> };

const DENSE_MAX_WIDTH = 20;

function denseTable(values: Uint32Array, width: number): BandTable {
  const offsets = new Int32Array(2 ** width + 1);
  for (const v of values) offsets[v + 1]!++;
  for (let i = 1; i < offsets.length; i++) offsets[i]! += offsets[i - 1]!;
  const fill = offsets.slice(0, -1);
  const ids = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) ids[fill[values[i]!]!++] = i;
  return { offsets, ids };
}

function sparseTable(values: Uint32Array): BandTable {
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < values.length; i++) {
    const list = buckets.get(values[i]!);
    if (list) list.push(i);
    else buckets.set(values[i]!, [i]);
  }
  return { buckets };
}

/** Per-query work charged for verifying one candidate, relative to one table probe. */
const CANDIDATE_COST = 1;

export class HammingIndex {
  readonly bits: number;
  readonly radius: number;
  readonly size: number;
  /** Bands used, or empty when the index scans linearly. */
  readonly bands: readonly Band[];
  private readonly wordsPer: number;
  private readonly store: Uint32Array;
  private readonly tables: BandTable[];
  private readonly masks: number[][];
  private readonly stamp: Int32Array;
  private query = 0;
  /** Full-distance verifications done by all searches so far (a measure of work, for tests and benches). */
  verified = 0;

  /**
   * Indexes `hashes` (all of `bits` bits, given as MSB-first 32-bit words) for searches of radius
   * at most `radius`. Ids are the positions in `hashes`.
   */
  constructor(hashes: readonly Uint32Array[], bits: number, radius: number) {
    if (bits % 32 !== 0 || bits <= 0) throw new Error(`bits must be a positive multiple of 32, got ${bits}`);
    if (!Number.isInteger(radius) || radius < 0) throw new Error(`radius must be a non-negative integer, got ${radius}`);
    this.bits = bits;
    this.radius = radius;
    this.size = hashes.length;
    this.wordsPer = bits / 32;
    this.store = new Uint32Array(hashes.length * this.wordsPer);
    hashes.forEach((h, i) => {
      if (h.length !== this.wordsPer) throw new Error(`hash ${i} has ${h.length * 32} bits, expected ${bits}`);
      this.store.set(h, i * this.wordsPer);
    });
    this.stamp = new Int32Array(hashes.length);
    this.bands = HammingIndex.chooseBands(bits, radius, hashes.length);
    const probeRadius = this.bands.length ? Math.floor(radius / this.bands.length) : 0;
    const maskCache = new Map<number, number[]>();
    this.masks = this.bands.map((b) => {
      let m = maskCache.get(b.width);
      if (!m) maskCache.set(b.width, (m = flipMasks(b.width, probeRadius)));
      return m;
    });
    this.tables = this.bands.map((band) => {
      const values = new Uint32Array(hashes.length);
      for (let i = 0; i < hashes.length; i++) values[i] = bandValue(this.store, i * this.wordsPer, band.start, band.width);
      return band.width <= DENSE_MAX_WIDTH ? denseTable(values, band.width) : sparseTable(values);
    });
  }

  /** The band split with the least expected work per query, or [] when a linear scan is cheaper. */
  static chooseBands(bits: number, radius: number, n: number): Band[] {
    let best: Band[] = [];
    let bestCost = n * CANDIDATE_COST;
    const minM = Math.ceil(bits / 32);
    const maxM = Math.max(minM, Math.min(bits, radius + 1));
    for (let m = minM; m <= maxM; m++) {
      const bands = splitBands(bits, m);
      const r = Math.floor(radius / m);
      let cost = 0;
      for (const b of bands) {
        const probes = ballSize(b.width, r);
        cost += probes + probes * (n / 2 ** b.width) * CANDIDATE_COST;
      }
      if (cost < bestCost) {
        bestCost = cost;
        best = bands;
      }
    }
    return best;
  }

  /** The words of hash `id`. */
  hash(id: number): Uint32Array {
    return this.store.subarray(id * this.wordsPer, (id + 1) * this.wordsPer);
  }

  private distanceTo(q: Uint32Array, id: number): number {
    let d = 0;
    const o = id * this.wordsPer;
    for (let w = 0; w < this.wordsPer; w++) d += popcount32((q[w]! ^ this.store[o + w]!) >>> 0);
    return d;
  }

  /** Every indexed hash within `radius` (default: the index's radius) of `q`, by ascending id. */
  search(q: Uint32Array, radius: number = this.radius): HammingMatch[] {
    if (q.length !== this.wordsPer) throw new Error(`query has ${q.length * 32} bits, expected ${this.bits}`);
    if (radius > this.radius) throw new Error(`search radius ${radius} exceeds the index radius ${this.radius}`);
    const out: HammingMatch[] = [];
    if (this.bands.length === 0) {
      this.verified += this.size;
      for (let id = 0; id < this.size; id++) {
        const d = this.distanceTo(q, id);
        if (d <= radius) out.push({ id, distance: d });
      }
      return out;
    }
    if (++this.query === 0x7fffffff) {
      this.stamp.fill(0);
      this.query = 1;
    }
    const s = this.query;
    for (let b = 0; b < this.bands.length; b++) {
      const band = this.bands[b]!;
      const table = this.tables[b]!;
      const v = bandValue(q, 0, band.start, band.width);
      for (const mask of this.masks[b]!) {
        const key = (v ^ mask) >>> 0;
        let from: number;
        let to: number;
        let ids: Int32Array | number[];
        if (table.offsets) {
          from = table.offsets[key]!;
          to = table.offsets[key + 1]!;
          ids = table.ids;
        } else {
          const list = table.buckets.get(key);
          if (!list) continue;
          from = 0;
          to = list.length;
          ids = list;
        }
        for (let k = from; k < to; k++) {
          const id = ids[k]!;
          if (this.stamp[id] === s) continue;
          this.stamp[id] = s;
          this.verified++;
          const d = this.distanceTo(q, id);
          if (d <= radius) out.push({ id, distance: d });
        }
      }
    }
    out.sort((a, b) => a.id - b.id);
    return out;
  }
}
