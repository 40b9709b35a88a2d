/**
 * The captions kept beside an index, addressable by doc id:
 *   captions.txt     every caption as UTF-8, one after another (no separators)
 *   captions.offsets u64 little-endian byte offsets, docCount + 1 of them (caption d is [o[d], o[d+1]))
 * Malformed rows are stored as empty captions so ids stay dense.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";

export class CaptionStoreWriter {
  private readonly textFd: number;
  private readonly offsetFd: number;
  /** u64 offsets as (low, high) u32 pairs: little-endian u64 without BigInt on the hot path. */
  private offsets = new Uint32Array(2 * 65536);
  private nOffsets = 0;
  private position = 0;

  constructor(textPath: string, offsetsPath: string) {
    this.textFd = openSync(textPath, "w");
    this.offsetFd = openSync(offsetsPath, "w");
    this.pushOffset(0);
  }

  private pushOffset(o: number): void {
    const k = 2 * this.nOffsets++;
    this.offsets[k] = o % 0x100000000;
    this.offsets[k + 1] = Math.floor(o / 0x100000000);
    if (2 * this.nOffsets === this.offsets.length) this.flushOffsets();
  }

  private flushOffsets(): void {
    writeSync(this.offsetFd, new Uint8Array(this.offsets.buffer, 0, this.nOffsets * 8));
    this.nOffsets = 0;
  }

  /**
   * Adds captions given as UTF-8 bytes: caption k is bytes[ends[k - 1] (0 for k = 0), ends[k])
   * (empty for a malformed row). The bytes are written now, so the caller may hand them on.
   */
  addBytes(bytes: Uint8Array, ends: Uint32Array): void {
    for (let k = 0; k < ends.length; k++) this.pushOffset(this.position + ends[k]!);
    this.position += bytes.length;
    for (let written = 0; written < bytes.length; ) written += writeSync(this.textFd, bytes, written);
  }

  close(): void {
    this.flushOffsets();
    closeSync(this.textFd);
    closeSync(this.offsetFd);
  }
}

/**
 * Captions given joined (caption k is the next lengths[k] UTF-16 units of `joined`) as UTF-8 bytes
 * and each caption's end offset in them, as addBytes takes them. The batch is encoded once; when
 * it is all ASCII (the usual case) byte offsets are the character offsets, otherwise each
 * caption's UTF-8 length is measured. A lone surrogate becomes U+FFFD. The bytes have an
 * ArrayBuffer of their own (never a slice of Node's shared pool), so they can be transferred.
 */
export function encodeCaptions(joined: string, lengths: ArrayLike<number>): { bytes: Uint8Array; ends: Uint32Array } {
  let bytes = Buffer.from(joined, "utf8");
  const ends = new Uint32Array(lengths.length);
  if (bytes.length === joined.length) {
    for (let k = 0, end = 0; k < lengths.length; k++) ends[k] = end += lengths[k]!;
    return { bytes: ownBuffer(bytes), ends };
  }
  for (let k = 0, at = 0, end = 0; k < lengths.length; at += lengths[k++]!) ends[k] = end += utf8Length(joined, at, at + lengths[k]!);
  if (ends.length > 0 && ends[ends.length - 1] !== bytes.length) {
    // a lone high surrogate ending one caption and a lone low one starting the next were
    // encoded as one pair: encode the captions one by one, as they are read back
    const parts: Buffer[] = [];
    for (let k = 0, at = 0; k < lengths.length; at += lengths[k++]!) parts.push(Buffer.from(joined.slice(at, at + lengths[k]!), "utf8"));
    bytes = Buffer.concat(parts);
  }
  return { bytes: ownBuffer(bytes), ends };
}

function ownBuffer(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.buffer.byteLength === b.length ? b : new Uint8Array(b);
}

/** The UTF-8 length of s[from, to) as Buffer.from encodes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string, from: number, to: number): number {
  let n = to - from;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2; // a surrogate pair: two units, four bytes
        i++;
        continue;
      }
    }
    n += 2; // three bytes
  }
  return n;
}

export class CaptionStore {
  private readonly textFd: number;
  private readonly offsetFd: number;

  constructor(
    textPath: string,
    offsetsPath: string,
    readonly docCount: number,
  ) {
    this.textFd = openSync(textPath, "r");
    this.offsetFd = openSync(offsetsPath, "r");
  }

  caption(doc: number): string {
    if (!Number.isInteger(doc) || doc < 0 || doc >= this.docCount) throw new RangeError(`doc ${doc} out of range`);
    const o = Buffer.alloc(16);
    readSync(this.offsetFd, o, 0, 16, doc * 8);
    const start = Number(o.readBigUInt64LE(0));
    const end = Number(o.readBigUInt64LE(8));
    const b = Buffer.alloc(end - start);
    let read = 0;
    while (read < b.length) read += readSync(this.textFd, b, read, b.length - read, start + read);
    return b.toString("utf8");
  }

  close(): void {
    closeSync(this.textFd);
    closeSync(this.offsetFd);
  }
}
