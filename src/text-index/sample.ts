/**
 * Sampled indexes (`index build --sample RATE --seed S`): a seeded Bernoulli sample of the input rows.
 *
 * Row g (the g-th row read, 0-based, over all inputs in the order given: the doc id it would have in
 * a full index) is kept when u(seed, g) < rate, u being a hash of (seed, g) mapped to [0, 1). The
 * choice depends on nothing else — not the worker count, the batch size or the input format — so the
 * same inputs, rate and seed give the same sample, and every row is kept with probability `rate`
 * independently of the others (a Bernoulli sample; its size is random, about rate × rows).
 *
 * The hash is MurmurHash3 (x86, 32-bit) of the four 32-bit words (seed low, seed high, g low, g high)
 * with hash seed 0; u = hash / 2^32.
 *
 * Kept rows get dense doc ids 0, 1, 2, ... in input order; a row's number in the inputs is not kept.
 */
import { UserError } from "../errors.js";
import type { CaptionBytes, MalformedKind } from "../corpus/record.js";

/** What a sampled index's manifest records (manifest field `sample`; absent for a full index). */
export interface SampleInfo {
  /** The probability with which each row was kept, in (0, 1]. */
  rate: number;
  /** The seed of the row hash. */
  seed: number;
  /** Rows read from the inputs (kept or not): the full corpus's row count. */
  rowsSeen: number;
  /** How the sample was drawn and what doc ids mean (fixed strings, for readers of the manifest). */
  method: typeof SAMPLE_METHOD;
  docIds: typeof SAMPLE_DOC_IDS;
}

export const SAMPLE_METHOD = "bernoulli-murmur3-row";
export const SAMPLE_DOC_IDS = "dense-over-sampled-rows";

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixWord(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3_x86_32 of four 32-bit words (16 bytes, little-endian), hash seed 0, unsigned. */
export function murmur3Words(a: number, b: number, c: number, d: number): number {
  let h = 0;
  h = mixWord(h, a);
  h = mixWord(h, b);
  h = mixWord(h, c);
  h = mixWord(h, d);
  h ^= 16;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO32 = 0x100000000;

/** u(seed, row) in [0, 1): the uniform number that decides whether row `row` is in the sample. */
export function sampleUniform(seed: number, row: number): number {
  return murmur3Words(seed % TWO32, Math.floor(seed / TWO32), row % TWO32, Math.floor(row / TWO32)) / TWO32;
}

/** Checks a sample rate: a number in (0, 1]. */
export function checkSampleRate(rate: unknown): number {
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0 || rate > 1) {
    throw new UserError(`a sample rate must be a number in (0, 1] (a fraction of the rows, e.g. 0.01), not ${String(rate)}.`);
  }
  return rate;
}

/** Checks a sample seed: a non-negative safe integer. */
export function checkSampleSeed(seed: unknown): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw new UserError(`a sample seed must be a non-negative integer, not ${String(seed)}.`);
  }
  return seed;
}

/** Decides, row after row in input order, which rows are in the sample. */
export class RowSampler {
  /** Rows seen so far (the next row's global number). */
  seen = 0;
  constructor(
    readonly rate: number,
    readonly seed: number,
  ) {
    checkSampleRate(rate);
    checkSampleSeed(seed);
  }

  /** Whether the next row is kept (advances by one row). */
  keep(): boolean {
    return sampleUniform(this.seed, this.seen++) < this.rate;
  }

  /** The kept rows of a batch read as bytes, in order (a new batch; `b` is not changed). */
  takeBytes(b: CaptionBytes): CaptionBytes {
    const keptRows: number[] = [];
    for (let k = 0; k < b.rows; k++) if (this.keep()) keptRows.push(k);
    if (keptRows.length === b.rows) return b;
    let size = 0;
    for (const k of keptRows) size += b.ends[k]! - (k === 0 ? 0 : b.ends[k - 1]!);
    const bytes = new Uint8Array(size);
    const ends = new Uint32Array(keptRows.length);
    let malformed: Map<number, MalformedKind> | undefined;
    let at = 0;
    for (const [j, k] of keptRows.entries()) {
      const start = k === 0 ? 0 : b.ends[k - 1]!;
      bytes.set(b.bytes.subarray(start, b.ends[k]!), at);
      at += b.ends[k]! - start;
      ends[j] = at;
      const kind = b.malformed?.get(k);
      if (kind) (malformed ??= new Map()).set(j, kind);
    }
    return { rows: keptRows.length, bytes, ends, malformed };
  }

  info(): SampleInfo {
    return { rate: this.rate, seed: this.seed, rowsSeen: this.seen, method: SAMPLE_METHOD, docIds: SAMPLE_DOC_IDS };
  }
}

/** A sample rate as a percentage: 0.1 -> "10%", 0.0025 -> "0.25%". */
export function formatRate(rate: number): string {
  return `${Number((rate * 100).toPrecision(6))}%`;
}
