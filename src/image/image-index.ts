/**
 * An open image index: its manifest and the concept -> doc-id postings of the images tagged with
 * each concept. Concept names are the tagger's vocabulary and are matched exactly.
 *
 * Opening checks the index's structure, as the text index's does: the manifest's fields, the tag
 * file's byte size against the manifest (always: it is cheap), the tag file's own structure (see
 * postings/posting-file.ts), its concepts and tag total against the manifest's, and (with `verify`)
 * its CRC32. `verifyImageIndex` checks everything, every bitmap decoded too. Damage is a UserError
 * "image index DIR is damaged: FILE: what is wrong".
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { checkFiles } from "../io/file-checksum.js";
import { PostingFile } from "../postings/posting-file.js";
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { IMAGE_MANIFEST_FILE, IMAGE_SWEEP_FILE, readImageManifest, readSweep, type ImageIndexManifest } from "./manifest.js";

export interface ImageOpenOptions {
  /** Check the tag file's CRC32 against the manifest first (reads every byte of the index). */
  verify?: boolean;
}

export class ImageIndex {
  private constructor(
    readonly dir: string,
    readonly manifest: ImageIndexManifest,
    readonly tags: PostingFile,
  ) {}

  static open(dir: string, opts: ImageOpenOptions = {}): ImageIndex {
    const m = readImageManifest(dir);
    const damaged = (name: string) => `image index ${dir} is damaged: ${name}`;
    checkFiles(dir, [m.files.tags], m.checksums, { verify: opts.verify, damaged });
    const where = damaged(m.files.tags);
    const tags = PostingFile.open(join(dir, m.files.tags), { where, docCount: m.docCount });
    try {
      const problem = (what: string) => new UserError(`${where}: ${what}.`);
      if (tags.terms().length !== m.concepts.length) throw problem(`it holds ${tags.terms().length} concepts, the manifest lists ${m.concepts.length}`);
      const unknown = m.concepts.find((c) => !tags.has(c));
      if (unknown !== undefined) throw problem(`it has no posting for the manifest's concept "${unknown}"`);
      let total = 0;
      for (const c of tags.terms()) total += tags.cardinality(c);
      if (total !== m.stats.tags) throw problem(`its postings hold ${total} tags, the manifest says ${m.stats.tags}`);
      return new ImageIndex(dir, m, tags);
    } catch (e) {
      tags.close();
      throw e;
    }
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

export interface ImageVerifyResult {
  dir: string;
  docCount: number;
  concepts: number;
  bytes: number;
  bitmaps: number;
}

/**
 * Checks a whole image index, or every index of a threshold sweep: structure, the tag file's size
 * and CRC32, every bitmap decoded and its cardinality and ids checked against its table entry and
 * the doc count, and the manifest's tagged-image count.
 */
export function verifyImageIndexes(dir: string): ImageVerifyResult[] {
  if (!existsSync(join(dir, IMAGE_MANIFEST_FILE)) && existsSync(join(dir, IMAGE_SWEEP_FILE))) {
    return readSweep(dir).indexes.map((i) => verifyImageIndex(join(dir, i.dir)));
  }
  return [verifyImageIndex(dir)];
}

function verifyImageIndex(dir: string): ImageVerifyResult {
  const index = ImageIndex.open(dir, { verify: true });
  try {
    const bitmaps = index.concepts.map((c) => index.images(c));
    const tagged = bitmaps.length === 0 ? 0 : RoaringBitmap32.orMany(bitmaps).size;
    if (tagged !== index.manifest.stats.taggedImages) {
      throw new UserError(`image index ${dir} is damaged: ${IMAGE_MANIFEST_FILE}: stats.taggedImages is ${index.manifest.stats.taggedImages}, the tags cover ${tagged} images.`);
    }
    return { dir, docCount: index.docCount, concepts: bitmaps.length, bytes: index.tags.bytes, bitmaps: bitmaps.length };
  } finally {
    index.close();
  }
}
