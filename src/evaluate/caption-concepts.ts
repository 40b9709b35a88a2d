/**
 * The concepts of each image of a retrieval set, from its captions in text-embedding order, by the
 * retrieval-concept rule of concepts/image-concepts.ts.
 */
import { openCorpus } from "../corpus/open.js";
import type { ReaderOptions } from "../corpus/record.js";
import { UserError } from "../errors.js";
import { DEFAULT_MIN_IMAGES, ImageConceptTally } from "../concepts/image-concepts.js";

export interface ImageConcepts {
  /** Kept concepts, sorted, each with the ascending ids of the images that contain it. */
  concepts: Map<string, Int32Array>;
  /** Captions read. */
  captions: number;
  /** Images (captions ÷ captions per image). */
  images: number;
  /** Distinct concepts before the `minImages` filter. */
  conceptsSeen: number;
}

type CaptionSource = Iterable<string> | AsyncIterable<string> | AsyncIterable<string[]>;

async function* flatten(source: CaptionSource): AsyncGenerator<string> {
  for await (const item of source as AsyncIterable<string | string[]>) {
    if (Array.isArray(item)) yield* item;
    else yield item;
  }
}

export interface ImageConceptOptions {
  /** Concepts present in fewer images are dropped (default 10). */
  minImages?: number;
  /** The number of captions there must be (one per text embedding); another count is a UserError. */
  expectedCaptions?: number;
  /** Names the captions in error messages. */
  source?: string;
}

/**
 * Groups captions (in text-embedding order: captions i·k … i·k + k − 1 belong to image i) into
 * per-image concept sets and keeps the concepts found in at least `minImages` images.
 */
export async function imageConceptsFromCaptions(
  captions: CaptionSource,
  captionsPerImage: number,
  options: ImageConceptOptions = {},
): Promise<ImageConcepts> {
  const source = options.source ?? "The caption list";
  const tally = new ImageConceptTally();
  let n = 0;
  for await (const text of flatten(captions)) {
    tally.addCaption(text);
    n++;
    if (n % captionsPerImage === 0) tally.endImage();
  }
  if (options.expectedCaptions !== undefined && n !== options.expectedCaptions) {
    throw new UserError(`${source} has ${n} captions but there are ${options.expectedCaptions} text embeddings.`);
  }
  if (n % captionsPerImage !== 0) {
    throw new UserError(`${source} has ${n} captions, which is not a whole number of images at ${captionsPerImage} captions per image.`);
  }
  return { concepts: tally.kept(options.minImages ?? DEFAULT_MIN_IMAGES), captions: n, images: tally.images, conceptsSeen: tally.conceptsSeen };
}

/** Captions (column 0 of a TSV, or the format's text column) of a caption file, streamed. */
export async function* captionTexts(path: string, options: ReaderOptions = {}): AsyncGenerator<string[]> {
  for await (const batch of openCorpus(path, { format: "auto", ...options })) yield batch.map((row) => row.text);
}
