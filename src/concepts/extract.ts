/**
 * Retrieval concepts from caption files, by the rule of image-concepts.ts. An image's captions are
 * K consecutive rows, or the rows sharing a key (`keyColumn`).
 */
import { corpusInputKind, openCorpus } from "../corpus/open.js";
import type { ReaderOptions } from "../corpus/record.js";
import { UserError } from "../errors.js";
import { DEFAULT_MIN_IMAGES, ImageConceptTally } from "./image-concepts.js";
import { compareCodePoints } from "../code-point-order.js";

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
  const tally = new ImageConceptTally();
  const byKey = new Map<string, string[]>();
  let inGroup = 0;
  let captions = 0;

  for (const path of paths) corpusInputKind(path); // a missing file or a directory: one sentence, before any work
  for (const path of paths) {
    for await (const rows of openCorpus(path, opts)) {
      for (const row of rows) {
        captions++;
        const text = row.malformed ? "" : row.text;
        if (opts.keyColumn) {
          const key = row.key ?? "";
          let texts = byKey.get(key);
          if (!texts) byKey.set(key, (texts = []));
          texts.push(text);
        } else {
          tally.addCaption(text);
          if (++inGroup === k) {
            tally.endImage();
            inGroup = 0;
          }
        }
      }
    }
  }
  if (opts.keyColumn) {
    for (const texts of byKey.values()) {
      for (const t of texts) tally.addCaption(t);
      tally.endImage();
    }
  } else if (inGroup > 0) {
    throw new UserError(`${captions} caption rows is not a multiple of ${k} captions per image.`);
  }
  const concepts = [...tally.kept(opts.minImages ?? DEFAULT_MIN_IMAGES)]
    .map(([concept, ids]) => ({ concept, images: ids.length }))
    .sort((a, b) => b.images - a.images || compareCodePoints(a.concept, b.concept));
  const images = tally.images;
  return { images, captions, concepts };
}
