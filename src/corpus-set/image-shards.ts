/**
 * Image shards: an image index beside each text shard of a corpus, in the shard's own (local) doc
 * ids, so that shard k's image index and text index share one doc-id space as a single text index
 * and image index over the same inputs do.
 *
 * `corpus add-images DIR --shard K IMG` registers an image index (built by `image-index import` or
 * `image-index build` over shard K's inputs) in DIR/shards/K.images.json; `corpus finish` checks
 * every registration (every shard has one or none has; each one's doc count is its shard's; one
 * vocabulary and threshold for all) and records them in corpus.json.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { isUserError, UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { makeDirs } from "../io/file-system.js";
import { readImageManifest } from "../image/manifest.js";
import { checkShardNumber, readPlan } from "./plan.js";
import { shardsDir, shardStatus } from "./shard-state.js";

export const IMAGE_SHARD_FORMAT = "conceptfreq-corpus-image-shard";
const registrationPath = (dir: string, k: number) => join(dir, "shards", `${k}.images.json`);

/** What corpus.json says of a shard's image index. */
export interface CorpusShardImage {
  /** The image index directory: relative to the corpus directory when inside it, else absolute. */
  dir: string;
  docCount: number;
}

/** What corpus.json says of the image shards as a whole (every shard's image index agrees). */
export interface CorpusImages {
  source: "embeddings" | "tags";
  threshold: number;
  topK: number | null;
  concepts: number;
}

interface Registration {
  format: typeof IMAGE_SHARD_FORMAT;
  shard: number;
  dir: string;
  docCount: number;
  added: string;
}

/** The path recorded for an image index: corpus-relative when it lies inside the corpus directory. */
function recordedPath(corpusDir: string, imageDir: string): string {
  const abs = resolve(imageDir);
  const rel = relative(resolve(corpusDir), abs);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : abs;
}

/** The image index directory a recorded path names. */
export function imageShardDir(corpusDir: string, recorded: string): string {
  return isAbsolute(recorded) ? recorded : join(corpusDir, recorded);
}

export interface AddImagesResult {
  shard: number;
  dir: string;
  docCount: number;
  /** An earlier registration of this shard was replaced. */
  replaced: boolean;
  /** The corpus already has a corpus.json: finish it again to record the image index. */
  finished: boolean;
}

/** Registers `imageDir` as shard k's image index (checked against the shard's doc count when the shard is built). */
export function addShardImages(dir: string, k: number, imageDir: string): AddImagesResult {
  const plan = readPlan(dir);
  checkShardNumber(plan, k, dir);
  if (!existsSync(imageDir) || !statSync(imageDir).isDirectory()) throw new UserError(`cannot read the image index ${imageDir}: no such directory.`);
  const m = readImageManifest(imageDir);
  const s = shardStatus(dir, k);
  if (s.state === "done" && s.done!.docCount !== m.docCount) {
    throw new UserError(`the image index ${imageDir} holds ${m.docCount} docs, but shard ${k} of ${dir} holds ${s.done!.docCount}; build it over the shard's inputs only (doc ids local to the shard).`);
  }
  const path = registrationPath(dir, k);
  const replaced = existsSync(path);
  makeDirs(shardsDir(dir));
  const reg: Registration = { format: IMAGE_SHARD_FORMAT, shard: k, dir: recordedPath(dir, imageDir), docCount: m.docCount, added: new Date().toISOString() };
  writeFileAtomic(path, JSON.stringify(reg, null, 2) + "\n");
  return { shard: k, dir: reg.dir, docCount: m.docCount, replaced, finished: existsSync(join(dir, "corpus.json")) };
}

function readRegistration(dir: string, k: number): Registration | undefined {
  const path = registrationPath(dir, k);
  if (!existsSync(path)) return undefined;
  let r: Registration;
  try {
    r = JSON.parse(readFileSync(path, "utf8")) as Registration;
  } catch {
    throw new UserError(`${path} is damaged: it is not valid JSON; register the image index again with \`conceptfreq corpus add-images\`.`);
  }
  if (r?.format !== IMAGE_SHARD_FORMAT || r.shard !== k || typeof r.dir !== "string") {
    throw new UserError(`${path} is not shard ${k}'s image registration; register the image index again with \`conceptfreq corpus add-images\`.`);
  }
  return r;
}

/**
 * For finish: each shard's image index (or none for every shard), checked against the shards' doc
 * counts. Problems are pushed to `problems` (one phrase each).
 */
export function checkImageShards(dir: string, docCounts: readonly number[], problems: string[]): { shards: (CorpusShardImage | undefined)[]; images?: CorpusImages } {
  const regs = docCounts.map((_, k) => readRegistration(dir, k));
  const have = regs.filter((r) => r !== undefined).length;
  if (have === 0) return { shards: regs.map(() => undefined) };
  if (have < regs.length) {
    const missing = regs.flatMap((r, k) => (r ? [] : [k]));
    problems.push(`shard(s) ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""} have no image index while ${have} shard(s) have one (register one for every shard with \`corpus add-images\`, or none)`);
    return { shards: regs.map(() => undefined) };
  }
  let images: CorpusImages | undefined;
  let vocabulary: string | undefined;
  const shards: CorpusShardImage[] = [];
  for (const [k, r] of regs.entries()) {
    const imageDir = imageShardDir(dir, r!.dir);
    let m;
    try {
      m = readImageManifest(imageDir);
    } catch (e) {
      if (!isUserError(e)) throw e;
      problems.push(`shard ${k}'s image index: ${e.message.replace(/\.$/, "")}`);
      continue;
    }
    if (m.docCount !== docCounts[k]) problems.push(`shard ${k}'s image index ${imageDir} holds ${m.docCount} docs, the shard ${docCounts[k]}`);
    const vocab = JSON.stringify(m.concepts);
    const these: CorpusImages = { source: m.source, threshold: m.threshold, topK: m.topK, concepts: m.concepts.length };
    if (images === undefined) {
      images = these;
      vocabulary = vocab;
    } else if (vocab !== vocabulary || these.threshold !== images.threshold || these.topK !== images.topK || these.source !== images.source) {
      problems.push(`shard ${k}'s image index ${imageDir} was made with another vocabulary, threshold or top-k than shard 0's (every shard's must agree)`);
    }
    shards.push({ dir: r!.dir, docCount: m.docCount });
  }
  return { shards, images };
}
