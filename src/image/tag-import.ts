/**
 * Importing an image tagger's output (e.g. RAM++) as an image index.
 *
 * Two forms:
 *   JSONL   one line per image: {"row": n, "tags": {"concept": prob, ...}} — `row` is the doc id — or
 *           {"key": "...", "tags": {...}} with key alignment (the doc keys). "tags" may also be a list
 *           of names (already thresholded: probability 1). Several files are read as one stream.
 *   matrix  a probability matrix (.npy, .safetensors; .f16/.f32 raw), N × C, columns in concept-list
 *           order; several files continue each other's rows, like embedding shards. Probabilities
 *           are compared with the threshold in the matrix's own precision (float16/float32), as
 *           NumPy's `probs >= t` does.
 * A concept tags an image when its probability is >= the threshold (then the k best with --top-k).
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import { readConceptList } from "../concepts/concept-list.js";
import { UserError } from "../errors.js";
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { TextIndex } from "../text-index/text-index.js";
import { float16ToNumber, float32ToFloat16 } from "../matrix/float16.js";
import { openMatrix } from "../matrix/open.js";
import type { MatrixRows } from "../matrix/rows.js";
import { DocKeys, readKeys } from "./keys.js";
import type { ImageIndexManifest, ImageInputSummary } from "./manifest.js";
import { selectTags } from "./select-tags.js";
import { TagAccumulator } from "./tag-accumulator.js";
import { checkOutput, parseThresholds, writeImageIndexes } from "./write-index.js";
import { compareCodePoints } from "../code-point-order.js";

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

const JSONL_EXT = new Set([".jsonl", ".json", ".ndjson"]);

function isJsonl(path: string): boolean {
  return JSONL_EXT.has(extname(path).toLowerCase());
}

export async function importImageTags(opts: TagImportOptions): Promise<TagImport> {
  const started = process.hrtime.bigint();
  if (opts.tags.length === 0) throw new UserError("image-index import needs at least one tag file (--tags).");
  for (const p of opts.tags) if (!existsSync(p) || !statSync(p).isFile()) throw new UserError(`cannot read the tag file ${p}: no such file.`);
  const kinds = new Set(opts.tags.map(isJsonl));
  if (kinds.size > 1) throw new UserError("--tags mixes JSONL files and matrix files; import one form at a time.");
  const thresholds = parseThresholds(opts.threshold);
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

interface Imported {
  docCount: number;
  inputs: ImageInputSummary[];
  concepts: string[];
  bitmapOf: (level: number, concept: number) => RoaringBitmap32;
  unknownTags: Map<string, number>;
}

/** Reads the JSONL tag files (one record per image) into one bitmap per concept and threshold. */
async function importJsonl(
  opts: TagImportOptions,
  thresholds: number[],
  listed: string[] | undefined,
  docKeys: DocKeys | undefined,
  seconds: () => number,
): Promise<Imported> {
  if (opts.rowKeys && opts.rowKeys.length > 0) throw new UserError("JSONL tag files carry their own keys (\"key\"); --row-keys is for matrices.");
  // Vocabulary: the concept list, or every tag name seen (sorted at the end).
  const vocab = new Map<string, number>();
  const names: string[] = [];
  if (listed) listed.forEach((c, i) => { vocab.set(c, i); names.push(c); });
  const unknownTags = new Map<string, number>();
  const acc = new TagAccumulator(thresholds.length, listed?.length ?? 0);
  const seen = new RoaringBitmap32();
  const inputs: ImageInputSummary[] = [];
  let records = 0;
  let maxRow = -1;
  let maxRowWhere = "";
  const idx: number[] = [];
  const val: number[] = [];
  for (const path of opts.tags) {
    let line = 0;
    let rowsInFile = 0;
    const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
    for await (const text of lines) {
      line++;
      if (text.trim() === "") continue;
      const where = `${path} line ${line}`;
      let rec: unknown;
      try {
        rec = JSON.parse(text);
      } catch {
        throw new UserError(`${where} is not valid JSON.`);
      }
      if (typeof rec !== "object" || rec === null || Array.isArray(rec)) throw new UserError(`${where} is not a JSON object.`);
      const { row, key, tags } = rec as { row?: unknown; key?: unknown; tags?: unknown };
      records++;
      rowsInFile++;
      let doc: number | undefined;
      if (docKeys) {
        if (typeof key !== "string") throw new UserError(`${where} has no "key" string; with --keys every record needs one.`);
        doc = docKeys.claim(key, where);
      } else {
        if (typeof row !== "number" || !Number.isInteger(row) || row < 0 || row > 0xfffffffe) {
          throw new UserError(
            key !== undefined && row === undefined
              ? `${where} names its image by "key"; pass the doc keys (--keys) to align by key.`
              : `${where} has no valid "row" (a non-negative integer doc id).`,
          );
        }
        if (seen.has(row)) throw new UserError(`${where} repeats row ${row}; each doc has one image.`);
        seen.add(row);
        if (row > maxRow) {
          maxRow = row;
          maxRowWhere = where;
        }
        doc = row;
      }
      // Collect (concept, probability), then select like a one-row score block.
      idx.length = 0;
      val.length = 0;
      const add = (name: string, p: unknown) => {
        if (typeof p !== "number" || !Number.isFinite(p)) throw new UserError(`${where}: the probability of "${name}" is not a finite number.`);
        if (name === "") throw new UserError(`${where} has a tag with an empty name.`);
        let c = vocab.get(name);
        if (c === undefined) {
          if (listed) {
            unknownTags.set(name, (unknownTags.get(name) ?? 0) + 1);
            return;
          }
          c = names.length;
          vocab.set(name, c);
          names.push(name);
        }
        idx.push(c);
        val.push(p);
      };
      if (Array.isArray(tags)) {
        for (const t of tags) {
          if (typeof t !== "string") throw new UserError(`${where}: "tags" lists a value that is not a name.`);
          add(t, 1);
        }
      } else if (typeof tags === "object" && tags !== null) {
        for (const [name, p] of Object.entries(tags)) add(name, p);
      } else {
        throw new UserError(`${where} has no "tags" object ({"concept": probability}) or list.`);
      }
      if (doc === undefined || idx.length === 0) continue;
      emitRecord(idx, val, thresholds, opts.topK, listed ? undefined : names, (level, c) => acc.add(level, c, doc));
      if (records % 100000 === 0) opts.onProgress?.({ rows: records, seconds: seconds() });
    }
    inputs.push({ path, rows: rowsInFile, firstDoc: null });
  }
  let docCount: number;
  if (docKeys) {
    docCount = docKeys.docCount;
    if (opts.docs !== undefined && opts.docs !== docCount) throw new UserError(`--docs says ${opts.docs} but the doc keys list ${docCount} docs.`);
  } else {
    docCount = opts.docs ?? records;
    if (maxRow >= docCount) {
      throw new UserError(
        `${maxRowWhere} names row ${maxRow} but there are ${docCount} docs` +
          (opts.docs === undefined ? ` (one per record); pass the doc count (--docs or --index).` : "."),
      );
    }
  }
  // Vocabulary order: list order, or sorted names.
  let order: number[];
  let concepts: string[];
  if (listed) {
    concepts = listed;
    order = listed.map((_, i) => i);
  } else {
    order = names.map((_, i) => i).sort((a, b) => compareCodePoints(names[a]!, names[b]!));
    concepts = order.map((i) => names[i]!);
  }
  return { docCount, inputs, concepts, bitmapOf: (l, c) => acc.bitmap(l, order[c]!), unknownTags };
}

