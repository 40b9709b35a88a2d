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

export const IMAGE_INDEX_FORMAT = "conceptfreq-image-index";
export const IMAGE_INDEX_FORMAT_VERSION = 2; // 2: its tag files are posting files of format 2 (CRC32s of the table and of every bitmap)
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

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new UserError(`${path} is not valid JSON.`);
  }
}

export function readImageManifest(dir: string): ImageIndexManifest {
  const path = join(dir, IMAGE_MANIFEST_FILE);
  if (!existsSync(path)) {
    if (existsSync(join(dir, IMAGE_SWEEP_FILE))) {
      const s = readJson(join(dir, IMAGE_SWEEP_FILE)) as ImageSweepManifest;
      const names = (s.indexes ?? []).map((i) => join(dir, i.dir)).join(", ");
      throw new UserError(`${dir} holds a threshold sweep; pass one of its image indexes (${names}).`);
    }
    throw new UserError(`${dir} is not a conceptfreq image index (no ${IMAGE_MANIFEST_FILE}).`);
  }
  const m = readJson(path) as ImageIndexManifest;
  if (m?.format !== IMAGE_INDEX_FORMAT) {
    throw new UserError(`${dir} is not an image index (format "${String(m?.format)}").`);
  }
  if (m.formatVersion !== IMAGE_INDEX_FORMAT_VERSION) {
    throw new UserError(
      `${dir} has image index format version ${m.formatVersion}; this conceptfreq reads version ${IMAGE_INDEX_FORMAT_VERSION}: rebuild it.`,
    );
  }
  return m;
}
