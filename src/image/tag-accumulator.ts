/**
 * Collects (concept, doc) tags for one or several thresholds while images stream by, and turns them
 * into one Roaring bitmap per concept and threshold. Doc ids are buffered per concept in typed arrays
 * and flushed into the bitmap in batches (one native call per batch, not per tag).
 */
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";

const FLUSH_AT = 1 << 14;

class DocBuffer {
  private buf = new Uint32Array(16);
  private n = 0;
  readonly bitmap = new RoaringBitmap32();

  push(doc: number): void {
    if (this.n === this.buf.length) {
      if (this.n >= FLUSH_AT) this.flush();
      else {
        const grown = new Uint32Array(this.buf.length * 2);
        grown.set(this.buf);
        this.buf = grown;
      }
    }
    this.buf[this.n++] = doc;
  }

  flush(): void {
    if (this.n === 0) return;
    this.bitmap.addMany(this.buf.subarray(0, this.n));
    this.n = 0;
  }
}

export class TagAccumulator {
  /** buffers[level][concept], created on first use (concepts and levels are named by position). */
  private readonly buffers: DocBuffer[][];

  /**
   * @param levels       thresholds being collected at once
   * @param conceptCount concepts known up front (more may be added, in increasing order)
   */
  constructor(
    readonly levels: number,
    conceptCount = 0,
  ) {
    this.buffers = Array.from({ length: levels }, () => Array.from({ length: conceptCount }, () => new DocBuffer()));
  }

  add(level: number, concept: number, doc: number): void {
    const row = this.buffers[level]!;
    while (row.length <= concept) row.push(new DocBuffer()); // dense, never holey
    row[concept]!.push(doc);
  }

  /** The docs tagged with the concept at the level (the accumulator keeps ownership). */
  bitmap(level: number, concept: number): RoaringBitmap32 {
    const row = this.buffers[level]!;
    while (row.length <= concept) row.push(new DocBuffer());
    const b = row[concept]!;
    b.flush();
    return b.bitmap;
  }
}
