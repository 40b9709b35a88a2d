/**
 * A study corpus that is a corpus of shards (corpus.json) rather than one text index: its identity
 * for the count cache, its doc count, and its counts in each mode with the first example captions
 * (lowest global doc ids first), exactly what one index over the same inputs gives. Its image
 * shards (corpus add-images) serve the image modes: the study corpus names the corpus itself as
 * its image index.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../errors.js";
import { countConceptsByMode, type CountMode } from "../image/count-modes.js";
import { countCorpusByMode } from "../corpus-set/corpus-counts.js";
import { CORPUS_FILE } from "../corpus-set/corpus-manifest.js";
import { imageShardDir } from "../corpus-set/image-shards.js";
import { TextCorpus } from "../corpus-set/text-corpus.js";
import { join } from "node:path";
import { indexIdentity, sha256 } from "./identity.js";
import type { StudyCorpus } from "./manifest.js";

/** corpus.json's bytes and the identity of every shard's text index (and image index). */
export function shardsIdentity(dir: string): string {
  const corpus = TextCorpus.open(dir);
  const parts = [sha256(readFileSync(join(dir, CORPUS_FILE)))];
  for (const s of corpus.shards) {
    parts.push(indexIdentity(join(dir, s.dir)));
    if (s.image) parts.push(indexIdentity(imageShardDir(dir, s.image.dir)));
  }
  return sha256(parts.join("\n"));
}

export function shardsDocCount(dir: string): number {
  return TextCorpus.open(dir).docCount;
}

interface Entry {
  count: number | null;
  examples?: { doc: number; caption: string }[];
}

/** The study's counts of `concepts` in one mode over a corpus of shards (shards opened one at a time). */
export function countShards(study: StudyCorpus, mode: CountMode, concepts: readonly string[], examples: number, maxChars: number, queries?: readonly string[]): Entry[] {
  const dir = study.index!; // (the caller checked it is a corpus of shards)
  const corpus = TextCorpus.open(dir);
  if (mode !== "text") {
    if (resolve(study.image!.index) !== resolve(dir)) {
      throw new UserError(`corpus "${study.name}": ${dir} is a corpus of shards; its image index is the corpus itself (image shards, corpus add-images), not ${study.image!.index}.`);
    }
    const t = study.image!.threshold;
    if (t !== undefined && corpus.manifest.images && corpus.manifest.images.threshold !== t) {
      throw new UserError(`corpus "${study.name}": the image shards of ${dir} were made at threshold ${corpus.manifest.images.threshold}, not ${t}.`);
    }
    const r = countCorpusByMode(corpus, concepts, { mode, match: study.match, allowMissing: true, ...(queries && mode !== "image" ? { queries } : {}) });
    const missing = new Set(r.missing);
    return r.counts.map((c) => (missing.has(c.concept) ? { count: null } : { count: c.count }));
  }
  const entries: Entry[] = concepts.map(() => ({ count: 0, ...(examples > 0 ? { examples: [] } : {}) }));
  corpus.forEachShard((text, s) => {
    const r = countConceptsByMode(concepts, { mode: "text", text, match: study.match, keepIds: examples > 0, ...(queries ? { queries } : {}) });
    r.counts.forEach((c, i) => {
      const e = entries[i]!;
      e.count! += c.count;
      if (!e.examples || e.examples.length >= examples) return;
      for (const doc of c.ids!) {
        const caption = text.captions.caption(doc);
        e.examples.push({ doc: s.firstDoc + doc, caption: caption.length > maxChars ? caption.slice(0, maxChars - 1) + "…" : caption });
        if (e.examples.length >= examples) break;
      }
    });
  });
  return entries;
}
