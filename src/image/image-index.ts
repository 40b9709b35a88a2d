/**
 * An open image index: its manifest and the concept -> doc-id postings of the images tagged with
 * each concept. Concept names are the tagger's vocabulary and are matched exactly.
 */
import { join } from "node:path";
import { UserError } from "../errors.js";
import { PostingFile } from "../postings/posting-file.js";
import { type RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { readImageManifest, type ImageIndexManifest } from "./manifest.js";

export class ImageIndex {
  private constructor(
    readonly dir: string,
    readonly manifest: ImageIndexManifest,
    readonly tags: PostingFile,
  ) {}

  static open(dir: string): ImageIndex {
    const m = readImageManifest(dir);
    return new ImageIndex(dir, m, PostingFile.open(join(dir, m.files.tags)));
  }

  get docCount(): number {
    return this.manifest.docCount;
  }

  /** The tagger's vocabulary, in concept-list order. */
  get concepts(): readonly string[] {
    return this.manifest.concepts;
  }

  /** Whether the tagger knows the concept (exact name). */
  has(concept: string): boolean {
    return this.tags.has(concept);
  }

  /** Images tagged with the concept (an empty bitmap for an unknown concept: check has() first). */
  images(concept: string): RoaringBitmap32 {
    return this.tags.get(concept);
  }

  /** Number of images tagged with the concept, without reading its bitmap. */
  count(concept: string): number {
    return this.tags.cardinality(concept);
  }

  close(): void {
    this.tags.close();
  }
}

/** The doc counts of a text index and an image index must agree: they share one doc-id space. */
export function checkSameDocSpace(text: { dir: string; docCount: number }, image: { dir: string; docCount: number }): void {
  if (text.docCount !== image.docCount) {
    throw new UserError(
      `The text index ${text.dir} has ${text.docCount} docs but the image index ${image.dir} has ${image.docCount}: ` +
        `they must be built over the same samples (use key alignment when the image rows are in another order).`,
    );
  }
}
