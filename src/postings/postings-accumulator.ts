/**
 * In-memory postings for a stretch of docs: the term ids each doc added, in arrival order (docs
 * arrive ascending), in chunks that are never copied, and each doc's id with its number of ids.
 * Term ids are dense (see TermIds in the analyzer); the texts are needed only when a run is taken.
 * Taking a run sorts the postings by term with a counting sort (stable, so each term's docs stay
 * ascending) into terms in text order; a run is spilled to a posting file (writeRun) or, the last
 * one, handed to the merge in memory (takeRun).
 */
import { PostingFileWriter } from "./posting-file.js";
import { compareCodePoints } from "../code-point-order.js";

export class PostingsAccumulator {
  /** Filled chunks of term ids; a doc's ids are never split between two chunks. */
  private full: Int32Array[] = [];
  private chunk: Int32Array;
  private used = 0;
  private count = 0;
  private maxTerm = -1;
  /** Doc k (in arrival order) is docIds[k] and added docCounts[k] ids. */
  private docIds = new Uint32Array(1 << 12);
  private docCounts = new Int32Array(1 << 12);
  private nDocs = 0;

  /** `chunkSize`: term ids per chunk (tests make it small). */
  constructor(private readonly chunkSize = 1 << 20) {
    this.chunk = new Int32Array(chunkSize);
  }

  /** Adds doc to the postings of terms ids[0..count). */
  addAll(ids: Int32Array, count: number, doc: number): void {
    if (count === 0) return;
    if (this.nDocs === this.docIds.length) this.growDocs();
    this.docIds[this.nDocs] = doc;
    this.docCounts[this.nDocs++] = count;
    if (this.used + count > this.chunk.length) {
      if (this.used > 0) this.full.push(this.chunk.subarray(0, this.used));
      this.chunk = new Int32Array(Math.max(this.chunkSize, count));
      this.used = 0;
    }
    const chunk = this.chunk;
    let c = this.used;
    let max = this.maxTerm;
    for (let i = 0; i < count; i++) {
      const t = ids[i]!;
      chunk[c++] = t;
      if (t > max) max = t;
    }
    this.used = c;
    this.count += count;
    this.maxTerm = max;
  }

  get size(): number {
    return this.count;
  }

  private growDocs(): void {
    const ids = new Uint32Array(this.docIds.length * 2);
    ids.set(this.docIds);
    this.docIds = ids;
    const counts = new Int32Array(this.docCounts.length * 2);
    counts.set(this.docCounts);
    this.docCounts = counts;
  }

  /**
   * The postings as a sorted run in memory (terms in text order, each term's docs ascending) and
   * clears. `texts[id]` is the text of term id.
   */
  takeRun(texts: readonly string[]): MemoryRun {
    const n = this.count;
    const chunks = [...this.full, this.chunk.subarray(0, this.used)];
    const nTerms = this.maxTerm + 1;
    // count each term's postings, order the terms present by text, then place every posting
    // straight at its term's place in that order (a stable counting sort: docs stay ascending)
    const fill = new Int32Array(nTerms);
    for (const chunk of chunks) for (let i = 0; i < chunk.length; i++) fill[chunk[i]!]!++;
    const used: number[] = [];
    for (let t = 0; t < nTerms; t++) if (fill[t]! > 0) used.push(t);
    used.sort((a, b) => compareCodePoints(texts[a]!, texts[b]!));
    const starts = new Uint32Array(used.length + 1);
    let at = 0;
    for (let k = 0; k < used.length; k++) {
      const t = used[k]!;
      starts[k] = at;
      const c = fill[t]!;
      fill[t] = at;
      at += c;
    }
    starts[used.length] = at;
    const docs = new Uint32Array(n);
    const { docIds, docCounts, nDocs } = this;
    let ci = 0;
    let chunk = chunks[0]!;
    let i = 0;
    for (let d = 0; d < nDocs; d++) {
      const count = docCounts[d]!;
      if (i + count > chunk.length) {
        // this doc's ids start the next chunk
        chunk = chunks[++ci]!;
        i = 0;
      }
      const doc = docIds[d]!;
      for (const end = i + count; i < end; i++) docs[fill[chunk[i]!]!++] = doc;
    }
    this.full = [];
    this.chunk = new Int32Array(this.chunkSize);
    this.used = 0;
    this.count = 0;
    this.maxTerm = -1;
    this.docIds = new Uint32Array(1 << 12);
    this.docCounts = new Int32Array(1 << 12);
    this.nDocs = 0;
    return { terms: used.map((t) => texts[t]!), starts, docs };
  }

  /**
   * Writes the run (terms sorted by text) as a posting file and clears memory. Returns false when
   * there was nothing to write.
   */
  writeRun(path: string, texts: readonly string[]): boolean {
    if (this.count === 0) return false;
    const run = this.takeRun(texts);
    const writer = new PostingFileWriter(path);
    run.terms.forEach((term, k) => writer.addSorted(term, run.docs.subarray(run.starts[k]!, run.starts[k + 1]!)));
    writer.close();
    return true;
  }
}

/** A sorted run held in memory: term k's docs are docs[starts[k] .. starts[k+1]), ascending. */
export interface MemoryRun {
  terms: string[];
  starts: Uint32Array;
  docs: Uint32Array;
}
