/**
 * The embedding tagger: a concept tags an image when the cosine similarity of their embeddings is at
 * or above a threshold (optionally keeping only the k best per image).
 *
 * Image embeddings stream in blocks of rows from each file in turn (row r of the k-th file is the doc
 * after all rows of the earlier files, like the text index's caption rows; or the doc whose key the
 * row carries, with key alignment). Each block is L2-normalised and multiplied by the normalised
 * concept matrix on all cores (matrix/matmul.ts); tags are decided per block (select-tags.ts) for all
 * thresholds of a sweep at once. Memory: the concept matrix, one block of rows and its scores, and the
 * tag bitmaps.
 */
import { readConceptList } from "../concepts/concept-list.js";
import { UserError } from "../errors.js";
import { dot64, scoreErrorBound } from "../matrix/exact.js";
import { createSimilarityKernel, type KernelBackend } from "../matrix/matmul.js";
import { averageTemplates, l2NormalizeRows } from "../matrix/normalize.js";
import { openMatrix, readMatrix } from "../matrix/open.js";
import type { MatrixRows } from "../matrix/rows.js";
import { DocKeys, readKeys } from "./keys.js";
import type { ImageIndexManifest, ImageInputSummary } from "./manifest.js";
import { selectTags } from "./select-tags.js";
import { TagAccumulator } from "./tag-accumulator.js";
import { checkOutput, parseThresholds, writeImageIndexes } from "./write-index.js";

export interface TagProgress {
  rows: number;
  totalRows: number;
  seconds: number;
}

export interface EmbeddingTagOptions {
  /** Image embedding files (.npy, .safetensors, .f16/.f32 with `dim`), in doc order. */
  embeddings: readonly string[];
  /** Concept embeddings: concepts × perConcept rows, concept-major, in concept-list order. */
  conceptEmbeddings: string;
  /** Concept list (file or builtin:NAME): the names of the concept rows. */
  concepts: string;
  /** One threshold, or several (a sweep: one index per threshold under `out`). "0.2,0.25" accepted. */
  threshold: number | readonly number[] | string;
  out: string;
  /** Row dimension of raw .f16/.f32 files (default: the concept embeddings'); checked against the other formats. */
  dim?: number;
  /** Rows per concept in the concept embeddings (prompt or description ensembles), default 1. */
  perConcept?: number;
  /** Keep at most this many tags per image (the highest similarities). */
  topK?: number;
  force?: boolean;
  /** Hears of each leftover of a killed run beside the output that was removed. */
  onReclaim?: (dir: string) => void;
  /** Key alignment: the doc keys (doc-id order) and the key files of the embedding rows (one per embedding file). */
  docKeys?: readonly string[];
  rowKeys?: readonly string[];
  keyColumn?: string;
  /** Image rows per block (default: `tagBlockRows`). */
  blockRows?: number;
  /** Kernel threads (default: all cores) and backend (default: onnxruntime when it loads). */
  threads?: number;
  backend?: KernelBackend | "auto";
  onProgress?: (p: TagProgress) => void;
}

export interface ImageIndexBuild {
  /** One manifest per threshold, ascending. */
  manifests: ImageIndexManifest[];
  /** Images tagged with each concept, per threshold: conceptCounts[level][concept]. */
  conceptCounts: number[][];
  /** The kernel that computed the similarities. */
  backend: KernelBackend | "none";
  seconds: number;
}

/** Reads and normalises the concept embeddings (averaging prompt ensembles). */
export function loadConceptMatrix(
  path: string,
  conceptCount: number,
  opts: { perConcept?: number; dim?: number } = {},
): { data: Float32Array; rows: number; dim: number } {
  const k = opts.perConcept ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new UserError(`--per-concept must be a positive integer, not ${k}.`);
  const m = readMatrix(path, { dim: opts.dim });
  if (m.rows !== conceptCount * k) {
    throw new UserError(
      `${path} has ${m.rows} rows but the concept list has ${conceptCount} concepts` +
        (k > 1 ? ` × ${k} rows per concept = ${conceptCount * k}.` : ` (use --per-concept when each concept has several rows).`),
    );
  }
  if (k > 1) return { data: averageTemplates(m.data, conceptCount, k, m.cols, { source: path }), rows: m.rows, dim: m.cols };
  l2NormalizeRows(m.data, m.rows, m.cols, { source: path });
  return { data: m.data, rows: m.rows, dim: m.cols };
}

