/**
 * The corpus manifest (corpus.json): a corpus of shard text indexes, in order. Shard k's docs have
 * global ids firstDoc .. firstDoc + docCount - 1, where firstDoc is the sum of the earlier shards'
 * doc counts; global ids are numbers, exact up to 2^53.
 */
import type { ByteRange } from "../corpus/record.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import type { CorpusImages, CorpusShardImage } from "./image-shards.js";
import type { PlanReader } from "./plan.js";

export const CORPUS_FORMAT = "conceptfreq-corpus";
export const CORPUS_FORMAT_VERSION = 1;
export const CORPUS_FILE = "corpus.json";

export interface CorpusShard {
  shard: number;
  /** The shard's index directory, relative to the corpus directory. */
  dir: string;
  docCount: number;
  firstDoc: number;
  firstInput: number;
  inputCount: number;
  /** The shard's image index (doc ids local to the shard, as the text shard's), when the corpus has image shards. */
  image?: CorpusShardImage;
}

export interface CorpusInput {
  path: string;
  bytes: number;
  mtimeMs: number;
  /** A row range of the file (corpus plan), when the file was cut: bytes [start, end), or Parquet row groups. */
  range?: ByteRange;
  rows: number;
  /** Global doc id of the input's first row. */
  firstDoc: number;
  shard: number;
}

export interface CorpusManifest {
  format: typeof CORPUS_FORMAT;
  formatVersion: number;
  analyzer: { name: string; version: string };
  reader: PlanReader;
  docCount: number;
  shards: CorpusShard[];
  inputs: CorpusInput[];
  /** Present when every shard has an image index (corpus add-images): what they agree on. */
  images?: CorpusImages;
}

export function hasCorpusManifest(dir: string): boolean {
  return existsSync(join(dir, CORPUS_FILE));
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Reads corpus.json and checks that its numbers add up: one sentence naming the first that does not. */
export function readCorpusManifest(dir: string): CorpusManifest {
  const path = join(dir, CORPUS_FILE);
  if (!existsSync(path)) throw new UserError(`${dir} is not a finished corpus (no ${CORPUS_FILE}); run \`conceptfreq corpus finish ${dir}\`.`);
  let m: CorpusManifest;
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as CorpusManifest;
  } catch {
    throw new UserError(`corpus ${dir} is damaged: ${CORPUS_FILE}: it is not valid JSON.`);
  }
  const bad = (what: string) => new UserError(`corpus ${dir} is damaged: ${CORPUS_FILE}: ${what}.`);
  if (typeof m !== "object" || m === null || m.format !== CORPUS_FORMAT) throw new UserError(`${path} is not a conceptfreq corpus manifest.`);
  if (m.formatVersion !== CORPUS_FORMAT_VERSION) throw new UserError(`${dir} has corpus format version ${m.formatVersion}; this conceptfreq reads version ${CORPUS_FORMAT_VERSION}.`);
  if (!isCount(m.docCount)) throw bad("docCount is missing or not a doc count");
  if (!Array.isArray(m.shards) || m.shards.length === 0) throw bad("shards is missing or empty");
  if (!Array.isArray(m.inputs)) throw bad("inputs is missing");
  let doc = 0;
  let input = 0;
  for (const [k, s] of m.shards.entries()) {
    if (s?.shard !== k || typeof s.dir !== "string" || !isCount(s.docCount) || !isCount(s.firstDoc) || !isCount(s.firstInput) || !isCount(s.inputCount)) {
      throw bad(`shards[${k}] is not a shard (shard, dir, docCount, firstDoc, firstInput, inputCount)`);
    }
    if (s.dir.split(/[\\/]/).some((part) => part === "..") || s.dir.startsWith("/")) throw bad(`shards[${k}].dir leads out of the corpus directory`);
    if (s.firstDoc !== doc) throw bad(`shards[${k}].firstDoc is ${s.firstDoc}, not ${doc} (the docs before it)`);
    if (s.firstInput !== input) throw bad(`shards[${k}].firstInput is ${s.firstInput}, not ${input}`);
    if ((s.image !== undefined) !== (m.images !== undefined)) throw bad(`shards[${k}].image ${s.image ? "is there without images" : "is missing while images is there"}`);
    if (s.image !== undefined && (typeof s.image?.dir !== "string" || s.image.docCount !== s.docCount)) throw bad(`shards[${k}].image is not the shard's image index (dir, docCount ${s.docCount})`);
    doc += s.docCount;
    input += s.inputCount;
  }
  if (doc !== m.docCount) throw bad(`its shards hold ${doc} docs, but docCount is ${m.docCount}`);
  if (input !== m.inputs.length) throw bad(`its shards take ${input} inputs, but it lists ${m.inputs.length}`);
  return m;
}
