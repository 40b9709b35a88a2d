/**
 * The image index manifest (manifest.json): what an image index holds and how it was built.
 *
 * An image index is a directory:
 *   manifest.json   this file
 *   tags.postings   concept name -> Roaring bitmap of the doc ids of the images tagged with it
 *                   (the posting-file format of the text index, see src/postings/posting-file.ts)
 * Doc ids are those of the text index over the same inputs: row r of the k-th input is the doc that
 * follows all rows of the earlier inputs (or, with key alignment, the doc whose key the row carries).
 *
 * A threshold sweep writes one such directory per threshold (DIR/t=0.2, DIR/t=0.25, ...) and a
 * DIR/sweep.json listing them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { badChecksumEntry, type FileCheck } from "../io/file-checksum.js";
import { refuseUnfinished } from "../io/file-system.js";

export const IMAGE_INDEX_FORMAT = "conceptfreq-image-index";
// 2: its tag files are posting files of format 2 (CRC32s of the table and of every bitmap);
// 3: the manifest records each file's byte size and CRC32 (`checksums`)
export const IMAGE_INDEX_FORMAT_VERSION = 3;
export const IMAGE_SWEEP_FORMAT = "conceptfreq-image-index-sweep";
export const IMAGE_MANIFEST_FILE = "manifest.json";
export const IMAGE_SWEEP_FILE = "sweep.json";
export const TAGS_FILE = "tags.postings";

export interface ImageInputSummary {
  path: string;
  /** Rows (images) the input holds. */
  rows: number;
  /** Doc id of the input's first row (row alignment), or null (key alignment). */
  firstDoc: number | null;
}

export type ImageAlignment =
  | { by: "row" }
  | {
      by: "key";
      /** Files giving the key of every doc, in doc-id order. */
      docKeys: string[];
      /** Files giving the key of every image row (embedding or tag-matrix rows), when not in the tag file. */
      rowKeys: string[];
      /** Image rows whose key no doc has (dropped). */
      unmatchedRows: number;
      /** Docs no image row carries the key of (they have no tags). */
      docsWithoutImage: number;
    };

export interface ImageIndexManifest {
  format: typeof IMAGE_INDEX_FORMAT;
  formatVersion: number;
  /** How the tags were made: an embedding tagger (cosine similarity) or imported tagger output (probability). */
  source: "embeddings" | "tags";
  /** Number of docs: the doc-id space shared with the text index. */
  docCount: number;
  inputs: ImageInputSummary[];
  alignment: ImageAlignment;
  /** A concept tags an image when its score (cosine similarity or probability) is >= threshold. */
  threshold: number;
  /** At most this many tags per image (the highest scores), or null for no limit. */
  topK: number | null;
  /** Embeddings only: the concept embedding matrix and how many rows each concept has. */
  conceptEmbeddings: { path: string; rows: number; perConcept: number; dim: number } | null;
  /** The concept list the tags were scored against (null when imported without one). */
  conceptList: string | null;
  /** The tagger's vocabulary, in concept-list order (every one has a posting, possibly empty). */
  concepts: string[];
  stats: {
    /** Images holding at least one tag. */
    taggedImages: number;
    /** Total (image, concept) tags. */
    tags: number;
    /** Tags per image over all docCount docs. */
    tagsPerImage: number;
  };
  files: { tags: string };
  /** Byte size and CRC32 of each file in `files`, by file name (format version 3 on). */
  checksums: Record<string, FileCheck>;
  buildSeconds: number;
}

export interface ImageSweepManifest {
  format: typeof IMAGE_SWEEP_FORMAT;
  formatVersion: number;
  /** One image index per threshold, in ascending threshold order. */
  indexes: { threshold: number; dir: string }[];
}

/** The directory name of one threshold's index inside a sweep directory. */
export function thresholdDirName(t: number): string {
  return `t=${String(t)}`;
}

function readJson(path: string, damaged?: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new UserError(damaged ? `${damaged}: it is not valid JSON.` : `${path} is not valid JSON.`);
  }
}

