/**
 * The study's indexes, opened and checked before any work: every text and image index a corpus counts
 * from exists and is an index; image sweeps resolve to the threshold's index. All problems are
 * reported at once. A sampled text index (index build --sample) cannot count integrated mode (its doc
 * ids are not the image index's): that corpus leaves integrated out, with a warning.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../errors.js";
import { readTextManifest } from "../text-index/manifest.js";
import { hasCorpusManifest } from "../corpus-set/corpus-manifest.js";
import { refuseUnfinishedCorpus, TextCorpus } from "../corpus-set/text-corpus.js";
import { shardsIdentity } from "./corpus-of-shards.js";
import { resolveImageIndexDir } from "./counts.js";
import { displayPath } from "./display-path.js";
import { indexIdentity } from "./identity.js";
import { corpusModes, type CountMode, type StudyManifest } from "./manifest.js";

export interface CheckedIndexes {
  /** Corpus -> its image index directory (resolved in a sweep). */
  imageDirs: Map<string, string>;
  /** Corpus -> the modes it counts from its indexes. */
  indexModes: Map<string, CountMode[]>;
}

export function checkIndexes(m: StudyManifest, warn: (w: string) => void): CheckedIndexes {
  const problems: string[] = [];
  const imageDirs = new Map<string, string>();
  const indexModes = new Map<string, CountMode[]>();
  for (const c of m.corpora) {
    let modes = m.analyses.modes.filter((x) => c.counts[x] === undefined && corpusModes(c).includes(x));
    if (modes.length === 0) continue;
    const needText = modes.some((x) => x !== "image");
    const needImage = modes.some((x) => x !== "text");
    try {
      // a corpus of shards (corpus.json) is checked as one: every shard's index, and its image shards
      const shards = c.index !== undefined && hasCorpusManifest(c.index);
      if (needText && c.index !== undefined) {
        if (!existsSync(c.index) || !statSync(c.index).isDirectory()) throw new UserError(`corpus "${c.name}": the text index ${displayPath(c.index)} does not exist.`);
        if (shards) shardsIdentity(c.index);
        else {
          refuseUnfinishedCorpus(c.index);
          indexIdentity(c.index);
        }
        if (modes.includes("integrated") && !shards && readTextManifest(c.index).sample !== undefined) {
          warn(`corpus "${c.name}": the text index ${displayPath(c.index)} is a sample (index build --sample); its doc ids are not the image index's, so the corpus has no integrated counts.`);
          modes = modes.filter((x) => x !== "integrated");
        }
      }
      if (needImage && c.image) {
        if (!existsSync(c.image.index)) throw new UserError(`corpus "${c.name}": the image index ${displayPath(c.image.index)} does not exist.`);
        if (shards) {
          if (resolve(c.image.index) !== resolve(c.index!)) {
            throw new UserError(`corpus "${c.name}": ${displayPath(c.index!)} is a corpus of shards; its image index is the corpus itself (image shards, corpus add-images), not ${displayPath(c.image.index)}.`);
          }
          if (!TextCorpus.open(c.index!).manifest.images) {
            throw new UserError(`corpus "${c.name}": the corpus ${displayPath(c.index!)} has no image shards; register one per shard with \`conceptfreq corpus add-images\`, then run \`conceptfreq corpus finish\` again.`);
          }
          imageDirs.set(c.name, c.index!);
        } else {
          const dir = resolveImageIndexDir(c.image, c.name);
          indexIdentity(dir);
          imageDirs.set(c.name, dir);
        }
      }
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(e.message.startsWith("corpus ") ? e.message : `corpus "${c.name}": ${e.message}`);
    }
    indexModes.set(c.name, modes);
  }
  if (problems.length === 1) throw new UserError(`${m.source}: ${problems[0]}`);
  if (problems.length > 1) throw new UserError(`${m.source}: ${problems.length} problems with the corpora:\n  ${problems.join("\n  ")}`);
  return { imageDirs, indexModes };
}
