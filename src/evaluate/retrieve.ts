/**
 * Zero-shot image–text retrieval from embeddings: image→text and text→image Recall@K, overall and
 * per concept.
 *
 * - Captions i·k … i·k + k − 1 (k = captions per image) belong to image i.
 * - Both sides are L2-normalised; scores are cosines. Ranking: higher score first, equal scores rank
 *   the lower index first.
 * - Image→text: an image query is correct at K when any of its captions ranks in the top K.
 *   Text→image: a caption query is correct at K when its image ranks in the top K.
 * - Exact and bounded in memory: each query's gold score (its best caption / its image) is computed
 *   in float64 first; then the similarity matrix is streamed tile by tile (a chunk of captions ×
 *   a block of images, float32 on all cores) and each query counts the wrong items that rank before
 *   its gold item — float64 re-scoring decides every item within the float32 error bound of the gold
 *   score. The count is the rank of the first correct item; Recall@K is the share of ranks < K.
 *   Memory: one caption chunk, one image block and one score tile, plus a few numbers per query.
 * - Concept-wise recall (when concepts are given): a concept's image→text recall is taken over the
 *   image queries whose image contains it, its text→image recall over the caption queries whose
 *   image contains it.
 *
 * Output: `{"i2t": {"1": {"full": %, "conceptwise": {...}}, "5": ..., "10": ...}, "t2i": {...}}`,
 * percentages rounded to 2 decimals, concepts sorted.
 */
import { UserError } from "../errors.js";
import { dot64, scoreErrorBound } from "../matrix/exact.js";
import { createSimilarityKernel, defaultBlockRows, type KernelBackend, type KernelOptions } from "../matrix/matmul.js";
import { l2NormalizeRows } from "../matrix/normalize.js";
import { isRawMatrixPath, openMatrix, type OpenMatrixOptions } from "../matrix/open.js";
import { memoryRows, type MatrixRows } from "../matrix/rows.js";
import type { ReaderOptions } from "../corpus/record.js";
import { captionTexts, imageConceptsFromCaptions } from "./caption-concepts.js";
import { formatJson, OrderedObject, ordered, percent } from "./json-output.js";

export const DEFAULT_RECALL_KS: readonly number[] = [1, 5, 10];

export interface RecallAtK {
  /** Recall over all queries, in percent (2 decimals). */
  full: number;
  /** Recall per concept, in percent (2 decimals); present when concepts were given. */
  conceptwise?: Record<string, number>;
}

export interface RetrievalResult {
  /** Image→text recall by K ("1", "5", "10"). */
  i2t: Record<string, RecallAtK>;
  /** Text→image recall by K. */
  t2i: Record<string, RecallAtK>;
}

export interface RetrievalReport {
  result: RetrievalResult;
  images: number;
  captions: number;
  captionsPerImage: number;
  dim: number;
  ks: number[];
  /** Concepts scored (after the minimum-images filter), sorted. */
  concepts: string[];
  /** Per image: the 0-based rank of its best-ranked caption. */
  i2tRanks: Uint32Array;
  /** Per caption: the 0-based rank of its image. */
  t2iRanks: Uint32Array;
  backend: KernelBackend;
}

export interface RetrievalInput {
  images: MatrixRows;
  /** Caption embeddings, `captionsPerImage` consecutive rows per image. */
  texts: MatrixRows;
  captionsPerImage: number;
  /** Concept -> ascending ids of the images containing it (see `imageConceptsFromCaptions`). */
  concepts?: Map<string, Int32Array>;
}

export interface RetrievalOptions extends KernelOptions {
  /** Recall cut-offs (default 1, 5, 10). */
  ks?: readonly number[];
  /** Captions per chunk held in memory as the product's fixed side (default 16,384). */
  textChunkRows?: number;
  /** Images per block (default: about 8M scores per tile). */
  blockRows?: number;
  /** Normalised images are kept in memory when they take at most this many bytes (default 1 GiB). */
  imageCacheBytes?: number;
  /** Called after each tile with the fraction of the work done. */
  onProgress?: (fraction: number) => void;
}

/** Checks that the image and text embeddings line up (same dimension, captionsPerImage texts per image). */
export function checkRetrievalShapes(images: MatrixRows, texts: MatrixRows, captionsPerImage: number): void {
  if (!Number.isInteger(captionsPerImage) || captionsPerImage <= 0) throw new UserError("Captions per image must be a positive integer.");
  if (texts.cols !== images.cols) {
    throw new UserError(
      `The image embeddings have dimension ${images.cols} but the text embeddings have dimension ${texts.cols}.`,
    );
  }
  if (images.rows === 0) throw new UserError("There are no image embeddings.");
  if (texts.rows !== images.rows * captionsPerImage) {
    throw new UserError(
      `There are ${texts.rows} text embeddings, but ${images.rows} images × ${captionsPerImage} captions per image need ${images.rows * captionsPerImage}.`,
    );
  }
}

