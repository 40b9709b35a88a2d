/**
 * A posting file: term -> Roaring bitmap of doc ids, in Roaring's portable serialisation
 * (readable by CRoaring, Java, Go and Python `pyroaring` with `deserialize`).
 *
 * Layout (little-endian):
 *   magic "CFPOSTS\0" (8 bytes) | u32 format version | u32 term count | u64 byte offset of the data area
 *   term table, terms in ascending code-unit order, each:
 *     u16 term byte length | term UTF-8 | u64 absolute offset | u32 byte size | u32 cardinality
 *   data area: the portable serialisations, one after another, in term order.
 *
 * The term table is read whole on open; bitmaps are read on demand.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import roaring from "roaring";
import { UserError } from "../errors.js";

export const { RoaringBitmap32 } = roaring;
export type RoaringBitmap32 = InstanceType<typeof roaring.RoaringBitmap32>;

const MAGIC = Buffer.from("CFPOSTS\0", "latin1");
export const POSTING_FORMAT_VERSION = 1;
const HEADER_SIZE = 8 + 4 + 4 + 8;

/** Serialises a bitmap in the portable format, run-optimised (same set -> same bytes). */
export function serializePortable(bitmap: RoaringBitmap32): Buffer {
  bitmap.runOptimize();
  bitmap.shrinkToFit();
  return bitmap.serialize("portable") as Buffer;
}

export function deserializePortable(bytes: Uint8Array): RoaringBitmap32 {
  return RoaringBitmap32.deserialize(bytes, "portable");
}

/**
 * Writes a posting file from terms given in ascending order (the caller sorts; this checks).
 * Each bitmap is serialised as it comes, so the caller can stream entries from a merge.
 */
export class PostingFileWriter {
  private readonly entries: { term: Buffer; size: number; card: number }[] = [];
  private readonly chunks: Buffer[] = [];
  private lastTerm: string | undefined;
  private dataBytes = 0;

  constructor(private readonly path: string) {}

  add(term: string, bitmap: RoaringBitmap32): void {
    if (this.lastTerm !== undefined && !(term > this.lastTerm)) {
      throw new Error(`posting terms must be strictly ascending: "${term}" after "${this.lastTerm}"`);
    }
    this.lastTerm = term;
    const bytes = serializePortable(bitmap);
    this.entries.push({ term: Buffer.from(term, "utf8"), size: bytes.length, card: bitmap.size });
    this.chunks.push(bytes);
    this.dataBytes += bytes.length;
    if (this.chunks.length >= 4096) this.flushChunks();
  }

  private tmpData: { fd: number; path: string } | undefined;

  /** Keeps memory bounded: data chunks go to a side file until close() stitches the file together. */
  private flushChunks(): void {
    if (!this.tmpData) {
      const path = `${this.path}.data-tmp`;
      this.tmpData = { fd: openSync(path, "w"), path };
    }
    for (const c of this.chunks) writeSync(this.tmpData.fd, c);
    this.chunks.length = 0;
  }

  /** Writes the file to `path` (the caller renames the enclosing directory or file into place). */
  close(): { terms: number; bytes: number } {
    let tableBytes = 0;
    for (const e of this.entries) tableBytes += 2 + e.term.length + 8 + 4 + 4;
    const dataOffset = HEADER_SIZE + tableBytes;
    const head = Buffer.alloc(dataOffset);
    MAGIC.copy(head, 0);
    head.writeUInt32LE(POSTING_FORMAT_VERSION, 8);
    head.writeUInt32LE(this.entries.length, 12);
    head.writeBigUInt64LE(BigInt(dataOffset), 16);
    let p = HEADER_SIZE;
    let offset = dataOffset;
    for (const e of this.entries) {
      if (e.term.length > 0xffff) throw new Error("term too long");
      head.writeUInt16LE(e.term.length, p);
      p += 2;
      e.term.copy(head, p);
      p += e.term.length;
      head.writeBigUInt64LE(BigInt(offset), p);
      head.writeUInt32LE(e.size, p + 8);
      head.writeUInt32LE(e.card, p + 12);
      p += 16;
      offset += e.size;
    }
    const fd = openSync(this.path, "w");
    try {
      writeSync(fd, head);
      if (this.tmpData) {
        this.flushChunks();
        closeSync(this.tmpData.fd);
        copyInto(this.tmpData.path, fd);
      }
      for (const c of this.chunks) writeSync(fd, c);
    } finally {
      closeSync(fd);
      if (this.tmpData) rmSync(this.tmpData.path, { force: true });
    }
    return { terms: this.entries.length, bytes: dataOffset + this.dataBytes };
  }
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


interface TermEntry {
  offset: number;
  size: number;
  cardinality: number;
}

/** An open posting file: the term table in memory, bitmaps read on demand. */
export class PostingFile {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly table: Map<string, TermEntry>,
    private readonly order: string[],
  ) {}

  static open(path: string): PostingFile {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      throw new UserError(`cannot open posting file ${path}.`);
    }
    const head = Buffer.alloc(HEADER_SIZE);
    readSync(fd, head, 0, HEADER_SIZE, 0);
    if (!head.subarray(0, 8).equals(MAGIC)) {
      closeSync(fd);
      throw new UserError(`${path} is not a conceptfreq posting file.`);
    }
    const version = head.readUInt32LE(8);
    if (version !== POSTING_FORMAT_VERSION) {
      closeSync(fd);
      throw new UserError(`${path} has posting format version ${version}; this conceptfreq reads version ${POSTING_FORMAT_VERSION}.`);
    }
    const count = head.readUInt32LE(12);
    const dataOffset = Number(head.readBigUInt64LE(16));
    const tableBuf = Buffer.alloc(dataOffset - HEADER_SIZE);
    readSync(fd, tableBuf, 0, tableBuf.length, HEADER_SIZE);
    const table = new Map<string, TermEntry>();
    const order: string[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      const len = tableBuf.readUInt16LE(p);
      p += 2;
      const term = tableBuf.toString("utf8", p, p + len);
      p += len;
      table.set(term, {
        offset: Number(tableBuf.readBigUInt64LE(p)),
        size: tableBuf.readUInt32LE(p + 8),
        cardinality: tableBuf.readUInt32LE(p + 12),
      });
      order.push(term);
      p += 16;
    }
    return new PostingFile(path, fd, table, order);
  }

  /** Terms in ascending order. */
  terms(): readonly string[] {
    return this.order;
  }

  has(term: string): boolean {
    return this.table.has(term);
  }

  /** Number of docs holding the term (0 when absent), without reading the bitmap. */
  cardinality(term: string): number {
    return this.table.get(term)?.cardinality ?? 0;
  }

  /** The term's raw portable serialisation (for merging and for --ids-out). */
  raw(term: string): Buffer | undefined {
    const e = this.table.get(term);
    if (!e) return undefined;
    const buf = Buffer.allocUnsafe(e.size);
    let read = 0;
    while (read < e.size) read += readSync(this.fd, buf, read, e.size - read, e.offset + read);
    return buf;
  }

  /** The term's bitmap; an empty bitmap when the term is absent. */
  get(term: string): RoaringBitmap32 {
    const raw = this.raw(term);
    return raw ? deserializePortable(raw) : new RoaringBitmap32();
  }

  close(): void {
    closeSync(this.fd);
  }
}