/** The threshold indexes a sweep directory lists (their directories, as listed), or a damaged-sweep error. */
export function readSweep(dir: string): ImageSweepManifest {
  const damaged = `image index sweep ${dir} is damaged: ${IMAGE_SWEEP_FILE}`;
  refuseUnfinished(dir, "image index sweep");
  const s = readJson(join(dir, IMAGE_SWEEP_FILE), damaged) as ImageSweepManifest;
  if (!isObject(s) || s.format !== IMAGE_SWEEP_FORMAT) throw new UserError(`${dir} is not an image index sweep (format "${String((s as { format?: unknown } | null)?.format)}").`);
  if (s.formatVersion !== IMAGE_INDEX_FORMAT_VERSION) {
    throw new UserError(`${dir} has image index format version ${String(s.formatVersion)}; this conceptfreq reads version ${IMAGE_INDEX_FORMAT_VERSION}: rebuild it.`);
  }
  if (!Array.isArray(s.indexes) || s.indexes.length === 0 || !s.indexes.every((i) => isObject(i) && Number.isFinite(i.threshold) && isFileName(i.dir))) {
    throw new UserError(`${damaged}: indexes is missing or not a list of thresholds and directories.`);
  }
  return s;
}

export function readImageManifest(dir: string): ImageIndexManifest {
  const path = join(dir, IMAGE_MANIFEST_FILE);
  if (!existsSync(path)) {
    if (existsSync(join(dir, IMAGE_SWEEP_FILE))) {
      const names = readSweep(dir).indexes.map((i) => join(dir, i.dir)).join(", ");
      throw new UserError(`${dir} holds a threshold sweep; pass one of its image indexes (${names}).`);
    }
    throw new UserError(`${dir} is not a conceptfreq image index (no ${IMAGE_MANIFEST_FILE}).`);
  }
  refuseUnfinished(dir, "image index");
  const m = readJson(path, `image index ${dir} is damaged: ${IMAGE_MANIFEST_FILE}`) as ImageIndexManifest;
  if (!isObject(m)) throw new UserError(`image index ${dir} is damaged: ${IMAGE_MANIFEST_FILE}: it is not a JSON object.`);
  if (m.format !== IMAGE_INDEX_FORMAT) {
    throw new UserError(`${dir} is not an image index (format "${String(m.format)}").`);
  }
  if (m.formatVersion !== IMAGE_INDEX_FORMAT_VERSION) {
    throw new UserError(
      `${dir} has image index format version ${String(m.formatVersion)}; this conceptfreq reads version ${IMAGE_INDEX_FORMAT_VERSION}: rebuild it.`,
    );
  }
  checkManifestFields(dir, m);
  return m;
}

const isCount = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
/** A file name inside the index directory (never a path out of it). */
const isFileName = (v: unknown): v is string => typeof v === "string" && /^[A-Za-z0-9._=-]+$/.test(v) && v !== "." && v !== "..";

/** Every field a reader uses is present and well-typed: one sentence naming the first that is not. */
function checkManifestFields(dir: string, m: ImageIndexManifest): void {
  const damaged = (what: string) => new UserError(`image index ${dir} is damaged: ${IMAGE_MANIFEST_FILE}: ${what}.`);
  const bad = (field: string, what: string) => damaged(`${field} is missing or not ${what}`);
  if (!isCount(m.docCount, 0x100000000)) throw bad("docCount", "a doc count");
  if (m.source !== "embeddings" && m.source !== "tags") throw bad("source", '"embeddings" or "tags"');
  if (!Array.isArray(m.inputs) || !m.inputs.every((i) => isObject(i) && typeof i.path === "string" && isCount(i.rows) && (i.firstDoc === null || isCount(i.firstDoc)))) {
    throw bad("inputs", "a list of inputs (path, rows, firstDoc)");
  }
  if (!isObject(m.alignment) || (m.alignment.by !== "row" && m.alignment.by !== "key")) throw bad("alignment", "a row or key alignment");
  if (typeof m.threshold !== "number" || !Number.isFinite(m.threshold)) throw bad("threshold", "a number");
  if (m.topK !== null && !isCount(m.topK)) throw bad("topK", "a count or null");
  if (!Array.isArray(m.concepts) || !m.concepts.every((c) => typeof c === "string")) throw bad("concepts", "a list of concept names");
  if (new Set(m.concepts).size !== m.concepts.length) throw damaged("concepts names a concept twice");
  if (!isObject(m.stats) || !isCount(m.stats.taggedImages, m.docCount) || !isCount(m.stats.tags)) throw bad("stats", "the tagged images and tags");
  if (!isObject(m.files) || !isFileName(m.files.tags)) throw bad("files.tags", "a file name");
  const badEntry = badChecksumEntry(m.checksums, [m.files.tags]);
  if (badEntry !== undefined) throw bad(`checksums["${badEntry}"]`, "a byte size and CRC32");
}
