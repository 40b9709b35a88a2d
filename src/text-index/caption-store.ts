/**
 * The captions kept beside an index, addressable by doc id, compressed in blocks:
 *   captions.blocks  block after block: block k holds docs [k * CAPTIONS_PER_BLOCK, (k + 1) *
 *                    CAPTIONS_PER_BLOCK) (the last one fewer), Brotli (RFC 7932, quality 0, text
 *                    mode) of: each caption's byte length as an unsigned LEB128 varint, then the
 *                    captions' UTF-8, one after another
 *   captions.offsets u64 little-endian byte offsets, blockCount + 1 of them: block k is [o[k], o[k+1]);
 *                    o[0] is 0 and o[blockCount] the file's size
 * Index format 4 (before 2026-12-04), still read: the file starts with a preset dictionary (the
 * first 16 or 32 KiB of the captions' UTF-8, o[0] its size) and each block is raw DEFLATE (RFC
 * 1951) with it as preset dictionary. Brotli at quality 0 compresses 2.6x faster than DEFLATE at
 * level 1 with a dictionary, for 12 more bytes a caption (docs/performance.md, 2026-12-04).
 * Malformed rows are stored as empty captions so ids stay dense. The blocks depend only on the
 * captions in doc order: the same inputs give the same bytes, whatever the worker count.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync, type BrotliOptions } from "node:zlib";
import { closeFiles, finishThenClose, openFilesForWriting, writeAllSync } from "../io/file-system.js";
import { DamagedFileError, readExact } from "../postings/posting-file.js";

/** Captions per block (since format version 4): a random read decompresses one block of about 8 KiB of text. */
export const CAPTIONS_PER_BLOCK = 64;
/** How a store's blocks are compressed: "brotli" (index format 5) or "deflate" with a preset dictionary (format 4). */
export type CaptionCodec = "brotli" | "deflate";
/** The preset dictionary's size at most that a reader of a format 4 store accepts: deflate's window. */
export const MAX_DICTIONARY_BYTES = 32768;

function brotliOptions(length: number): BrotliOptions {
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 0,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: length,
    },
  };
}

/** Number of blocks holding docCount captions. */
export function blockCount(docCount: number): number {
  return Math.ceil(docCount / CAPTIONS_PER_BLOCK);
}

/** Blocks cut and not yet compressed: block first + i is raw[ends[i - 1] (0 for i = 0), ends[i]). */
export interface RawBlocks {
  first: number;
  raw: Uint8Array;
  ends: Uint32Array;
}

/** Blocks compressed: block first + i is data[ends[i - 1] (0 for i = 0), ends[i]). */
export interface CompressedBlocks {
  first: number;
  data: Uint8Array;
  ends: Uint32Array;
}

/**
 * Compresses raw blocks as the store keeps them (Brotli, quality 0, text mode): on any thread, the
 * same bytes. The result's buffer is its own (it may be transferred between threads).
 */
export function compressBlocks(blocks: RawBlocks): CompressedBlocks {
  const parts: Buffer[] = [];
  const ends = new Uint32Array(blocks.ends.length);
  let size = 0;
  for (let i = 0, at = 0; i < blocks.ends.length; at = blocks.ends[i++]!) {
    const end = blocks.ends[i]!;
    const part = brotliCompressSync(blocks.raw.subarray(at, end), brotliOptions(end - at));
    parts.push(part);
    ends[i] = size += part.length;
  }
  const data = new Uint8Array(size);
  for (let i = 0, at = 0; i < parts.length; at = ends[i++]!) data.set(parts[i]!, at);
  return { first: blocks.first, data, ends };
}

export class CaptionStoreWriter {
  private readonly blocksFd: number;
  private readonly offsetFd: number;
  /** u64 offsets as (low, high) u32 pairs: little-endian u64 without BigInt on the hot path. */
  private offsets = new Uint32Array(2 * 65536);
  private nOffsets = 0;
  private position = 0;
  /** Captions held, not yet in a block: their bytes one after another and their lengths. */
  private held = new Uint8Array(1 << 16);
  private heldBytes = 0;
  private lengths = new Uint32Array(1024);
  private heldCount = 0;
  /** Blocks cut so far, and written so far (in block order). */
  private blocksCut = 0;
  private blocksWritten = 0;
  /** Blocks compressed elsewhere that came before the blocks ahead of them, by first block. */
  private readonly early = new Map<number, CompressedBlocks>();
  constructor(
    private readonly blocksPath: string,
    private readonly offsetsPath: string,
  ) {
    [this.blocksFd, this.offsetFd] = openFilesForWriting([blocksPath, offsetsPath]) as [number, number];
    this.pushOffset(0);
  }

