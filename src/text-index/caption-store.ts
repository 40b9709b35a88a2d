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
