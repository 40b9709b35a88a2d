/**
 * The paper's retrieval-concept extraction: an image's concepts are the noun lemmas of its
 * captions (the same analysis as the text index); a concept is kept when it occurs in at least
 * `minImages` images. An image's captions are K consecutive rows, or the rows sharing a key
 * (`keyColumn`).
 */
import { openCorpus } from "../corpus/open.js";
import type { ReaderOptions } from "../corpus/record.js";
import { UserError } from "../errors.js";
import { analyzeCaption } from "../text/analyzer.js";

export interface ExtractOptions extends ReaderOptions {
  /** K consecutive rows per image (ignored when keyColumn is set). */
  captionsPerImage?: number;
  minImages?: number;
}

export interface ExtractedConcept {
  concept: string;
  images: number;
}

export interface ExtractResult {
  images: number;
  captions: number;
  concepts: ExtractedConcept[];
}

/** Concepts sorted by image count (descending), then name. */
export async function extractRetrievalConcepts(paths: string[], opts: ExtractOptions): Promise<ExtractResult> {
  const k = opts.captionsPerImage ?? 5;
  if (!opts.keyColumn && (!Number.isInteger(k) || k <= 0)) throw new UserError("captions per image must be a positive integer.");
  const imagesPerConcept = new Map<string, number>();
  const byKey = new Map<string, Set<string>>();
  let current = new Set<string>();
  let inGroup = 0;
  let images = 0;
  let captions = 0;

  const flush = (set: Set<string>) => {
    images++;
    for (const c of set) imagesPerConcept.set(c, (imagesPerConcept.get(c) ?? 0) + 1);
  };

  for (const path of paths) {
    for await (const rows of openCorpus(path, opts)) {
      for (const row of rows) {
        captions++;
        const lemmas = row.malformed ? [] : analyzeCaption(row.text);
        if (opts.keyColumn) {
          const key = row.key ?? "";
          let set = byKey.get(key);
          if (!set) byKey.set(key, (set = new Set()));
          for (const l of lemmas) set.add(l);
        } else {
          for (const l of lemmas) current.add(l);
          if (++inGroup === k) {
            flush(current);
            current = new Set();
            inGroup = 0;
          }
        }
      }
    }
  }
  if (opts.keyColumn) for (const set of byKey.values()) flush(set);
  else if (inGroup > 0) {
    throw new UserError(`${captions} caption rows is not a multiple of ${k} captions per image.`);
  }
  const min = opts.minImages ?? 10;
  const concepts = [...imagesPerConcept]
    .filter(([, n]) => n >= min)
    .map(([concept, n]) => ({ concept, images: n }))
    .sort((a, b) => b.images - a.images || (a.concept < b.concept ? -1 : a.concept > b.concept ? 1 : 0));
  return { images, captions, concepts };
}
