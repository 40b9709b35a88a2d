/**
 * In-memory postings for a stretch of docs: term -> doc ids (ascending, as docs arrive in order).
 * When it holds enough postings it is written out as a sorted run (a posting file) and cleared.
 */
import { PostingFileWriter, RoaringBitmap32 } from "./posting-file.js";

export class PostingsAccumulator {
  private lists = new Map<string, number[]>();
  private count = 0;

  add(term: string, doc: number): void {
    let list = this.lists.get(term);
    if (list === undefined) {
      list = [];
      this.lists.set(term, list);
    }
    list.push(doc);
    this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Writes the run (terms sorted) and clears memory. Returns false when there was nothing to write. */
  writeRun(path: string): boolean {
    if (this.lists.size === 0) return false;
    const writer = new PostingFileWriter(path);
    const terms = [...this.lists.keys()].sort();
    for (const term of terms) writer.add(term, new RoaringBitmap32(this.lists.get(term)!));
    writer.close();
    this.lists = new Map();
    this.count = 0;
    return true;
  }
}
