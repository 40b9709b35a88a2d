/**
 * The misalignment degree (the paper's definition): the share of samples whose caption concepts and
 * image concepts, over a concept list, have nothing in common — among the samples with at least one
 * listed concept on each side (`degree`), and among all samples (`degree_all`).
 */
import { matchConcept, type MatchMode } from "../text-index/count.js";
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import type { TextIndex } from "../text-index/text-index.js";
import { parseConcept } from "../text/concept-query.js";
import { checkSameDocSpace, type ImageIndex } from "./image-index.js";
import { missingImageConcepts } from "./count-modes.js";

export interface Misalignment {
  /** N: all samples (docs). */
  samples: number;
  /** n: samples with >= 1 listed concept in the caption and >= 1 in the image. */
  samples_with_both: number;
  /** m: those of the n whose caption and image concept sets are disjoint. */
  misaligned: number;
  /** m / n (null when n = 0). */
  degree: number | null;
  /** m / N (null when N = 0). */
  degree_all: number | null;
}

/** The misalignment of N samples, n with both sides, m of those misaligned: the counts and their degrees. */
export function misalignmentOf(N: number, n: number, m: number): Misalignment {
  return { samples: N, samples_with_both: n, misaligned: m, degree: n === 0 ? null : m / n, degree_all: N === 0 ? null : m / N };
}

export interface MisalignmentOptions {
  match?: MatchMode;
  /** Treat concepts the image index does not know as never tagged, instead of failing. */
  allowMissing?: boolean;
}

export interface MisalignmentResult extends Misalignment {
  /** Concepts missing from the image index (only with allowMissing). */
  missing: string[];
  /** The misaligned samples' doc ids. */
  misalignedIds: RoaringBitmap32;
}

/**
 * With T_c the samples whose caption mentions concept c and I_c those whose image is tagged c:
 *   samples_with_both = |(∪_c T_c) ∩ (∪_c I_c)|
 *   aligned           = |∪_c (T_c ∩ I_c)|
 *   misaligned        = samples_with_both − aligned
 * Why: a sample s is in both unions iff its caption set C(s) and image set G(s) are both non-empty.
 * Such a sample is aligned iff C(s) ∩ G(s) ≠ ∅, i.e. iff some concept c has s ∈ T_c and s ∈ I_c,
 * i.e. iff s ∈ ∪_c (T_c ∩ I_c). And every s in that last union has non-empty C(s) and G(s), so the
 * aligned set is a subset of the samples with both: the difference counts exactly the samples with
 * both whose two sets are disjoint. Three bitmap unions, one pass over the concepts, no per-sample sets.
 */
export function computeMisalignment(
  text: TextIndex,
  image: ImageIndex,
  concepts: readonly string[],
  opts: MisalignmentOptions = {},
): MisalignmentResult {
  checkSameDocSpace(text, image);
  const missing = missingImageConcepts(image, concepts, opts.allowMissing);
  const anyText = new RoaringBitmap32();
  const anyImage = new RoaringBitmap32();
  const aligned = new RoaringBitmap32();
  for (const c of concepts) {
    const t = matchConcept(text, parseConcept(c), opts.match ?? "paper");
    anyText.orInPlace(t);
    if (!image.has(c)) continue;
    const i = image.images(c);
    anyImage.orInPlace(i);
    aligned.orInPlace(t.andInPlace(i));
  }
  const both = anyText.andInPlace(anyImage);
  const n = both.size;
  const m = n - aligned.size; // aligned ⊆ both (see above)
  const misalignedIds = both.andNotInPlace(aligned);
  if (misalignedIds.size !== m) throw new Error("misalignment: aligned samples outside the samples with both sides"); // a bug, never input
  const N = text.docCount;
  return { ...misalignmentOf(N, n, m), missing, misalignedIds };
}
