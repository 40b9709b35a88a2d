/**
 * In-memory postings for a stretch of docs, as a log of (term id, doc id) pairs in arrival order
 * (docs arrive ascending). Term ids are dense (see TermIds in the analyzer); the texts are needed
 * only when a run is taken. Taking a run sorts the log by term with a counting sort (stable, so
 * each term's docs stay ascending) into terms in text order; a run is spilled to a posting file
 * (writeRun) or, the last one, handed to the merge in memory (takeRun).
 */
import { PostingFileWriter } from "./posting-file.js";

export class PostingsAccumulator {
  private terms = new Int32Array(1 << 16);
  private docs = new Uint32Array(1 << 16);
  private count = 0;
  private maxTerm = -1;

  /** Adds doc to the postings of terms ids[0..count). */
  addAll(ids: Int32Array, count: number, doc: number): void {
    if (this.count + count > this.terms.length) this.grow(this.count + count);
    const terms = this.terms;
    const docs = this.docs;
    let c = this.count;
    let max = this.maxTerm;
    for (let i = 0; i < count; i++) {
      const t = ids[i]!;
      terms[c] = t;
      docs[c++] = doc;
      if (t > max) max = t;
    }
    this.count = c;
    this.maxTerm = max;
  }

  get size(): number {
    return this.count;
  }

  private grow(need: number): void {
    let size = this.terms.length * 2;
    while (size < need) size *= 2;
    const terms = new Int32Array(size);
    terms.set(this.terms);
    this.terms = terms;
    const docs = new Uint32Array(size);
    docs.set(this.docs);
    this.docs = docs;
  }

  /**
   * The postings as a sorted run in memory (terms in text order, each term's docs ascending) and
   * clears. `texts[id]` is the text of term id.
   */
  takeRun(texts: readonly string[]): MemoryRun {
    const n = this.count;
    const termOf = this.terms;
    const docOf = this.docs;
    const nTerms = this.maxTerm + 1;
    // count each term's postings, order the terms present by text, then place every posting
    // straight at its term's place in that order (a stable counting sort: docs stay ascending)
    const fill = new Int32Array(nTerms);
    for (let i = 0; i < n; i++) fill[termOf[i]!]!++;
    const used: number[] = [];
    for (let t = 0; t < nTerms; t++) if (fill[t]! > 0) used.push(t);
    used.sort((a, b) => (texts[a]! < texts[b]! ? -1 : texts[a]! > texts[b]! ? 1 : 0));
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
    for (let i = 0; i < n; i++) docs[fill[termOf[i]!]!++] = docOf[i]!;
    this.terms = new Int32Array(1 << 16);
    this.docs = new Uint32Array(1 << 16);
    this.count = 0;
    this.maxTerm = -1;
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
