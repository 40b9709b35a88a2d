/**
 * The captions kept beside an index, addressable by doc id:
 *   captions.txt     every caption as UTF-8, one after another (no separators)
 *   captions.offsets u64 little-endian byte offsets, docCount + 1 of them (caption d is [o[d], o[d+1]))
 * Malformed rows are stored as empty captions so ids stay dense.
 */
import { closeSync, fstatSync, openSync, writeSync } from "node:fs";
import { closeFiles, namingPath, openFilesForWriting } from "../io/file-system.js";
import { DamagedFileError, readExact } from "../postings/posting-file.js";

export class CaptionStoreWriter {
  private readonly textFd: number;
  private readonly offsetFd: number;
  /** u64 offsets as (low, high) u32 pairs: little-endian u64 without BigInt on the hot path. */
  private offsets = new Uint32Array(2 * 65536);
  private nOffsets = 0;
  private position = 0;

  constructor(
    private readonly textPath: string,
    private readonly offsetsPath: string,
  ) {
    [this.textFd, this.offsetFd] = openFilesForWriting([textPath, offsetsPath]) as [number, number];
    this.pushOffset(0);
  }

  private pushOffset(o: number): void {
    const k = 2 * this.nOffsets++;
    this.offsets[k] = o % 0x100000000;
    this.offsets[k + 1] = Math.floor(o / 0x100000000);
    if (2 * this.nOffsets === this.offsets.length) this.flushOffsets();
  }

  private flushOffsets(): void {
    namingPath(this.offsetsPath, () => writeSync(this.offsetFd, new Uint8Array(this.offsets.buffer, 0, this.nOffsets * 8)));
    this.nOffsets = 0;
  }

  /**
   * Adds captions given as UTF-8 bytes: caption k is bytes[ends[k - 1] (0 for k = 0), ends[k])
   * (empty for a malformed row). The bytes are written now, so the caller may hand them on.
   */
  addBytes(bytes: Uint8Array, ends: Uint32Array): void {
    for (let k = 0; k < ends.length; k++) this.pushOffset(this.position + ends[k]!);
    this.position += bytes.length;
    namingPath(this.textPath, () => {
      for (let written = 0; written < bytes.length; ) written += writeSync(this.textFd, bytes, written);
    });
  }

  private get files(): { fd: number; path: string }[] {
    return [
      { fd: this.textFd, path: this.textPath },
      { fd: this.offsetFd, path: this.offsetsPath },
    ];
  }

  /** Writes the offsets still held and closes both files (both closed, whatever fails). */
  close(): void {
    try {
      this.flushOffsets();
    } catch (e) {
      closeFiles(this.files, false);
      throw e;
    }
    closeFiles(this.files, true);
  }

  /** Closes both files after a failure, writing nothing more and throwing nothing. */
  abort(): void {
    closeFiles(this.files, false);
  }
}

/**
 * The captions, read by doc id. On open: the offsets file holds docCount + 1 offsets, the first 0
 * and the last the text's size; each caption read checks its own bounds. A DamagedFileError
 * otherwise, naming the file in the words `where` gives (a function of the file's name).
 */
export class CaptionStore {
  private readonly textFd: number;
  private readonly offsetFd: number;
  private readonly textBytes: number;

  constructor(
    private readonly textPath: string,
    private readonly offsetsPath: string,
    readonly docCount: number,
    private readonly where: (path: string) => string = (path) => `caption file ${path} is damaged`,
  ) {
    this.textFd = openSync(textPath, "r");
    try {
      this.offsetFd = openSync(offsetsPath, "r");
    } catch (e) {
      closeSync(this.textFd);
      throw e;
    }
    try {
      this.textBytes = fstatSync(this.textFd).size;
      const offsetBytes = fstatSync(this.offsetFd).size;
      const expected = (docCount + 1) * 8;
      if (offsetBytes !== expected) throw this.damaged(offsetsPath, `it is ${offsetBytes} bytes, not ${expected} (${docCount + 1} offsets for ${docCount} docs)`);
      const first = this.offset(0);
      const last = this.offset(docCount);
      if (first !== 0 || last !== this.textBytes) {
        throw this.damaged(offsetsPath, `its offsets run from ${first} to ${last}, not from 0 to ${this.textBytes} (the size of the captions)`);
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private damaged(path: string, problem: string): DamagedFileError {
    return new DamagedFileError(this.where(path), problem);
  }

  /** Offset k, as read. */
  private offset(k: number): number {
    const o = Buffer.alloc(8);
    readExact(this.offsetFd, o, 8, k * 8, (p) => this.damaged(this.offsetsPath, p));
    return Number(o.readBigUInt64LE(0));
  }

  caption(doc: number): string {
    if (!Number.isInteger(doc) || doc < 0 || doc >= this.docCount) throw new RangeError(`doc ${doc} out of range`);
    const o = Buffer.alloc(16);
    readExact(this.offsetFd, o, 16, doc * 8, (p) => this.damaged(this.offsetsPath, p));
    const start = Number(o.readBigUInt64LE(0));
    const end = Number(o.readBigUInt64LE(8));
    if (start > end || end > this.textBytes) throw this.damaged(this.offsetsPath, `doc ${doc}'s caption runs from byte ${start} to ${end}, outside the captions' ${this.textBytes} bytes`);
    const b = Buffer.alloc(end - start);
    readExact(this.textFd, b, b.length, start, (p) => this.damaged(this.textPath, p));
    return b.toString("utf8");
  }

  /** Checks that all offsets ascend (reads the whole offsets file; for `index verify`). */
  checkOffsets(): void {
    const buf = Buffer.alloc(1 << 20);
    let prev = 0;
    for (let k = 0; k <= this.docCount; ) {
      const n = Math.min(buf.length / 8, this.docCount + 1 - k);
      readExact(this.offsetFd, buf, n * 8, k * 8, (p) => this.damaged(this.offsetsPath, p));
      for (let j = 0; j < n; j++) {
        const o = Number(buf.readBigUInt64LE(j * 8));
        if (o < prev) throw this.damaged(this.offsetsPath, `offset ${k + j} (${o}) is below the one before it (${prev})`);
        prev = o;
      }
      k += n;
    }
  }

  close(): void {
    closeSync(this.textFd);
    closeSync(this.offsetFd);
  }
}
