/**
 * Importing an image tagger's output (e.g. RAM++) as an image index, in either of two forms:
 * JSONL records (tag-import-jsonl.ts) or a probability matrix (tag-import-matrix.ts).
 * A concept tags an image when its probability is >= the threshold (then the k best with --top-k).
 */
import { existsSync, statSync } from "node:fs";
import { readConceptList } from "../concepts/concept-list.js";
import { UserError } from "../errors.js";
import type { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { TextIndex } from "../text-index/text-index.js";
import { DocKeys } from "./keys.js";
import type { ImageIndexManifest, ImageInputSummary } from "./manifest.js";
import { importJsonl, isJsonl } from "./tag-import-jsonl.js";
import { importMatrix } from "./tag-import-matrix.js";
import { checkOutput, parseThresholds, writeImageIndexes } from "./write-index.js";

export interface TagImportOptions {
  /** JSONL files, or probability matrix files (.npy/.safetensors/.f16/.f32), in doc order. */
  tags: readonly string[];
  threshold: number | readonly number[] | string;
  out: string;
  /** The concept list: the vocabulary (JSONL: tags outside it are ignored) or the matrix's column names (required). */
  concepts?: string;
  /** JSONL with rows: the number of docs (default: the number of records). */
  docs?: number;
  /** JSONL with rows: take the number of docs from this text index directory. */
  textIndex?: string;
  topK?: number;
  force?: boolean;
  /** Hears of each leftover of a killed run beside the output that was removed. */
  onReclaim?: (dir: string) => void;
  /** Key alignment: the doc keys; for matrices also the keys of the matrix rows (one file per matrix). */
  docKeys?: readonly string[];
  rowKeys?: readonly string[];
  keyColumn?: string;
  onProgress?: (p: { rows: number; totalRows?: number; seconds: number }) => void;
}

export interface TagImport {
  manifests: ImageIndexManifest[];
  conceptCounts: number[][];
  /** JSONL: tag names not in the concept list (ignored), with how many records carried each. */
  unknownTags: Map<string, number>;
  seconds: number;
}

/** Imports tag files (all JSONL or all matrices) and writes one image index per threshold (see the module comment). */
export async function importImageTags(opts: TagImportOptions): Promise<TagImport> {
  const started = process.hrtime.bigint();
  if (opts.tags.length === 0) throw new UserError("image-index import needs at least one tag file (--tags).");
  for (const p of opts.tags) if (!existsSync(p) || !statSync(p).isFile()) throw new UserError(`cannot read the tag file ${p}: no such file.`);
  const kinds = new Set(opts.tags.map(isJsonl));
  if (kinds.size > 1) throw new UserError("--tags mixes JSONL files and matrix files; import one form at a time.");
  const thresholds = parseThresholds(opts.threshold);
  const outside = thresholds.find((t) => t < 0 || t > 1);
  if (outside !== undefined) throw new UserError(`--threshold ${outside} is outside 0..1: a tagger's probabilities lie in 0..1, so it would tag ${outside > 1 ? "nothing" : "everything"}.`);
  if (opts.topK !== undefined && (!Number.isInteger(opts.topK) || opts.topK < 1)) throw new UserError(`--top-k must be a positive integer, not ${opts.topK}.`);
  if (opts.docs !== undefined && (!Number.isInteger(opts.docs) || opts.docs < 0)) throw new UserError(`--docs must be a non-negative integer, not ${opts.docs}.`);
  checkOutput(opts.out, opts.force);
  if (opts.textIndex !== undefined) {
    const t = TextIndex.open(opts.textIndex);
    const n = t.docCount;
    t.close();
    if (opts.docs !== undefined && opts.docs !== n) throw new UserError(`--docs ${opts.docs} disagrees with the ${n} docs of ${opts.textIndex}.`);
    opts = { ...opts, docs: n };
  }
  const list = opts.concepts !== undefined ? readConceptList(opts.concepts) : undefined;
  if (list && list.duplicates > 0 && !isJsonl(opts.tags[0]!)) {
    throw new UserError(`${opts.concepts} repeats concept names (${list.duplicates}); each matrix column needs its own name.`);
  }
  const docKeys = opts.docKeys && opts.docKeys.length > 0 ? await DocKeys.read(opts.docKeys, opts.keyColumn) : undefined;
  if (!docKeys && opts.rowKeys && opts.rowKeys.length > 0) throw new UserError("--row-keys needs the doc keys too (--keys).");
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const r = isJsonl(opts.tags[0]!)
    ? await importJsonl(opts, thresholds, list?.concepts, docKeys, seconds)
    : await importMatrix(opts, thresholds, requireList(list?.concepts), docKeys, seconds);
  const manifests = writeImageIndexes(
    opts.out,
    thresholds,
    {
      source: "tags",
      docCount: r.docCount,
      inputs: r.inputs,
      alignment: docKeys
        ? {
            by: "key",
            docKeys: [...opts.docKeys!],
            rowKeys: [...(opts.rowKeys ?? [])],
            unmatchedRows: docKeys.unmatchedRows,
            docsWithoutImage: docKeys.docsWithoutImage(),
          }
        : { by: "row" },
      topK: opts.topK ?? null,
      conceptEmbeddings: null,
      conceptList: list?.source ?? null,
      concepts: r.concepts,
    },
    r.bitmapOf,
    { force: opts.force, startedAt: started, onReclaim: opts.onReclaim },
  );
  const conceptCounts = thresholds.map((_, l) => r.concepts.map((__, c) => r.bitmapOf(l, c).size));
  return { manifests, conceptCounts, unknownTags: r.unknownTags, seconds: seconds() };
}

function requireList(concepts: string[] | undefined): string[] {
  if (!concepts) throw new UserError("A probability matrix needs its column names: pass the concept list (--concepts).");
  return concepts;
}

/** What either importer read: the docs, the inputs, the concepts (in index order) and a bitmap per threshold level and concept. */
export interface ImportedTags {
  docCount: number;
  inputs: ImageInputSummary[];
  concepts: string[];
  bitmapOf: (level: number, concept: number) => RoaringBitmap32;
  unknownTags: Map<string, number>;
}
