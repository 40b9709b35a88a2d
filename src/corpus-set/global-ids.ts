/**
 * Global doc ids of a corpus of shards, which may exceed 2^32: a set of them is kept as 32-bit
 * Roaring bitmaps per "bucket" (the id's high 32 bits), and written in Roaring's 64-bit portable
 * serialisation (RoaringFormatSpec, "Extension for 64-bit implementations"; what CRoaring's
 * roaring64_bitmap_portable_serialize, Java's Roaring64NavigableMap.serializePortable, Go's
 * roaring64 and pyroaring's BitMap64 read):
 *
 *   uint64 LE   number of buckets (non-empty 32-bit bitmaps)
 *   per bucket, in increasing key order:
 *     uint32 LE   the key: the high 32 bits of its ids
 *     bytes       a 32-bit Roaring bitmap of the ids' low 32 bits, portable serialisation
 *
 * Ids are JavaScript numbers here (exact up to 2^53, as corpus.json's doc counts are).
 */
import { UserError } from "../errors.js";
import { deserializePortable, serializePortable } from "../postings/posting-file.js";
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { writeConceptIdFiles } from "../text-index/ids-out.js";

const TWO_32 = 2 ** 32;

export class GlobalIds {
  private readonly buckets = new Map<number, RoaringBitmap32>();

  private bucket(key: number): RoaringBitmap32 {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new RoaringBitmap32()));
    return b;
  }

  /** Adds a shard's ids (shard-local, 0-based) as global ids firstDoc + id. */
  addShard(local: RoaringBitmap32, firstDoc: number): void {
    if (local.size === 0) return;
    const hi = Math.floor(firstDoc / TWO_32);
    const lo = firstDoc - hi * TWO_32;
    const ids = local.toUint32Array();
    // ids below `boundary` stay in bucket hi; the rest (id + lo >= 2^32) go to bucket hi + 1
    const boundary = TWO_32 - lo;
    let split = ids.length;
    if (ids[ids.length - 1]! >= boundary) {
      let a = 0;
      let b = ids.length;
      while (a < b) {
        const m = (a + b) >>> 1;
        if (ids[m]! < boundary) a = m + 1;
        else b = m;
      }
      split = a;
    }
    for (let i = 0; i < ids.length; i++) ids[i] = (ids[i]! + lo) >>> 0; // wraps past 2^32 for the second bucket
    if (split > 0) this.bucket(hi).addMany(ids.subarray(0, split));
    if (split < ids.length) this.bucket(hi + 1).addMany(ids.subarray(split));
  }

  get size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.size;
    return n;
  }

  /** The ids in increasing order (for tests and small sets). */
  toArray(): number[] {
    const out: number[] = [];
    for (const key of [...this.buckets.keys()].sort((a, b) => a - b)) {
      for (const v of this.buckets.get(key)!) out.push(key * TWO_32 + v);
    }
    return out;
  }

  /** Roaring's 64-bit portable serialisation (see the top of this file). */
  serialize(): Buffer {
    const keys = [...this.buckets.keys()].filter((k) => this.buckets.get(k)!.size > 0).sort((a, b) => a - b);
    const parts: Buffer[] = [];
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(keys.length));
    parts.push(head);
    for (const k of keys) {
      const kb = Buffer.alloc(4);
      kb.writeUInt32LE(k);
      parts.push(kb, serializePortable(this.buckets.get(k)!));
    }
    return Buffer.concat(parts);
  }
}

/** Reads Roaring's 64-bit portable serialisation into ids (numbers), checking its bounds. */
export function deserializeRoaring64Portable(bytes: Uint8Array, name = "the bitmap"): number[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string) => new UserError(`${name} is not a 64-bit Roaring bitmap (portable serialisation): ${what}.`);
  if (buf.length < 8) throw bad("it is shorter than its 8-byte header");
  const n = buf.readBigUInt64LE(0);
  if (n > BigInt(buf.length)) throw bad(`it claims ${n} buckets`);
  let pos = 8;
  let lastKey = -1;
  const out: number[] = [];
  for (let i = 0; i < Number(n); i++) {
    if (pos + 4 > buf.length) throw bad(`bucket ${i} is cut short`);
    const key = buf.readUInt32LE(pos);
    if (key <= lastKey) throw bad("its buckets are not in increasing key order");
    lastKey = key;
    pos += 4;
    let bitmap: RoaringBitmap32;
    try {
      bitmap = deserializePortable(buf.subarray(pos));
    } catch {
      throw bad(`bucket ${i} is damaged`);
    }
    pos += bitmap.getSerializationSizeInBytes(true);
    for (const v of bitmap) out.push(key * TWO_32 + v);
  }
  if (pos !== buf.length) throw bad(`${buf.length - pos} bytes follow its last bucket`);
  return out;
}

/**
 * Writes each concept's global ids as a 64-bit Roaring file (`NNNNN-slug.roaring64`) and an
 * index.json ({format: "conceptfreq-concept-ids", serialization: "roaring64-portable", files}),
 * the layout a single index's `count --ids-out` writes with 32-bit files.
 */
export function writeGlobalConceptIds(dir: string, entries: { concept: string; ids: GlobalIds }[], force = false): void {
  writeConceptIdFiles(dir, entries.map((e) => ({ concept: e.concept, bytes: () => e.ids.serialize() })), { serialization: "roaring64-portable", ext: "roaring64", extra: { ids: "global" } }, force);
}
