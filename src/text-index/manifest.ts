/**
 * The index manifest (manifest.json): what an index holds and how it was built.
 * An index whose format version this build does not read, or whose analyzer version differs from this build's, is refused.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { refuseUnfinished } from "../io/file-system.js";
import { ANALYZER } from "../text/analyzer-version.js";
import type { ByteRange, MalformedKind } from "../corpus/record.js";
import { badChecksumEntry, fileChecksums as checksumsOf, type FileCheck } from "../io/file-checksum.js";
import type { CaptionCodec } from "./caption-store.js";
import { SAMPLE_DOC_IDS, SAMPLE_METHOD, type SampleInfo } from "./sample.js";

export const TEXT_INDEX_FORMAT = "conceptfreq-text-index";
/**
 * 3: each caption's phrase-token sequence (phrase-tokens.txt, positions.bin, positions.offsets; issue 15).
 * 4: the captions compressed in blocks (captions.blocks, captions.offsets per block), and each
 *    positions block's record ends at its head (issue 15).
 * 5: the caption blocks compressed with Brotli (quality 0) and no preset dictionary, 2.6x faster to
 *    write than format 4's DEFLATE (issue 15's build time). Format 4 is still read.
 */
export const TEXT_INDEX_FORMAT_VERSION = 5;
/** The format versions read: 4 (2026-12-02 to 2026-12-04) differs from 5 only in how its captions are compressed. */
export const READ_TEXT_INDEX_FORMAT_VERSIONS: readonly number[] = [4, 5];

/** How an index's caption blocks are compressed, by its format version. */
export function captionCodec(m: Pick<TextIndexManifest, "formatVersion">): CaptionCodec {
  return m.formatVersion === 4 ? "deflate" : "brotli";
}
export const MANIFEST_FILE = "manifest.json";

export type MalformedCounts = Partial<Record<MalformedKind, number>>;

export interface InputSummary {
  path: string;
  format: string;
  bytes: number;
  /** Rows read: every row is a doc, malformed ones included (they index nothing). */
  rows: number;
  /** Rows not analysed, by kind. */
  skipped: MalformedCounts;
  /** Doc id of the input's first row. */
  firstDoc: number;
  /** Sampled index only: rows read from this input, kept or not (`rows` counts the kept ones). */
  rowsSeen?: number;
  /** Only this row range of the file was read (a corpus plan's: bytes, or Parquet row groups); `bytes` is what it weighs. */
  range?: ByteRange;
}

export interface TextIndexManifest {
  format: typeof TEXT_INDEX_FORMAT;
  formatVersion: number;
  analyzer: { name: string; version: string };
  docCount: number;
  inputs: InputSummary[];
  skipped: MalformedCounts;
  /** Distinct noun lemmas, terms, and phrase tokens (the phrase-token dictionary's lines). */
  vocabulary: { nouns: number; terms: number; phraseTokens: number };
  files: { nouns: string; terms: string; captions: string; offsets: string; phraseTokens: string; positions: string; positionsOffsets: string };
  /** Byte size and CRC32 of each file in `files`, by file name (format version 2 on). */
  checksums: Record<string, FileCheck>;
  /** Reader options the inputs were read with. */
  reader: { format: string; header: boolean; textColumn: string | null };
  buildSeconds: number;
  /**
   * A sampled index (`index build --sample`): the rate, seed and full row count; docs are the sampled
   * rows, with dense ids. Optional, so the format version is unchanged: a conceptfreq older than this
   * field reads a sampled index as a full one (its counts are then the sample's raw counts).
   */
  sample?: SampleInfo;
}

export function readTextManifest(dir: string): TextIndexManifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) {
    // a corpus of shards (corpus.json, plan.json: corpus-set/) where this command takes one index
    if (existsSync(join(dir, "corpus.json")) || existsSync(join(dir, "plan.json"))) {
      throw new UserError(`${dir} is a corpus of shards, not one text index; this command takes one index (count, search, cooccur, misalignment, study, index verify and audit take a corpus), e.g. one of its shards, ${join(dir, "shards", "0")}.`);
    }
    throw new UserError(`${dir} is not a conceptfreq index (no ${MANIFEST_FILE}).`);
  }
  refuseUnfinished(dir, "index");
  let m: TextIndexManifest;
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as TextIndexManifest;
  } catch {
    throw new UserError(`index ${dir} is damaged: ${MANIFEST_FILE}: it is not valid JSON.`);
  }
  if (typeof m !== "object" || m === null || Array.isArray(m)) throw new UserError(`index ${dir} is damaged: ${MANIFEST_FILE}: it is not a JSON object.`);
  if (m.format !== TEXT_INDEX_FORMAT) {
    if (m.format === "conceptfreq-image-index") throw new UserError(`${dir} is an image index, not a text index (it goes to --image-index; check it with image-index verify).`);
    throw new UserError(`${dir} is not a text index (format "${String(m.format)}").`);
  }
  if (!READ_TEXT_INDEX_FORMAT_VERSIONS.includes(m.formatVersion)) {
    throw new UserError(
      `${dir} has index format version ${m.formatVersion}; this conceptfreq reads versions ${READ_TEXT_INDEX_FORMAT_VERSIONS.join(" and ")}: rebuild the index.`,
    );
  }
  if (m.analyzer?.name !== ANALYZER.name || m.analyzer?.version !== ANALYZER.version) {
    throw new UserError(
      `${dir} was built with analyzer ${m.analyzer?.name}@${m.analyzer?.version}, not ${ANALYZER.name}@${ANALYZER.version}: rebuild the index.`,
    );
  }
  checkManifestFields(dir, m);
  return m;
}