/**
 * Image rows per block against m concepts: about 4M scores (16 MB) per block, 64–1,024 rows. On the
 * 2-core bench machine, 1,024-row blocks × 4,029 concepts ran the whole build faster than 520 or
 * 2,048 (fewer calls into onnxruntime than small blocks; the score block still in cache).
 */
export function tagBlockRows(m: number): number {
  return Math.max(64, Math.min(1024, Math.floor((4 * 1024 * 1024) / Math.max(1, m))));
}

export async function buildImageIndexFromEmbeddings(opts: EmbeddingTagOptions): Promise<ImageIndexBuild> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  if (opts.embeddings.length === 0) throw new UserError("image-index build needs at least one embedding file (--embeddings).");
  const thresholds = parseThresholds(opts.threshold);
  if (opts.topK !== undefined && (!Number.isInteger(opts.topK) || opts.topK < 1)) throw new UserError(`--top-k must be a positive integer, not ${opts.topK}.`);
  checkOutput(opts.out, opts.force);
  const list = readConceptList(opts.concepts);
  if (list.duplicates > 0) {
    throw new UserError(`${opts.concepts} repeats concept names (${list.duplicates}); each concept embedding row needs its own name.`);
  }
  const concepts = loadConceptMatrix(opts.conceptEmbeddings, list.concepts.length, { perConcept: opts.perConcept, dim: opts.dim });
  const d = concepts.dim;
  const m = list.concepts.length;

  // Open every shard first: shapes are checked before any work.
  const readers: MatrixRows[] = [];
  try {
    for (const p of opts.embeddings) {
      const r = openMatrix(p, { dim: opts.dim ?? d });
      readers.push(r);
    }
    const byKey = opts.docKeys !== undefined && opts.docKeys.length > 0;
    if (!byKey && opts.rowKeys && opts.rowKeys.length > 0) throw new UserError("--row-keys needs the doc keys too (--keys).");
    if (byKey && (opts.rowKeys?.length ?? 0) !== readers.length) {
      throw new UserError(`Key alignment needs one row-key file per embedding file (${readers.length}), got ${opts.rowKeys?.length ?? 0}.`);
    }
    const docKeys = byKey ? await DocKeys.read(opts.docKeys!, opts.keyColumn) : undefined;
    const totalRows = readers.reduce((a, r) => a + r.rows, 0);
    const docCount = docKeys ? docKeys.docCount : totalRows;
    if (docCount > 0xffffffff) throw new UserError("an image index holds at most 4,294,967,296 docs (32-bit doc ids).");

    const acc = new TagAccumulator(thresholds.length, m);
    const bound = scoreErrorBound(d);
    const blockRows = opts.blockRows ?? tagBlockRows(m);
    const kernel = await createSimilarityKernel(concepts.data, m, d, { backend: opts.backend, threads: opts.threads });
    const inputs: ImageInputSummary[] = readers.map((r, f) => ({
      path: r.source,
      rows: r.rows,
      firstDoc: docKeys ? null : readers.slice(0, f).reduce((a, x) => a + x.rows, 0),
    }));
    // One block at a time: onnxruntime-node runs the product synchronously in this thread (its
    // intra-op pool uses every core meanwhile). Running it in a worker thread so that reading and tag
    // selection overlap it was measured slower on the 2-core bench machine: the extra busy thread
    // stalls the kernel's thread pool more than the overlap gains.
    const buffer = new Float32Array(blockRows * d);
    let done = 0;
    try {
      for await (const { rows, n, docOf } of imageBlocks(readers, buffer, blockRows, docKeys ? { docKeys, rowKeys: opts.rowKeys!, keyColumn: opts.keyColumn } : undefined)) {
        const scores = await kernel.scores(rows, n);
        const rescore = (row: number, concept: number) => dot64(rows, row * d, concepts.data, concept * d, d);
        selectTags(scores, n, m, { thresholds, topK: opts.topK, bound, rescore }, (level, row, concept) => {
          const doc = docOf[row]!;
          if (doc >= 0) acc.add(level, concept, doc);
        });
        done += n;
        opts.onProgress?.({ rows: done, totalRows, seconds: seconds() });
      }
    } finally {
      await kernel.release();
    }
    const manifests = writeImageIndexes(
      opts.out,
      thresholds,
      {
        source: "embeddings",
        docCount,
        inputs,
        alignment: docKeys
          ? {
              by: "key",
              docKeys: [...opts.docKeys!],
              rowKeys: [...opts.rowKeys!],
              unmatchedRows: docKeys.unmatchedRows,
              docsWithoutImage: docKeys.docsWithoutImage(),
            }
          : { by: "row" },
        topK: opts.topK ?? null,
        conceptEmbeddings: { path: opts.conceptEmbeddings, rows: concepts.rows, perConcept: opts.perConcept ?? 1, dim: d },
        conceptList: list.source,
        concepts: list.concepts,
      },
      (level, c) => acc.bitmap(level, c),
      { force: opts.force, startedAt: started, onReclaim: opts.onReclaim },
    );
    const conceptCounts = thresholds.map((_, l) => list.concepts.map((__, c) => acc.bitmap(l, c).size));
    return { manifests, conceptCounts, backend: kernel.backend, seconds: seconds() };
  } finally {
    for (const r of readers) r.close();
  }
}