/**
 * Tags of one record: thresholds and top-k like `selectTags`, ties broken by the lower concept
 * index (list order) or, without a list, the smaller name.
 */
function emitRecord(
  idx: number[],
  val: number[],
  thresholds: readonly number[],
  topK: number | undefined,
  names: string[] | undefined,
  emit: (level: number, concept: number) => void,
): void {
  // Sort by rank order of concepts so "lower index first" means the documented tie rule.
  const order = idx.map((_, q) => q);
  const rankCmp = names
    ? (a: number, b: number) => compareCodePoints(names[idx[a]!]!, names[idx[b]!]!)
    : (a: number, b: number) => idx[a]! - idx[b]!;
  order.sort(rankCmp);
  // A concept named twice in one record keeps its highest probability.
  const scores: number[] = [];
  const concepts: number[] = [];
  for (const q of order) {
    const c = idx[q]!;
    if (concepts.length > 0 && concepts[concepts.length - 1] === c) {
      scores[scores.length - 1] = Math.max(scores[scores.length - 1]!, val[q]!);
    } else {
      concepts.push(c);
      scores.push(val[q]!);
    }
  }
  selectTags(scores, 1, scores.length, { thresholds, topK }, (level, _row, j) => emit(level, concepts[j]!));
}

/** The threshold as the matrix's precision sees it (NumPy compares `float32_array >= t` in float32). */
function thresholdInPrecision(t: number, dtype: string): number {
  if (dtype === "float32") return Math.fround(t);
  if (dtype === "float16") return float16ToNumber(float32ToFloat16([t])[0]!);
  return t;
}