  /**
   * Adds captions given as UTF-8 bytes: caption k is bytes[ends[k - 1] (0 for k = 0), ends[k])
   * (empty for a malformed row), compressing every block they complete now. The bytes are copied,
   * so the caller may hand them on.
   */
  addBytes(bytes: Uint8Array, ends: Uint32Array): void {
    const raw = this.cutRawBlocks(bytes, ends);
    if (raw) this.writeCompressed(compressBlocks(raw));
  }

  /**
   * addBytes without the compression: returns the blocks the captions complete (if any) raw, for
   * compressBlocks on another thread; they come back through writeCompressed.
   */
  cutRawBlocks(bytes: Uint8Array, ends: Uint32Array): RawBlocks | undefined {
    this.hold(bytes, ends);
    return this.cutBlocks(false);
  }

  /** Writes compressed blocks, given in any order: each in block order, once the blocks before it are written. */
  writeCompressed(blocks: CompressedBlocks): void {
    if (blocks.first !== this.blocksWritten) {
      this.early.set(blocks.first, blocks);
      return;
    }
    for (let next: CompressedBlocks | undefined = blocks; next; next = this.early.get(this.blocksWritten)) {
      this.early.delete(next.first);
      // (one write for the lot: the blocks lie one after another)
      const start = this.position;
      this.writeBytes(next.data);
      for (let i = 0; i < next.ends.length; i++) this.pushOffset(start + next.ends[i]!);
      this.blocksWritten += next.ends.length;
    }
  }

  private hold(bytes: Uint8Array, ends: Uint32Array): void {
    if (this.heldBytes + bytes.length > this.held.length) {
      const grown = new Uint8Array(Math.max(2 * this.held.length, this.heldBytes + bytes.length));
      grown.set(this.held.subarray(0, this.heldBytes));
      this.held = grown;
    }
    this.held.set(bytes, this.heldBytes);
    this.heldBytes += bytes.length;
    if (this.heldCount + ends.length > this.lengths.length) {
      const grown = new Uint32Array(Math.max(2 * this.lengths.length, this.heldCount + ends.length));
      grown.set(this.lengths.subarray(0, this.heldCount));
      this.lengths = grown;
    }
    for (let k = 0, at = 0; k < ends.length; at = ends[k++]!) this.lengths[this.heldCount++] = ends[k]! - at;
  }

  /** Cuts the full blocks held (and with `all`, the rest as the last block) and returns them raw (undefined: none). */
  private cutBlocks(all: boolean): RawBlocks | undefined {
    const nBlocks = all ? Math.ceil(this.heldCount / CAPTIONS_PER_BLOCK) : Math.floor(this.heldCount / CAPTIONS_PER_BLOCK);
    if (nBlocks === 0) return undefined;
    const nCaptions = Math.min(this.heldCount, nBlocks * CAPTIONS_PER_BLOCK);
    let textBytes = 0;
    let varintBytes = 0;
    for (let j = 0; j < nCaptions; j++) {
      textBytes += this.lengths[j]!;
      varintBytes += varintSize(this.lengths[j]!);
    }
    const raw = new Uint8Array(varintBytes + textBytes);
    const ends = new Uint32Array(nBlocks);
    let p = 0;
    let at = 0;
    for (let b = 0, from = 0; b < nBlocks; b++, from += CAPTIONS_PER_BLOCK) {
      const to = Math.min(from + CAPTIONS_PER_BLOCK, nCaptions);
      let blockText = 0;
      for (let j = from; j < to; j++) {
        const len = this.lengths[j]!;
        blockText += len;
        for (let v = len; ; v >>>= 7) {
          if (v < 0x80) {
            raw[p++] = v;
            break;
          }
          raw[p++] = (v & 0x7f) | 0x80;
        }
      }
      raw.set(this.held.subarray(at, at + blockText), p);
      p += blockText;
      at += blockText;
      ends[b] = p;
    }
    const blocks: RawBlocks = { first: this.blocksCut, raw, ends };
    this.blocksCut += nBlocks;
    // keep what is left (less than a block) at the front
    this.held.copyWithin(0, at, this.heldBytes);
    this.heldBytes -= at;
    this.lengths.copyWithin(0, nCaptions, this.heldCount);
    this.heldCount -= nCaptions;
    return blocks;
  }

