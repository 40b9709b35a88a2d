/**
 * A posting file: term -> Roaring bitmap of doc ids, in Roaring's portable serialisation
 * (readable by CRoaring, Java, Go and Python `pyroaring` with `deserialize`).
 *
 * Layout (little-endian):
 *   magic "CFPOSTS\0" (8 bytes) | u32 format version | u32 term count | u64 byte offset of the data area
 *   | u32 CRC32 of the header's first 24 bytes and the term table | u32 zero
 *   term table, terms in ascending code-unit order, each:
 *     u16 term byte length | term UTF-8 | u64 absolute offset | u32 byte size | u32 cardinality
 *     | u32 CRC32 of the serialisation
 *   data area: the portable serialisations, one after another, in term order, nothing after them.
 *
 * The term table is read whole on open and checked (its CRC, bounds, order, contiguous offsets that
 * end at the file's end); each bitmap is checked when read (its CRC, its cardinality, its ids below
 * the reader's doc count). Damage is a DamagedFileError naming the file, never a hang or a wrong count.
 */
import { closeSync, fstatSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";
import { UserError } from "../errors.js";
import { closeFiles, namingPath } from "../io/file-system.js";
import { encodeJoined } from "../io/utf8.js";
import { PortableEncoder } from "./roaring-portable.js";
import { roaringBitmap32, type RoaringBitmap32 } from "./roaring.js";

const MAGIC = Buffer.from("CFPOSTS\0", "latin1");
export const POSTING_FORMAT_VERSION = 2;
const HEADER_SIZE = 8 + 4 + 4 + 8 + 4 + 4;
/** Bytes of a table entry besides the term: length, offset, size, cardinality, CRC. */
const ENTRY_FIXED = 2 + 8 + 4 + 4 + 4;
/** A writer holds up to this many bytes of serialisations before it moves them to a side file. */
const DATA_BUFFER_BYTES = 1 << 25;

/** Serialises a bitmap in the portable format, run-optimised (same set -> same bytes). */
export function serializePortable(bitmap: RoaringBitmap32): Buffer {
  bitmap.runOptimize();
  bitmap.shrinkToFit();
  return bitmap.serialize("portable") as Buffer;
}

export function deserializePortable(bytes: Uint8Array): RoaringBitmap32 {
  return roaringBitmap32().deserialize(bytes, "portable");
}

/**
 * Writes a posting file from terms given in ascending order (the caller sorts; this checks).
 * Each term's docs (a bitmap, or ascending ids) are serialised as they come, so the caller can
 * stream entries from a merge.
 */
export class PostingFileWriter {
  /** The terms added, with the byte size and cardinality of each one's bitmap. */
  private readonly terms: string[] = [];
  private readonly sizes: number[] = [];
  private readonly cards: number[] = [];
  private readonly crcs: number[] = [];
  private lastTerm: string | undefined;
  private dataBytes = 0;
  /** Serialisations not yet written, laid out one after another in one buffer. */
  private data = new Uint8Array(1 << 16);
  private dataUsed = 0;
  private readonly encoder = new PortableEncoder();

  /** `bufferBytes`: how much serialised data is held before it moves to a side file (for tests). */
  constructor(
    private readonly path: string,
    private readonly bufferBytes = DATA_BUFFER_BYTES,
  ) {}

  add(term: string, bitmap: RoaringBitmap32): void {
    const bytes = serializePortable(bitmap);
    const at = this.reserve(term, bytes.length, bitmap.size); // (may grow `data`: call it first)
    this.data.set(bytes, at);
    this.crcs.push(crc32(bytes));
  }

  /** Adds a term's docs given as ascending ids (written without a bitmap: see roaring-portable.ts). */
  addSorted(term: string, ids: Uint32Array): void {
    const at = this.reserve(term, this.encoder.measure(ids), ids.length); // (may grow `data`: call it first)
    this.encoder.write(this.data, at);
    this.crcs.push(crc32(this.data.subarray(at, this.dataUsed)));
  }

  /** Records the term's entry and returns where its `size` bytes go in `data`. */
  private reserve(term: string, size: number, cardinality: number): number {
    if (this.lastTerm !== undefined && !(term > this.lastTerm)) {
      throw new Error(`posting terms must be strictly ascending: "${term}" after "${this.lastTerm}"`);
    }
    this.lastTerm = term;
    this.terms.push(term);
    this.sizes.push(size);
    this.cards.push(cardinality);
    this.dataBytes += size;
    if (this.dataUsed + size > this.data.length) {
      if (this.dataUsed + size > this.bufferBytes) this.flushData();
      if (this.dataUsed + size > this.data.length) {
        let capacity = this.data.length * 2;
        while (capacity < this.dataUsed + size) capacity *= 2;
        const grown = new Uint8Array(capacity);
        grown.set(this.data.subarray(0, this.dataUsed));
        this.data = grown;
      }
    }
    const at = this.dataUsed;
    this.dataUsed += size;
    return at;
  }

  private tmpData: { fd: number; path: string } | undefined;

  /** Keeps memory bounded: past bufferBytes the data goes to a side file until close() stitches the file together. */
  private flushData(): void {
    if (this.dataUsed === 0) return;
    if (!this.tmpData) {
      const path = `${this.path}.data-tmp`;
      this.tmpData = { fd: openSync(path, "w"), path };
    }
    const side = this.tmpData;
    namingPath(side.path, () => writeSync(side.fd, this.data, 0, this.dataUsed));
    this.dataUsed = 0;
  }

  /** Writes the file to `path` (the caller renames the enclosing directory or file into place). */
  close(): { terms: number; bytes: number } {
    const { terms, sizes, cards, crcs } = this;
    // the terms' UTF-8, encoded at once
    const { bytes: termBytes, ends: termEnds } = encodeJoined(terms);
    const dataOffset = HEADER_SIZE + termBytes.length + ENTRY_FIXED * terms.length;
    const head = Buffer.alloc(dataOffset);
    MAGIC.copy(head, 0);
    head.writeUInt32LE(POSTING_FORMAT_VERSION, 8);
    head.writeUInt32LE(terms.length, 12);
    writeU64(head, 16, dataOffset);
    let p = HEADER_SIZE;
    let offset = dataOffset;
    for (let k = 0, from = 0; k < terms.length; k++) {
      const length = termEnds[k]! - from;
      if (length > 0xffff) throw new Error("term too long");
      head[p] = length;
      head[p + 1] = length >>> 8;
      p += 2;
      for (let i = 0; i < length; i++) head[p + i] = termBytes[from + i]!;
      from += length;
      p += length;
      writeU64(head, p, offset);
      writeU32(head, p + 8, sizes[k]!);
      writeU32(head, p + 12, cards[k]!);
      writeU32(head, p + 16, crcs[k]!);
      p += 20;
      offset += sizes[k]!;
    }
    writeU32(head, 24, crc32(head.subarray(HEADER_SIZE), crc32(head.subarray(0, 24))));
    const fd = openSync(this.path, "w");
    let done = false;
    try {
      namingPath(this.path, () => writeSync(fd, head));
      if (this.tmpData) {
        this.flushData();
        const side = this.tmpData;
        this.tmpData = undefined;
        try {
          closeFiles([side], true);
          namingPath(this.path, () => copyInto(side.path, fd));
        } finally {
          rmSync(side.path, { force: true });
        }
      }
      namingPath(this.path, () => writeSync(fd, this.data, 0, this.dataUsed));
      done = true;
    } finally {
      // closed whatever failed; a failed close is reported only when nothing failed before it
      closeFiles([{ fd, path: this.path }], done);
      if (this.tmpData) rmSync(this.tmpData.path, { force: true });
    }
    return { terms: terms.length, bytes: dataOffset + this.dataBytes };
  }
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

/** A little-endian u64 from a safe integer (no BigInt on the hot path). */
function writeU64(b: Uint8Array, at: number, v: number): void {
  writeU32(b, at, v % 0x100000000);
  writeU32(b, at + 4, Math.floor(v / 0x100000000));
}

function copyInto(srcPath: string, dstFd: number): void {
  const src = openSync(srcPath, "r");
  const buf = Buffer.allocUnsafe(1 << 22);
  try {
    for (;;) {
      const n = readSync(src, buf, 0, buf.length, null);
      if (n === 0) break;
      writeSync(dstFd, buf, 0, n);
    }
  } finally {
    closeSync(src);
  }
}


/**
 * A file found damaged: `where` says which file in whose words (e.g. "index DIR is damaged:
 * nouns.postings"), `problem` what is wrong. A UserError: the CLI prints one line and exits 2.
 */
export class DamagedFileError extends UserError {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}.`);
  }
}

/**
 * Reads exactly `length` bytes at `position` into buf[0, length): a read that ends early (the file
 * is shorter than its structure says) throws `damaged`, never loops.
 */
export function readExact(fd: number, buf: Uint8Array, length: number, position: number, damaged: (problem: string) => Error): void {
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buf, read, length - read, position + read);
    if (n === 0) throw damaged(`it ends at byte ${position + read}, before the ${length} bytes expected at byte ${position}`);
    read += n;
  }
}

/**
 * The term table, one slot per term in ascending order: looked up by binary search (a Map of
 * hundreds of thousands of terms costs more to build on open than every lookup of a count run).
 */
interface TermTable {
  terms: string[];
  offset: Float64Array;
  size: Uint32Array;
  cardinality: Uint32Array;
  crc: Uint32Array;
}

/** The term's slot in the table, or -1. */
function slotOf(t: TermTable, term: string): number {
  let lo = 0;
  let hi = t.terms.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = t.terms[mid]!;
    if (m === term) return mid;
    if (m < term) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export interface PostingFileOptions {
  /** How errors name the file (default "posting file PATH is damaged"). */
  where?: string;
  /** Doc ids must be below this (default 2^32). */
  docCount?: number;
}

/** An open posting file: the term table in memory, bitmaps read on demand. */
export class PostingFile {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly table: TermTable,
    private readonly where: string,
    private readonly docCount: number,
    /** The file's byte size. */
    readonly bytes: number,
  ) {}

  static open(path: string, opts: PostingFileOptions = {}): PostingFile {
    const where = opts.where ?? `posting file ${path} is damaged`;
    const damaged = (problem: string) => new DamagedFileError(where, problem);
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      throw new UserError(opts.where ? `${where}: it cannot be opened.` : `cannot open posting file ${path}.`);
    }
    try {
      const size = fstatSync(fd).size;
      if (size < 8) throw damaged(`it is ${size} bytes, shorter than a posting file's header`);
      const head = Buffer.alloc(HEADER_SIZE);
      readExact(fd, head, 8, 0, damaged);
      if (!head.subarray(0, 8).equals(MAGIC)) {
        if (opts.where) throw damaged("it is not a conceptfreq posting file (wrong magic bytes)");
        throw new UserError(`${path} is not a conceptfreq posting file.`);
      }
      if (size < 12) throw damaged(`it is ${size} bytes, shorter than a posting file's header`);
      readExact(fd, head.subarray(8), 4, 8, damaged);
      const version = head.readUInt32LE(8);
      if (version !== POSTING_FORMAT_VERSION) {
        throw new UserError(`${path} has posting format version ${version}; this conceptfreq reads version ${POSTING_FORMAT_VERSION}.`);
      }
      if (size < HEADER_SIZE) throw damaged(`it is ${size} bytes, shorter than a posting file's header (${HEADER_SIZE} bytes)`);
      readExact(fd, head.subarray(12), HEADER_SIZE - 12, 12, damaged);
      const count = head.readUInt32LE(12);
      const dataOffset = Number(head.readBigUInt64LE(16));
      if (dataOffset < HEADER_SIZE + ENTRY_FIXED * count || dataOffset > size) {
        throw damaged(`its header gives a term table of ${count} terms ending at byte ${dataOffset}, outside the file's ${size} bytes`);
      }
      const tableBuf = Buffer.alloc(dataOffset - HEADER_SIZE);
      readExact(fd, tableBuf, tableBuf.length, HEADER_SIZE, damaged);
      if (crc32(tableBuf, crc32(head.subarray(0, 24))) !== head.readUInt32LE(24)) throw damaged("its header or term table fails its checksum");
      const table: TermTable = { terms: [], offset: new Float64Array(count), size: new Uint32Array(count), cardinality: new Uint32Array(count), crc: new Uint32Array(count) };
      let p = 0;
      let expected = dataOffset;
      let last: string | undefined;
      for (let i = 0; i < count; i++) {
        if (p + 2 > tableBuf.length) throw damaged(`its term table ends within term ${i} of ${count}`);
        const len = tableBuf.readUInt16LE(p);
        p += 2;
        if (p + len + ENTRY_FIXED - 2 > tableBuf.length) throw damaged(`its term table ends within term ${i} of ${count}`);
        const term = tableBuf.toString("utf8", p, p + len);
        p += len;
        if (last !== undefined && !(term > last)) throw damaged(`its terms are not in ascending order at term ${i}`);
        last = term;
        const e = {
          offset: tableBuf.readUInt32LE(p) + tableBuf.readUInt32LE(p + 4) * 2 ** 32,
          size: tableBuf.readUInt32LE(p + 8),
          cardinality: tableBuf.readUInt32LE(p + 12),
          crc: tableBuf.readUInt32LE(p + 16),
        };
        if (e.offset !== expected) throw damaged(`term ${i}'s bitmap is at byte ${e.offset}, not ${expected} where the previous one ends`);
        if (e.size < 8 || e.cardinality > (opts.docCount ?? 0x100000000)) {
          throw damaged(`term ${i}'s entry is out of bounds (${e.size} bytes, ${e.cardinality} docs)`);
        }
        expected += e.size;
        if (expected > size) throw damaged(`term ${i}'s bitmap ends at byte ${expected}, past the file's end at ${size}`);
        table.terms.push(term);
        table.offset[i] = e.offset;
        table.size[i] = e.size;
        table.cardinality[i] = e.cardinality;
        table.crc[i] = e.crc;
        p += 20;
      }
      if (p !== tableBuf.length) throw damaged(`its term table is ${tableBuf.length} bytes, but its ${count} terms take ${p}`);
      if (expected !== size) throw damaged(`its bitmaps end at byte ${expected}, but the file is ${size} bytes`);
      return new PostingFile(path, fd, table, where, opts.docCount ?? 0x100000000, size);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Terms in ascending order. */
  terms(): readonly string[] {
    return this.table.terms;
  }

  has(term: string): boolean {
    return slotOf(this.table, term) >= 0;
  }

  /** Number of docs holding the term (0 when absent), without reading the bitmap. */
  cardinality(term: string): number {
    const i = slotOf(this.table, term);
    return i < 0 ? 0 : this.table.cardinality[i]!;
  }

  private damaged(problem: string): DamagedFileError {
    return new DamagedFileError(this.where, problem);
  }

  /** The term's raw portable serialisation (for merging and for --ids-out), its checksum checked. */
  raw(term: string): Buffer | undefined {
    const i = slotOf(this.table, term);
    if (i < 0) return undefined;
    const size = this.table.size[i]!;
    const buf = Buffer.allocUnsafe(size);
    readExact(this.fd, buf, size, this.table.offset[i]!, (p) => this.damaged(p));
    if (crc32(buf) !== this.table.crc[i]) throw this.damaged(`the bitmap of "${term}" fails its checksum`);
    return buf;
  }

  /** The term's bitmap (checked against its table entry); an empty bitmap when the term is absent. */
  get(term: string): RoaringBitmap32 {
    const raw = this.raw(term);
    if (!raw) return new (roaringBitmap32())();
    let b: RoaringBitmap32;
    try {
      b = deserializePortable(raw);
    } catch {
      throw this.damaged(`the bitmap of "${term}" cannot be decoded`);
    }
    const cardinality = this.cardinality(term);
    if (b.size !== cardinality) throw this.damaged(`the bitmap of "${term}" holds ${b.size} docs, its table entry says ${cardinality}`);
    if (b.size > 0 && b.maximum() >= this.docCount) throw this.damaged(`the bitmap of "${term}" holds doc ${b.maximum()}, past the ${this.docCount} docs`);
    return b;
  }

  close(): void {
    closeSync(this.fd);
  }
}