async function importMatrix(
  opts: TagImportOptions,
  thresholds: number[],
  concepts: string[],
  docKeys: DocKeys | undefined,
  seconds: () => number,
): Promise<Imported> {
  const m = concepts.length;
  const readers: MatrixRows[] = [];
  try {
    for (const p of opts.tags) {
      const ext = extname(p).toLowerCase();
      const r = openMatrix(p, ext === ".f16" || ext === ".f32" ? { dim: m } : {});
      readers.push(r);
      if (r.cols !== m) {
        throw new UserError(`${p} has ${r.cols} columns but the concept list ${opts.concepts} has ${m} concepts; they must match one to one.`);
      }
    }
    if (docKeys && (opts.rowKeys?.length ?? 0) !== readers.length) {
      throw new UserError(`Key alignment needs one row-key file per matrix file (${readers.length}), got ${opts.rowKeys?.length ?? 0}.`);
    }
    const totalRows = readers.reduce((a, r) => a + r.rows, 0);
    const docCount = docKeys ? docKeys.docCount : totalRows;
    if (opts.docs !== undefined && opts.docs !== docCount) {
      throw new UserError(`The tag matrices have ${docCount} ${docKeys ? "doc keys" : "rows"} but --docs says ${opts.docs}.`);
    }
    const acc = new TagAccumulator(thresholds.length, m);
    const inputs: ImageInputSummary[] = [];
    const blockRows = Math.max(1, Math.min(4096, Math.floor((4 * 1024 * 1024) / Math.max(1, m))));
    const buffer = new Float32Array(blockRows * m);
    let firstDoc = 0;
    let done = 0;
    for (let f = 0; f < readers.length; f++) {
      const reader = readers[f]!;
      const ts = thresholds.map((t) => thresholdInPrecision(t, reader.dtype));
      if (new Set(ts).size !== ts.length) {
        throw new UserError(`Two thresholds of the sweep are the same number in ${reader.dtype} precision (${reader.source}).`);
      }
      inputs.push({ path: reader.source, rows: reader.rows, firstDoc: docKeys ? null : firstDoc });
      const keyIter = docKeys ? readKeys(opts.rowKeys![f]!, opts.keyColumn)[Symbol.asyncIterator]() : undefined;
      let keyBuf: string[] = [];
      let keyPos = 0;
      for (let start = 0; start < reader.rows; start += blockRows) {
        const n = Math.min(blockRows, reader.rows - start);
        const docOf = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          if (!keyIter) {
            docOf[i] = firstDoc + start + i;
            continue;
          }
          while (keyPos >= keyBuf.length) {
            const next = await keyIter.next();
            if (next.done) throw new UserError(`${opts.rowKeys![f]} has fewer keys than ${reader.source} has rows (${reader.rows}).`);
            keyBuf = next.value;
            keyPos = 0;
          }
          docOf[i] = docKeys!.claim(keyBuf[keyPos++]!, `${opts.rowKeys![f]} row ${start + i + 1}`) ?? -1;
        }
        const scores = reader.readRows(start, n, buffer);
        for (let i = 0; i < scores.length; i++) {
          if (Number.isNaN(scores[i]!)) throw new UserError(`${reader.source} has a NaN probability in row ${start + Math.floor(i / m)}.`);
        }
        selectTags(scores, n, m, { thresholds: ts, topK: opts.topK }, (level, row, c) => {
          const doc = docOf[row]!;
          if (doc >= 0) acc.add(level, c, doc);
        });
        done += n;
        opts.onProgress?.({ rows: done, totalRows, seconds: seconds() });
      }
      if (keyIter && (keyPos < keyBuf.length || !(await keyIter.next()).done)) {
        throw new UserError(`${opts.rowKeys![f]} has more keys than ${reader.source} has rows (${reader.rows}).`);
      }
      firstDoc += reader.rows;
    }
    return { docCount, inputs, concepts, bitmapOf: (l, c) => acc.bitmap(l, c), unknownTags: new Map() };
  } finally {
    for (const r of readers) r.close();
  }
}