  private writeBytes(bytes: Uint8Array): void {
    writeAllSync(this.blocksFd, this.blocksPath, bytes);
    this.position += bytes.length;
  }

  private pushOffset(o: number): void {
    const k = 2 * this.nOffsets++;
    this.offsets[k] = o % 0x100000000;
    this.offsets[k + 1] = Math.floor(o / 0x100000000);
    if (2 * this.nOffsets === this.offsets.length) this.flushOffsets();
  }

  private flushOffsets(): void {
    writeAllSync(this.offsetFd, this.offsetsPath, new Uint8Array(this.offsets.buffer, 0, this.nOffsets * 8));
    this.nOffsets = 0;
  }

  private get files(): { fd: number; path: string }[] {
    return [
      { fd: this.blocksFd, path: this.blocksPath },
      { fd: this.offsetFd, path: this.offsetsPath },
    ];
  }

  /** Writes the last block and the offsets still held and closes both files (both closed, whatever fails). */
  close(): void {
    finishThenClose(this.files, () => {
      const raw = this.cutBlocks(true);
      if (raw) this.writeCompressed(compressBlocks(raw));
      if (this.blocksWritten !== this.blocksCut) throw new Error(`caption store closed with blocks ${this.blocksWritten}..${this.blocksCut - 1} not written`);
      this.flushOffsets();
    });
  }

  /** Closes both files after a failure, writing nothing more and throwing nothing. */
  abort(): void {
    closeFiles(this.files, false);
  }
}

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** One block's captions, decompressed: caption j is text[starts[j], starts[j + 1]). */
export interface CaptionBlock {
  text: Buffer;
  starts: Uint32Array;
}

/**
 * The captions, read by doc id. On open: the offsets file holds blockCount + 1 offsets, the first
 * 0 (format 4: the dictionary's size, at most MAX_DICTIONARY_BYTES) and the last the blocks file's size; each block
 * read checks its own bounds, that it decompresses and that its caption lengths add up to its text.
 * A DamagedFileError otherwise, naming the file in the words `where` gives (a function of the file's
 * name). The last block read is kept, so reading consecutive docs decompresses each block once.
 */
export class CaptionStore {
  private readonly blocksFd: number;
  private readonly offsetFd: number;
  private readonly fileBytes: number;
  private readonly blocks: number;
  /** Where the blocks start: after format 4's dictionary, else 0. */
  private readonly dictionaryBytes: number;
  /** Format 4's preset dictionary. */
  private readonly dictionary: Buffer | undefined;
  private cachedBlock = -1;
  private cached: CaptionBlock | undefined;

