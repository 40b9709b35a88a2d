/**
 * Importing a tagger's probability matrix (.npy, .safetensors; .f16/.f32 raw): N × C, columns in
 * concept-list order; several files continue each other's rows, like embedding shards. Probabilities
 * are compared with the threshold in the matrix's own precision (float16/float32), as NumPy's
 * `probs >= t` does.
 */
import { extname } from "node:path";
import { UserError } from "../errors.js";
import { float16ToNumber, float32ToFloat16 } from "../matrix/float16.js";
import { openMatrix } from "../matrix/open.js";
import type { MatrixRows } from "../matrix/rows.js";
import { readKeys, type DocKeys } from "./keys.js";
import type { ImageInputSummary } from "./manifest.js";
import { selectTags } from "./select-tags.js";
import { TagAccumulator } from "./tag-accumulator.js";
import type { ImportedTags, TagImportOptions } from "./tag-import.js";

/** The threshold as the matrix's precision sees it (NumPy compares `float32_array >= t` in float32). */
function thresholdInPrecision(t: number, dtype: string): number {
  if (dtype === "float32") return Math.fround(t);
  if (dtype === "float16") return float16ToNumber(float32ToFloat16([t])[0]!);
  return t;
}

/** Reads the probability matrices (rows in doc order, or aligned by row keys) into one bitmap per concept and threshold. */
export async function importMatrix(
  opts: TagImportOptions,
  thresholds: number[],
  concepts: string[],
  docKeys: DocKeys | undefined,
  seconds: () => number,
): Promise<ImportedTags> {
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