interface ImageBlock {
  /** Normalised rows (n × d), in the buffer. */
  rows: Float32Array;
  n: number;
  /** The doc id of each row; -1 when no doc has the row's key (the row is dropped). */
  docOf: Float64Array;
}

/**
 * The image rows of every file in turn, in blocks of at most `blockRows`, read into the buffer and
 * L2-normalised, each with its rows' doc ids (row order, or the doc keys). A block is valid until
 * the next one is asked for.
 */
async function* imageBlocks(
  readers: readonly MatrixRows[],
  buffer: Float32Array,
  blockRows: number,
  keys: { docKeys: DocKeys; rowKeys: readonly string[]; keyColumn?: string } | undefined,
): AsyncGenerator<ImageBlock> {
  let firstDoc = 0;
  for (let f = 0; f < readers.length; f++) {
    const reader = readers[f]!;
    const keyFile = keys?.rowKeys[f];
    const keyIter = keys ? readKeys(keyFile!, keys.keyColumn)[Symbol.asyncIterator]() : undefined;
    let keyBuf: string[] = [];
    let keyPos = 0;
    for (let start = 0; start < reader.rows; start += blockRows) {
      const n = Math.min(blockRows, reader.rows - start);
      const docOf = new Float64Array(n);
      if (keys) {
        for (let i = 0; i < n; i++) {
          while (keyPos >= keyBuf.length) {
            const next = await keyIter!.next();
            if (next.done) throw new UserError(`${keyFile} has fewer keys than ${reader.source} has rows (${reader.rows}).`);
            keyBuf = next.value;
            keyPos = 0;
          }
          docOf[i] = keys.docKeys.claim(keyBuf[keyPos++]!, `${keyFile} row ${start + i + 1}`) ?? -1;
        }
      } else {
        for (let i = 0; i < n; i++) docOf[i] = firstDoc + start + i;
      }
      const rows = reader.readRows(start, n, buffer);
      l2NormalizeRows(rows, n, reader.cols, { source: reader.source, firstRow: start });
      yield { rows, n, docOf };
    }
    if (keyIter && (keyPos < keyBuf.length || !(await keyIter.next()).done)) {
      throw new UserError(`${keyFile} has more keys than ${reader.source} has rows (${reader.rows}).`);
    }
    firstDoc += reader.rows;
  }
}