  constructor(
    private readonly blocksPath: string,
    private readonly offsetsPath: string,
    readonly docCount: number,
    private readonly where: (path: string) => string = (path) => `caption file ${path} is damaged`,
    private readonly codec: CaptionCodec = "brotli",
  ) {
    this.blocksFd = openSync(blocksPath, "r");
    try {
      this.offsetFd = openSync(offsetsPath, "r");
    } catch (e) {
      closeSync(this.blocksFd);
      throw e;
    }
    try {
      this.blocks = blockCount(docCount);
      this.fileBytes = fstatSync(this.blocksFd).size;
      const offsetBytes = fstatSync(this.offsetFd).size;
      const expected = (this.blocks + 1) * 8;
      if (offsetBytes !== expected) {
        throw this.damaged(offsetsPath, `it is ${offsetBytes} bytes, not ${expected} (${this.blocks + 1} offsets for ${this.blocks} blocks of ${CAPTIONS_PER_BLOCK} of the ${docCount} docs)`);
      }
      const first = this.offset(0);
      const last = this.offset(this.blocks);
      if (codec === "brotli" ? first !== 0 || last !== this.fileBytes : first > MAX_DICTIONARY_BYTES || first > last || last !== this.fileBytes) {
        const from = codec === "brotli" ? "0" : `the dictionary's size (at most ${MAX_DICTIONARY_BYTES})`;
        throw this.damaged(offsetsPath, `its offsets run from ${first} to ${last}, not from ${from} to ${this.fileBytes} (the size of the captions)`);
      }
      this.dictionaryBytes = first;
      if (codec === "deflate" && first > 0) {
        this.dictionary = Buffer.alloc(first);
        readExact(this.blocksFd, this.dictionary, first, 0, (p) => this.damaged(this.blocksPath, p));
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
    const k = Math.floor(doc / CAPTIONS_PER_BLOCK);
    if (k !== this.cachedBlock) {
      this.cachedBlock = -1;
      this.cached = this.block(k);
      this.cachedBlock = k;
    }
    const { text, starts } = this.cached!;
    const j = doc - k * CAPTIONS_PER_BLOCK;
    return text.toString("utf8", starts[j], starts[j + 1]);
  }

  /** Block k, decompressed and checked (for reads, `index verify` and merges). */
  block(k: number): CaptionBlock {
    if (!Number.isInteger(k) || k < 0 || k >= this.blocks) throw new RangeError(`block ${k} out of range`);
    const o = Buffer.alloc(16);
    readExact(this.offsetFd, o, 16, k * 8, (p) => this.damaged(this.offsetsPath, p));
    const start = Number(o.readBigUInt64LE(0));
    const end = Number(o.readBigUInt64LE(8));
    return this.decode(k, start, end);
  }

  private decode(k: number, start: number, end: number): CaptionBlock {
    const firstDoc = k * CAPTIONS_PER_BLOCK;
    const n = Math.min(CAPTIONS_PER_BLOCK, this.docCount - firstDoc);
    const docs = `block ${k} (docs ${firstDoc} to ${firstDoc + n - 1})`;
    if (start < this.dictionaryBytes || start > end || end > this.fileBytes) {
      throw this.damaged(this.offsetsPath, `${docs} runs from byte ${start} to ${end}, outside the blocks' bytes ${this.dictionaryBytes} to ${this.fileBytes}`);
    }
    const packed = Buffer.alloc(end - start);
    readExact(this.blocksFd, packed, packed.length, start, (p) => this.damaged(this.blocksPath, p));
    let raw: Buffer;
    try {
      raw = this.codec === "brotli" ? brotliDecompressSync(packed) : inflateRawSync(packed, this.dictionary ? { dictionary: this.dictionary } : {});
    } catch {
      throw this.damaged(this.blocksPath, `${docs} does not decompress`);
    }
    const starts = new Uint32Array(n + 1);
    let p = 0;
    let total = 0;
    for (let j = 0; j < n; j++) {
      let len = 0;
      for (let shift = 0; ; shift += 7) {
        if (p >= raw.length || shift > 28) throw this.damaged(this.blocksPath, `${docs}'s caption lengths are cut short or malformed`);
        const b = raw[p++]!;
        len += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
      total += len;
      starts[j + 1] = total;
    }
    if (total !== raw.length - p) throw this.damaged(this.blocksPath, `${docs}'s caption lengths add up to ${total} bytes, but it holds ${raw.length - p}`);
    return { text: raw.subarray(p), starts };
  }

  /** Checks every block: offsets ascend, each decompresses and its lengths add up (for `index verify`). */
  checkAll(): void {
    const buf = Buffer.alloc(1 << 20);
    let prev = this.dictionaryBytes;
    for (let k = 0; k < this.blocks; ) {
      const n = Math.min(buf.length / 8 - 1, this.blocks - k);
      readExact(this.offsetFd, buf, (n + 1) * 8, k * 8, (p) => this.damaged(this.offsetsPath, p));
      for (let j = 0; j < n; j++) {
        const start = Number(buf.readBigUInt64LE(j * 8));
        const end = Number(buf.readBigUInt64LE(j * 8 + 8));
        if (start < prev) throw this.damaged(this.offsetsPath, `offset ${k + j} (${start}) is below the one before it (${prev})`);
        this.decode(k + j, start, end);
        prev = start;
      }
      k += n;
    }
  }

  close(): void {
    closeSync(this.blocksFd);
    closeSync(this.offsetFd);
  }
}
