/**
 * Importing a tagger's JSONL output: one line per image, {"row": n, "tags": {"concept": prob, ...}} —
 * `row` is the doc id — or {"key": "...", "tags": {...}} with key alignment (the doc keys). "tags" may
 * also be a list of names (already thresholded: probability 1). Several files are read as one stream.
 */
import { createReadStream } from "node:fs";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import { UserError } from "../errors.js";
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { compareCodePoints } from "../code-point-order.js";
import type { DocKeys } from "./keys.js";
import type { ImageInputSummary } from "./manifest.js";
import { selectTags } from "./select-tags.js";
import { TagAccumulator } from "./tag-accumulator.js";
import type { ImportedTags, TagImportOptions } from "./tag-import.js";

const JSONL_EXT = new Set([".jsonl", ".json", ".ndjson"]);

/** Whether a tag file is JSONL (by its extension); any other is a probability matrix. */
export function isJsonl(path: string): boolean {
  return JSONL_EXT.has(extname(path).toLowerCase());
}

/** Reads the JSONL tag files (one record per image) into one bitmap per concept and threshold. */
export async function importJsonl(
  opts: TagImportOptions,
  thresholds: number[],
  listed: string[] | undefined,
  docKeys: DocKeys | undefined,
  seconds: () => number,
): Promise<ImportedTags> {
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

