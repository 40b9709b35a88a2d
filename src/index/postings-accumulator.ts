/**
 * In-memory postings for a stretch of docs, as a log of (term id, doc id) pairs in arrival order
 * (docs arrive ascending). Term ids are dense (see TermIds in the analyzer); the texts are needed
 * only when a run is written. Writing a run sorts the log by term with a counting sort (stable, so
 * each term's docs stay ascending), writes one posting file with terms in text order, and clears.
 */
import { PostingFileWriter, RoaringBitmap32 } from "./posting-file.js";

export class PostingsAccumulator {
  private terms = new Int32Array(1 << 16);
  private docs = new Uint32Array(1 << 16);
  private count = 0;
  private maxTerm = -1;

  add(term: number, doc: number): void {
    if (this.count === this.terms.length) this.grow();
    this.terms[this.count] = term;
    this.docs[this.count++] = doc;
    if (term > this.maxTerm) this.maxTerm = term;
  }

  get size(): number {
    return this.count;
  }

  private grow(): void {
    const terms = new Int32Array(this.terms.length * 2);
    terms.set(this.terms);
    this.terms = terms;
    const docs = new Uint32Array(this.docs.length * 2);
    docs.set(this.docs);
    this.docs = docs;
  }

  /**
   * Writes the run (terms sorted by text) and clears memory. `texts[id]` is the text of term id.
   * Returns false when there was nothing to write.
   */
  writeRun(path: string, texts: readonly string[]): boolean {
    if (this.count === 0) return false;
    const n = this.count;
    const nTerms = this.maxTerm + 1;
    const start = new Int32Array(nTerms + 1);
    for (let i = 0; i < n; i++) start[this.terms[i]! + 1]!++;
    const used: number[] = [];
    for (let t = 0; t < nTerms; t++) {
      if (start[t + 1]! > 0) used.push(t);
      start[t + 1]! += start[t]!;
    }
    const sorted = new Uint32Array(n);
    const fill = start.slice(0, nTerms);
    for (let i = 0; i < n; i++) sorted[fill[this.terms[i]!]!++] = this.docs[i]!;
    used.sort((a, b) => (texts[a]! < texts[b]! ? -1 : texts[a]! > texts[b]! ? 1 : 0));
    const writer = new PostingFileWriter(path);
    for (const t of used) writer.add(texts[t]!, new RoaringBitmap32(sorted.subarray(start[t]!, start[t + 1]!)));
    writer.close();
    this.terms = new Int32Array(1 << 16);
    this.docs = new Uint32Array(1 << 16);
    this.count = 0;
    this.maxTerm = -1;
    return true;
  }
}
