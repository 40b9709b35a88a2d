/**
 * The paper's retrieval-concept rule, in one place: an image's concepts are the union of the noun
 * lemmas of its captions (the text index's own analysis, `analyzeCaption`); a concept is kept when
 * it is found in at least `minImages` images (the paper keeps concepts in >= 10 images).
 * How captions are grouped into images (K consecutive rows, or rows sharing a key) is the caller's.
 */
import { analyzeCaption } from "../text/analyzer.js";

/** The paper's threshold: concepts in fewer images are dropped. */
export const DEFAULT_MIN_IMAGES = 10;

/** Per concept, the ids (0, 1, 2, ... in the order added) of the images whose captions name it. */
export class ImageConceptTally {
  private readonly lists = new Map<string, number[]>();
  private current = new Set<string>();
  /** Images added so far. */
  images = 0;

  /** Adds one caption of the image being collected. */
  addCaption(text: string): void {
    for (const lemma of analyzeCaption(text)) this.current.add(lemma);
  }

  /** Ends the image being collected (its concepts are the union over its captions); returns its id. */
  endImage(): number {
    const id = this.images++;
    for (const c of this.current) {
      let list = this.lists.get(c);
      if (list === undefined) this.lists.set(c, (list = []));
      list.push(id);
    }
    this.current = new Set();
    return id;
  }

  /** Distinct concepts seen, before the `minImages` filter. */
  get conceptsSeen(): number {
    return this.lists.size;
  }

  /** The kept concepts, sorted by name (code point), each with its ascending image ids. */
  kept(minImages = DEFAULT_MIN_IMAGES): Map<string, Int32Array> {
    const out = new Map<string, Int32Array>();
    for (const c of [...this.lists.keys()].sort()) {
      const list = this.lists.get(c)!;
      if (list.length >= minImages) out.set(c, Int32Array.from(list));
    }
    return out;
  }
}
