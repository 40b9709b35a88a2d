/**
 * The index manifest (manifest.json): what an index holds and how it was built.
 * An index whose format or analyzer version differs from this build's is refused.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { ANALYZER } from "../text/analyzer-version.js";
import type { MalformedKind } from "../corpus/record.js";

export const TEXT_INDEX_FORMAT = "conceptfreq-text-index";
export const TEXT_INDEX_FORMAT_VERSION = 1;
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
}

export interface TextIndexManifest {
  format: typeof TEXT_INDEX_FORMAT;
  formatVersion: number;
  analyzer: { name: string; version: string };
  docCount: number;
  inputs: InputSummary[];
  skipped: MalformedCounts;
  vocabulary: { nouns: number; terms: number };
  files: { nouns: string; terms: string; captions: string; offsets: string };
  /** Reader options the inputs were read with. */
  reader: { format: string; header: boolean; textColumn: string | null };
  buildSeconds: number;
}

export function readTextManifest(dir: string): TextIndexManifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new UserError(`${dir} is not a conceptfreq index (no ${MANIFEST_FILE}).`);
  let m: TextIndexManifest;
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as TextIndexManifest;
  } catch {
    throw new UserError(`${path} is not valid JSON.`);
  }
  if (m.format !== TEXT_INDEX_FORMAT) {
    throw new UserError(`${dir} is not a text index (format "${String(m.format)}").`);
  }
  if (m.formatVersion !== TEXT_INDEX_FORMAT_VERSION) {
    throw new UserError(
      `${dir} has index format version ${m.formatVersion}; this conceptfreq reads version ${TEXT_INDEX_FORMAT_VERSION}: rebuild the index.`,
    );
  }
  if (m.analyzer?.name !== ANALYZER.name || m.analyzer?.version !== ANALYZER.version) {
    throw new UserError(
      `${dir} was built with analyzer ${m.analyzer?.name}@${m.analyzer?.version}, not ${ANALYZER.name}@${ANALYZER.version}: rebuild the index.`,
    );
  }
  return m;
}