function readNormalized(m: MatrixRows, start: number, count: number, out?: Float32Array): Float32Array {
  const rows = m.readRows(start, count, out);
  l2NormalizeRows(rows, count, m.cols, { source: m.source, firstRow: start });
  return rows;
}

/** Image→text and text→image Recall@K from embeddings. */
export async function retrieveZeroShot(input: RetrievalInput, options: RetrievalOptions = {}): Promise<RetrievalReport> {
  const { texts, captionsPerImage: cpi } = input;
  let images = input.images;
  checkRetrievalShapes(images, texts, cpi);
  const d = images.cols;
  const nI = images.rows;
  const nT = texts.rows;
  const ks = [...(options.ks ?? DEFAULT_RECALL_KS)];
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k <= 0)) throw new UserError("Recall cut-offs must be positive integers.");
  const bound = scoreErrorBound(d);

  // Keep the normalised images in memory when they are small enough: they are read once per chunk.
  let ownImages = false;
  if (nI * d * 4 <= (options.imageCacheBytes ?? 2 ** 30)) {
    images = memoryRows(readNormalized(images, 0, nI), nI, d, images.source);
    ownImages = true;
  }
  const imageRows = (start: number, count: number, out?: Float32Array) =>
    ownImages ? images.readRows(start, count, out) : readNormalized(images, start, count, out);

  // Pass 1: gold scores in float64.
  const goldI = new Float64Array(nI); // best score among an image's captions
  const goldCap = new Int32Array(nI); // the best caption (lowest index among equal scores)
  const goldT = new Float64Array(nT); // a caption's score with its own image
  const goldBlock = Math.max(1, Math.min(nI, 4096));
  for (let start = 0; start < nI; start += goldBlock) {
    const count = Math.min(goldBlock, nI - start);
    const iv = imageRows(start, count);
    const tv = readNormalized(texts, start * cpi, count * cpi);
    for (let r = 0; r < count; r++) {
      let best = -Infinity;
      let bestCap = 0;
      for (let c = 0; c < cpi; c++) {
        const s = dot64(iv, r * d, tv, (r * cpi + c) * d, d);
        const t = (start + r) * cpi + c;
        goldT[t] = s;
        if (s > best) {
          best = s;
          bestCap = t;
        }
      }
      goldI[start + r] = best;
      goldCap[start + r] = bestCap;
    }
  }

  // Pass 2: count, for every query, the wrong items ranked before its gold item.
  const beatI = new Uint32Array(nI);
  const beatT = new Uint32Array(nT);
  const chunkRows = Math.max(1, Math.min(nT, options.textChunkRows ?? 16384));
  const blockRows = Math.max(1, Math.min(nI, options.blockRows ?? defaultBlockRows(chunkRows)));
  const chunks = Math.ceil(nT / chunkRows);
  const blocksPerChunk = Math.ceil(nI / blockRows);
  let tilesDone = 0;
  let backend: KernelBackend = "js";
  const imageBuffer = new Float32Array(blockRows * d);
  for (let tc = 0; tc < nT; tc += chunkRows) {
    const cnt = Math.min(chunkRows, nT - tc);
    const chunk = readNormalized(texts, tc, cnt);
    const loT = new Float64Array(cnt);
    const hiT = new Float64Array(cnt);
    for (let c = 0; c < cnt; c++) {
      loT[c] = goldT[tc + c]! - bound;
      hiT[c] = goldT[tc + c]! + bound;
    }
    const kernel = await createSimilarityKernel(chunk, cnt, d, options);
    backend = kernel.backend;
    try {
      for (let is = 0; is < nI; is += blockRows) {
        const n = Math.min(blockRows, nI - is);
        const iv = imageRows(is, n, imageBuffer);
        const S = await kernel.scores(iv, n);
        for (let r = 0; r < n; r++) {
          const i = is + r;
          const gI = goldI[i]!;
          const loI = gI - bound;
          const hiI = gI + bound;
          const gCap = goldCap[i]!;
          const capLo = i * cpi - tc; // the image's own captions, in chunk coordinates
          const capHi = capLo + cpi;
          const rowOff = r * cnt;
          let beat = 0;
          for (let c = 0; c < cnt; c++) {
            const s = S[rowOff + c]!;
            if (s >= loI && (c < capLo || c >= capHi)) {
              if (s > hiI) beat++;
              else {
                const e = dot64(iv, r * d, chunk, c * d, d);
                if (e > gI || (e === gI && tc + c < gCap)) beat++;
              }
            }
            if (s >= loT[c]!) {
              const t = tc + c;
              const own = Math.floor(t / cpi);
              if (own !== i) {
                if (s > hiT[c]!) beatT[t]!++;
                else {
                  const e = dot64(iv, r * d, chunk, c * d, d);
                  const g = goldT[t]!;
                  if (e > g || (e === g && i < own)) beatT[t]!++;
                }
              }
            }
          }
          beatI[i]! += beat;
        }
        tilesDone++;
        options.onProgress?.(tilesDone / (chunks * blocksPerChunk));
      }
    } finally {
      await kernel.release();
    }
  }

  const concepts = input.concepts ?? new Map<string, Int32Array>();
  const conceptNames = [...concepts.keys()].sort();
  const recall = (ranks: Uint32Array, k: number, ids: Iterable<number>, perId: number): number => {
    let hit = 0;
    let total = 0;
    for (const id of ids) {
      for (let q = id * perId; q < (id + 1) * perId; q++) {
        total++;
        if (ranks[q]! < k) hit++;
      }
    }
    return percent(hit, total);
  };
  const all = (n: number) => ({ [Symbol.iterator]: function* () { for (let i = 0; i < n; i++) yield i; } });
  const side = (ranks: Uint32Array, perImage: number): Record<string, RecallAtK> => {
    const out: Record<string, RecallAtK> = {};
    for (const k of ks) {
      const entry: RecallAtK = { full: recall(ranks, k, all(nI), perImage) };
      if (input.concepts !== undefined) {
        entry.conceptwise = Object.fromEntries(conceptNames.map((name) => [name, recall(ranks, k, concepts.get(name)!, perImage)]));
      }
      out[String(k)] = entry;
    }
    return out;
  };
  const result: RetrievalResult = { i2t: side(beatI, 1), t2i: side(beatT, cpi) };
  if (ownImages) images.close();
  return { result, images: nI, captions: nT, captionsPerImage: cpi, dim: d, ks, concepts: conceptNames, i2tRanks: beatI, t2iRanks: beatT, backend };
}