const TEXT_INDEX_FILE_KEYS = ["nouns", "terms", "captions", "offsets", "phraseTokens", "positions", "positionsOffsets"] as const;

const isCount = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** A file name inside the index directory (never a path out of it). */
const isFileName = (v: unknown): v is string => typeof v === "string" && /^[A-Za-z0-9._-]+$/.test(v) && v !== "." && v !== "..";

/** Every field a reader uses is present and well-typed: one sentence naming the first that is not. */
function checkManifestFields(dir: string, m: TextIndexManifest): void {
  const bad = (field: string, what: string) => new UserError(`index ${dir} is damaged: ${MANIFEST_FILE}: ${field} is missing or not ${what}.`);
  if (!isCount(m.docCount, 0x100000000)) throw bad("docCount", "a doc count");
  if (!Array.isArray(m.inputs)) throw bad("inputs", "a list");
  let rows = 0;
  for (const [i, inp] of m.inputs.entries()) {
    if (!isObject(inp) || !isCount(inp.rows) || !isCount(inp.firstDoc) || typeof inp.path !== "string") throw bad(`inputs[${i}]`, "an input (path, rows, firstDoc)");
    if (inp.firstDoc !== rows) throw new UserError(`index ${dir} is damaged: ${MANIFEST_FILE}: inputs[${i}].firstDoc is ${inp.firstDoc}, not ${rows} (the rows before it).`);
    rows += inp.rows;
  }
  if (rows !== m.docCount) throw new UserError(`index ${dir} is damaged: ${MANIFEST_FILE}: its inputs hold ${rows} rows, but docCount is ${m.docCount}.`);
  if (!isObject(m.skipped)) throw bad("skipped", "an object");
  if (!isObject(m.vocabulary) || !isCount(m.vocabulary.nouns) || !isCount(m.vocabulary.terms) || !isCount(m.vocabulary.phraseTokens)) {
    throw bad("vocabulary", "the noun, term and phrase-token counts");
  }
  if (!isObject(m.reader)) throw bad("reader", "an object");
  if (!isObject(m.files)) throw bad("files", "an object");
  for (const key of TEXT_INDEX_FILE_KEYS) {
    if (!isFileName(m.files[key])) throw bad(`files.${key}`, "a file name");
  }
  if (new Set(Object.values(m.files)).size !== TEXT_INDEX_FILE_KEYS.length) throw new UserError(`index ${dir} is damaged: ${MANIFEST_FILE}: files names one file twice.`);
  if (m.sample !== undefined) checkSampleFields(dir, m);
  if (!isObject(m.checksums)) throw bad("checksums", "an object");
  const badEntry = badChecksumEntry(m.checksums, Object.values(m.files));
  if (badEntry !== undefined) throw bad(`checksums["${badEntry}"]`, "a byte size and CRC32");
}

function checkSampleFields(dir: string, m: TextIndexManifest): void {
  const s = m.sample as unknown;
  const bad = (field: string, what: string) => new UserError(`index ${dir} is damaged: ${MANIFEST_FILE}: sample.${field} is missing or not ${what}.`);
  if (!isObject(s)) throw new UserError(`index ${dir} is damaged: ${MANIFEST_FILE}: sample is not an object.`);
  if (typeof s.rate !== "number" || !(s.rate > 0 && s.rate <= 1)) throw bad("rate", "a rate in (0, 1]");
  if (!isCount(s.seed)) throw bad("seed", "a non-negative integer");
  if (!isCount(s.rowsSeen) || s.rowsSeen < m.docCount) throw bad("rowsSeen", "a row count at least docCount");
  if (s.method !== SAMPLE_METHOD) throw bad("method", `"${SAMPLE_METHOD}"`);
  if (s.docIds !== SAMPLE_DOC_IDS) throw bad("docIds", `"${SAMPLE_DOC_IDS}"`);
}

/** The byte size and CRC32 of each of the index's files in `dir`, by file name (for the manifest). */
export function fileChecksums(dir: string, files: TextIndexManifest["files"]): Record<string, FileCheck> {
  return checksumsOf(dir, Object.values(files));
}
