/**
 * Counting a concept three ways (the paper's text, image and matched "integrated" frequencies):
 *   text        captions matching the concept (index/count.ts rules)
 *   image       images the tagger tagged with the concept (exact tagger vocabulary name)
 *   integrated  samples whose caption matches AND whose image is tagged: |T_c ∩ I_c|
 */
import { UserError } from "../errors.js";
import { countConcepts, matchConcept, type ConceptCount, type MatchMode } from "../text-index/count.js";
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import type { TextIndex } from "../text-index/text-index.js";
import { parseConcept } from "../text/concept-query.js";
import { checkSameDocSpace, type ImageIndex } from "./image-index.js";

export type CountMode = "text" | "image" | "integrated";
export const COUNT_MODES = ["text", "image", "integrated"] as const satisfies readonly CountMode[];

export interface ModeCountOptions {
  mode: CountMode;
  /** Required for text and integrated. */
  text?: TextIndex;
  /** Required for image and integrated. */
  image?: ImageIndex;
  /** Caption matching rule (default "paper"). */
  match?: MatchMode;
  /** Keep each concept's matching doc ids. */
  keepIds?: boolean;
  /** Count a concept the image index does not know as 0 instead of failing. */
  allowMissing?: boolean;
  /** The caption query text of each concept (same order), e.g. its synonym expansion; default its name. */
  queries?: readonly string[];
}

export interface ModeCounts {
  counts: ConceptCount[];
  /** Concepts the image index does not know (counted 0; only with allowMissing). */
  missing: string[];
}

/** Fails unless every concept is in the image index (or lists the missing ones when allowed). */
export function missingImageConcepts(image: ImageIndex, concepts: readonly string[], allowMissing = false): string[] {
  const missing = concepts.filter((c) => !image.has(c));
  if (missing.length > 0 && !allowMissing) {
    const shown = missing.slice(0, 5).map((c) => `"${c}"`).join(", ");
    throw new UserError(
      `${missing.length} concept(s) are not in the image index ${image.dir} vocabulary (${shown}${missing.length > 5 ? ", ..." : ""}); ` +
        `names must match the tagger's exactly, or pass --allow-missing to count them 0.`,
    );
  }
  return missing;
}

export function countConceptsByMode(concepts: readonly string[], opts: ModeCountOptions): ModeCounts {
  const { mode } = opts;
  if (!COUNT_MODES.includes(mode)) throw new UserError(`Unknown count mode "${String(mode)}"; use text, image or integrated.`);
  if ((mode === "text" || mode === "integrated") && !opts.text) throw new UserError(`Counting in ${mode} mode needs the text index (--index).`);
  if ((mode === "image" || mode === "integrated") && !opts.image) throw new UserError(`Counting in ${mode} mode needs the image index (--image-index).`);
  if (opts.text && opts.image) checkSameDocSpace(opts.text, opts.image);
  const missing = opts.image && mode !== "text" ? missingImageConcepts(opts.image, concepts, opts.allowMissing) : [];
  if (mode === "text") return { counts: countConcepts(opts.text!, concepts, { match: opts.match, keepIds: opts.keepIds, queries: opts.queries }), missing };
  const image = opts.image!;
  const counts = concepts.map((concept, i): ConceptCount => {
    if (mode === "image") {
      if (!opts.keepIds) return { concept, count: image.count(concept) };
      const ids = image.images(concept);
      return { concept, count: ids.size, ids };
    }
    const t = matchConcept(opts.text!, parseConcept(opts.queries?.[i] ?? concept), opts.match ?? "paper");
    const count = image.has(concept) ? t.andCardinality(image.images(concept)) : 0;
    if (!opts.keepIds) return { concept, count };
    const ids = image.has(concept) ? t.andInPlace(image.images(concept)) : new RoaringBitmap32();
    return { concept, count, ids };
  });
  return { counts, missing };
}
