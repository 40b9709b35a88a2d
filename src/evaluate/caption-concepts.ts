/**
 * The concepts of each image of a retrieval set, from its captions: the noun lemmas of every caption
 * (the text index's own analysis, `analyzeCaption`), united over the image's captions. Concepts
 * present in fewer than `minImages` images are dropped (the paper keeps concepts in >= 10 images).
 */
import { openCorpus } from "../corpus/open.js";
import type { ReaderOptions } from "../corpus/record.js";
import { UserError } from "../errors.js";
import { analyzeCaption } from "../text/analyzer.js";

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

/**
 * Groups captions (in text-embedding order: captions i·k … i·k + k − 1 belong to image i) into
 * per-image concept sets and keeps the concepts found in at least `minImages` images.
 */
export interface ImageConceptOptions {
  /** Concepts present in fewer images are dropped (default 10). */
  minImages?: number;
  /** The number of captions there must be (one per text embedding); another count is a UserError. */
  expectedCaptions?: number;
  /** Names the captions in error messages. */
  source?: string;
}

export async function imageConceptsFromCaptions(
  captions: CaptionSource,
  captionsPerImage: number,
  options: ImageConceptOptions = {},
): Promise<ImageConcepts> {
  const minImages = options.minImages ?? 10;
  const source = options.source ?? "The caption list";
  const lists = new Map<string, number[]>();
  let current = new Set<string>();
  let n = 0;
  const flush = (image: number) => {
    for (const c of current) {
      let list = lists.get(c);
      if (list === undefined) lists.set(c, (list = []));
      list.push(image);
    }
    current = new Set();
  };
  for await (const text of flatten(captions)) {
    for (const lemma of analyzeCaption(text)) current.add(lemma);
    n++;
    if (n % captionsPerImage === 0) flush(n / captionsPerImage - 1);
  }
  if (options.expectedCaptions !== undefined && n !== options.expectedCaptions) {
    throw new UserError(`${source} has ${n} captions but there are ${options.expectedCaptions} text embeddings.`);
  }
  if (n % captionsPerImage !== 0) {
    throw new UserError(`${source} has ${n} captions, which is not a whole number of images at ${captionsPerImage} captions per image.`);
  }
  const concepts = new Map<string, Int32Array>();
  for (const c of [...lists.keys()].sort()) {
    const list = lists.get(c)!;
    if (list.length >= minImages) concepts.set(c, Int32Array.from(list));
  }
  return { concepts, captions: n, images: n / captionsPerImage, conceptsSeen: lists.size };
}

/** Captions (column 0 of a TSV, or the format's text column) of a caption file, streamed. */
export async function* captionTexts(path: string, options: ReaderOptions = {}): AsyncGenerator<string[]> {
  for await (const batch of openCorpus(path, { format: "auto", ...options })) yield batch.map((row) => row.text);
}
