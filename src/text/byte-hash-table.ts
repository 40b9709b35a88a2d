/**
 * The tagger's table of distinct pieces (runs of characters between spaces) and their tokens,
 * keyed by the piece's UTF-8 bytes, so that a known piece costs no string.
 */
import { growInt32 } from "./grow-int32.js";

/** The table's hash of a piece: FNV-1a of its bytes, h = Math.imul(h ^ byte, FNV_PRIME) from FNV_OFFSET. */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

/**
 * A piece's entry (32 bytes): hash, length, its token: the record id of a one-token piece, or ~p
 * for another, whose token count is pool[p] and records follow it; then its bytes, four to an
 * int (little end first, zeros after the last), or where its bytes start in `chars` when it is
 * longer than INLINE_BYTES.
 */
export const PIECE_STRIDE = 8;
export const PIECE_HASH = 0;
export const PIECE_LENGTH = 1;
export const PIECE_TOKENS = 2;
export const PIECE_BYTES = 3;
export const INLINE_BYTES = 4 * (PIECE_STRIDE - PIECE_BYTES);

/**
 * Distinct pieces and their tokens (record ids), found by hashing the piece's UTF-8 bytes in the
 * caption, so a known piece costs no string. Open addressing with linear probing, the entries in
 * the table itself: a piece's fields and, up to INLINE_BYTES, its bytes lie together in 32 bytes,
 * so finding a known word reads one memory line of the table.
 */
export class PieceTable {
  size = 0;
  /** Entry of slot s: table[s * PIECE_STRIDE + PIECE_*]; an empty slot has length 0. */
  table: Int32Array = new Int32Array(PIECE_STRIDE << 14);
  /** The table's slot count less one (slots are a power of two). */
  private mask = (1 << 14) - 1;
  /** The bytes of pieces longer than INLINE_BYTES, one after another. */
  private chars: Uint8Array = new Uint8Array(1 << 12);
  private charsUsed = 0;
  /** The token counts and records of pieces of other than one token. */
  pool: Int32Array = new Int32Array(1 << 12);
  private poolUsed = 0;

  /** The slot holding bytes[at, at + length) (whose hash is `hash`), or -1. */
  find(bytes: Uint8Array, at: number, length: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = s * PIECE_STRIDE;
      const len = table[e + PIECE_LENGTH]!;
      if (len === 0) return -1;
      if (len === length && table[e + PIECE_HASH] === hash) {
        let q = 0;
        if (length <= INLINE_BYTES) {
          while (q < length && ((table[e + PIECE_BYTES + (q >> 2)]! >>> ((q & 3) << 3)) & 0xff) === bytes[at + q]) q++;
        } else {
          const chars = this.chars;
          const from = table[e + PIECE_BYTES]!;
          while (q < length && chars[from + q] === bytes[at + q]) q++;
        }
        if (q === length) return s;
      }
    }
  }

  /** Adds bytes[at, at + length), hashing to `hash`, with its tokens' records; returns its slot. */
  add(bytes: Uint8Array, at: number, length: number, hash: number, records: number[]): number {
    if ((this.size + 1) * 4 > 3 * (this.table.length / PIECE_STRIDE)) this.rehash((2 * this.table.length) / PIECE_STRIDE);
    this.size++;
    const table = this.table;
    const mask = this.mask;
    let s = hash & mask;
    while (table[s * PIECE_STRIDE + PIECE_LENGTH] !== 0) s = (s + 1) & mask;
    const e = s * PIECE_STRIDE;
    table[e + PIECE_HASH] = hash;
    table[e + PIECE_LENGTH] = length;
    if (length <= INLINE_BYTES) {
      for (let q = 0; q < length; q++) table[e + PIECE_BYTES + (q >> 2)]! |= bytes[at + q]! << ((q & 3) << 3);
    } else {
      if (this.charsUsed + length > this.chars.length) {
        const c = new Uint8Array(Math.max(this.chars.length * 2, this.charsUsed + length));
        c.set(this.chars);
        this.chars = c;
      }
      table[e + PIECE_BYTES] = this.charsUsed;
      this.chars.set(bytes.subarray(at, at + length), this.charsUsed);
      this.charsUsed += length;
    }
    if (records.length === 1) {
      table[e + PIECE_TOKENS] = records[0]!;
    } else {
      if (this.poolUsed + records.length + 1 > this.pool.length) this.pool = growInt32(this.pool, this.poolUsed + records.length + 1);
      table[e + PIECE_TOKENS] = ~this.poolUsed;
      this.pool[this.poolUsed++] = records.length;
      for (const r of records) this.pool[this.poolUsed++] = r;
    }
    return s;
  }

  clear(): void {
    this.size = 0;
    this.table = new Int32Array(PIECE_STRIDE << 14);
    this.mask = (1 << 14) - 1;
    this.charsUsed = 0;
    this.poolUsed = 0;
  }

  /** Moves every entry to a table of `capacity` slots. */
  private rehash(capacity: number): void {
    const old = this.table;
    const table = new Int32Array(capacity * PIECE_STRIDE);
    const mask = capacity - 1;
    for (let e = 0; e < old.length; e += PIECE_STRIDE) {
      if (old[e + PIECE_LENGTH] === 0) continue;
      let s = old[e + PIECE_HASH]! & mask;
      while (table[s * PIECE_STRIDE + PIECE_LENGTH] !== 0) s = (s + 1) & mask;
      table.set(old.subarray(e, e + PIECE_STRIDE), s * PIECE_STRIDE);
    }
    this.table = table;
    this.mask = mask;
  }
}