/** The result file's JSON text (K in the order asked, concepts sorted). */
export function formatRetrieval(report: RetrievalReport): string {
  const side = (byK: Record<string, RecallAtK>) =>
    new OrderedObject(
      report.ks.map((k) => {
        const e = byK[String(k)]!;
        const conceptwise = e.conceptwise === undefined ? undefined : ordered(e.conceptwise, report.concepts);
        return [String(k), new OrderedObject([["full", e.full], ["conceptwise", conceptwise]])] as const;
      }),
    );
  return formatJson(new OrderedObject([["i2t", side(report.result.i2t)], ["t2i", side(report.result.t2i)]]));
}

export interface RetrieveFiles extends RetrievalOptions {
  imageEmbeddings: string;
  textEmbeddings: string;
  captionsPerImage: number;
  /** Caption file (one caption per text embedding, in order) for concept-wise recall. */
  captions?: string;
  /** Reader options for the caption file (format, text column, header). */
  captionReader?: ReaderOptions;
  /** Concepts present in fewer images are not scored (default 10). */
  minImages?: number;
  /** Row dimension for raw .f16/.f32 files; tensor names for .safetensors files. */
  dim?: number;
  imageTensor?: string;
  textTensor?: string;
}

/** `conceptfreq eval retrieve`: reads the files (and captions, when given) and scores retrieval. */
export async function retrieveFiles(files: RetrieveFiles): Promise<RetrievalReport> {
  const imgOpts: OpenMatrixOptions = { dim: files.dim, tensor: files.imageTensor };
  const images = openMatrix(files.imageEmbeddings, imgOpts);
  let texts: MatrixRows | undefined;
  try {
    // Raw .f16/.f32 text files take their row length from the image embeddings unless --dim says.
    const textDim = files.dim ?? (isRawMatrixPath(files.textEmbeddings) ? images.cols : undefined);
    texts = openMatrix(files.textEmbeddings, { dim: textDim, tensor: files.textTensor });
    checkRetrievalShapes(images, texts, files.captionsPerImage);
    let concepts: Map<string, Int32Array> | undefined;
    if (files.captions !== undefined) {
      const ic = await imageConceptsFromCaptions(captionTexts(files.captions, files.captionReader), files.captionsPerImage, {
        minImages: files.minImages ?? 10,
        expectedCaptions: texts.rows,
        source: `The caption file ${files.captions}`,
      });
      concepts = ic.concepts;
    }
    return await retrieveZeroShot({ images, texts, captionsPerImage: files.captionsPerImage, concepts }, files);
  } finally {
    images.close();
    texts?.close();
  }
}
