/**
 * Counting a corpus of shards in every mode, and its misalignment, from per-shard results.
 *
 * Shards hold disjoint docs, and a shard's text index and image index share its local doc ids, so:
 *   text, image    a corpus's count is the sum of the shards' counts
 *   integrated     |T_c ∩ I_c| is the sum over shards of the shard's |T_c ∩ I_c| (an intersection
 *                  never crosses shards, as ids are local to a shard in both indexes)
 *   misalignment   samples, samples_with_both and misaligned are sums of the shards' (each is a
 *                  count of disjoint docs); the degrees are taken from the sums
 * Matching doc ids come back as global ids (shard k's doc d is firstDoc(k) + d), which may exceed
 * 2^32: see global-ids.ts.
 */
import { UserError } from "../errors.js";
import { countConceptsByMode, type CountMode } from "../image/count-modes.js";
import { ImageIndex } from "../image/image-index.js";
import { computeMisalignment, misalignmentOf, type Misalignment } from "../image/misalignment.js";
import type { MatchMode } from "../text-index/count.js";
import { cooccurrenceCounts, cooccurrenceRows, type CooccurrenceOptions, type CooccurrencePair, type PairCounts } from "../text-index/cooccur.js";
import type { TextIndex } from "../text-index/text-index.js";
import type { CorpusShard } from "./corpus-manifest.js";
import { GlobalIds } from "./global-ids.js";
import { imageShardDir } from "./image-shards.js";
import { IndexSource, type TextCorpus, type TextSource } from "./text-corpus.js";

/** Runs fn on each shard's text index and image index (opened one shard at a time, closed after). */
export function forEachShardWithImages(corpus: TextCorpus, fn: (text: TextIndex, image: ImageIndex, shard: CorpusShard) => void): void {
  if (!corpus.manifest.images) {
    throw new UserError(
      `corpus ${corpus.dir} has no image shards; register one per shard with \`conceptfreq corpus add-images ${corpus.dir} --shard K IMAGE_INDEX\`, then run \`conceptfreq corpus finish ${corpus.dir}\` again.`,
    );
  }
  corpus.forEachShard((text, s) => {
    const image = ImageIndex.open(imageShardDir(corpus.dir, s.image!.dir));
    try {
      if (image.docCount !== s.docCount) {
        throw new UserError(`corpus ${corpus.dir} is damaged: shard ${s.shard}'s image index ${image.dir} holds ${image.docCount} docs, the shard ${s.docCount}.`);
      }
      fn(text, image, s);
    } finally {
      image.close();
    }
  });
}

export interface CorpusCountOptions {
  mode: CountMode;
  match?: MatchMode;
  /** The caption query text of each concept (same order), e.g. its synonym expansion. */
  queries?: readonly string[];
  allowMissing?: boolean;
  /** Keep each concept's matching (global) doc ids. */
  keepIds?: boolean;
}

export interface CorpusConceptCount {
  concept: string;
  count: number;
  ids?: GlobalIds;
}

export interface CorpusModeCounts {
  counts: CorpusConceptCount[];
  /** Concepts some shard's image index does not know (counted 0 there; only with allowMissing). */
  missing: string[];
}

/** Each concept's count in the corpus in one mode: the sum of the shards' counts. */
export function countCorpusByMode(corpus: TextCorpus, concepts: readonly string[], opts: CorpusCountOptions): CorpusModeCounts {
  const counts: CorpusConceptCount[] = concepts.map((concept) => ({ concept, count: 0, ...(opts.keepIds ? { ids: new GlobalIds() } : {}) }));
  const missing = new Set<string>();
  const add = (text: TextIndex, image: ImageIndex | undefined, s: CorpusShard) => {
    const r = countConceptsByMode(concepts, { mode: opts.mode, text, image, match: opts.match, queries: opts.queries, allowMissing: opts.allowMissing, keepIds: opts.keepIds });
    for (const m of r.missing) missing.add(m);
    r.counts.forEach((c, i) => {
      counts[i]!.count += c.count;
      if (opts.keepIds) counts[i]!.ids!.addShard(c.ids!, s.firstDoc);
    });
  };
  if (opts.mode === "text") corpus.forEachShard((text, s) => add(text, undefined, s));
  else forEachShardWithImages(corpus, add);
  return { counts, missing: concepts.filter((c) => missing.has(c)) };
}

export interface CorpusMisalignment extends Misalignment {
  missing: string[];
  /** The misaligned samples' global doc ids. */
  misalignedIds: GlobalIds;
}

/** The corpus's misalignment: the shards' sample counts summed, the degrees from the sums. */
export function corpusMisalignment(corpus: TextCorpus, concepts: readonly string[], opts: { match?: MatchMode; allowMissing?: boolean } = {}): CorpusMisalignment {
  let N = 0;
  let n = 0;
  let m = 0;
  const missing = new Set<string>();
  const misalignedIds = new GlobalIds();
  forEachShardWithImages(corpus, (text, image, s) => {
    const r = computeMisalignment(text, image, concepts, opts);
    N += r.samples;
    n += r.samples_with_both;
    m += r.misaligned;
    for (const c of r.missing) missing.add(c);
    misalignedIds.addShard(r.misalignedIds, s.firstDoc);
  });
  return { ...misalignmentOf(N, n, m), missing: concepts.filter((c) => missing.has(c)), misalignedIds };
}

/**
 * `cooccur` over a corpus of shards: each pair's counts summed over the shards (their docs are
 * disjoint), then PMI over the corpus's doc count: exactly one index's output over the same inputs.
 */
export function corpusCooccurrence(corpus: TextCorpus, pairs: readonly (readonly [string, string])[], opts: CooccurrenceOptions = {}): CooccurrencePair[] {
  return cooccurrenceRows(pairs, sourcePairCounts(corpus, pairs, opts.match), corpus.docCount, opts);
}

/** Each pair's raw counts in one index, or summed over a corpus's shards. */
export function sourcePairCounts(source: TextSource, pairs: readonly (readonly [string, string])[], match?: MatchMode): PairCounts[] {
  if (source instanceof IndexSource) return cooccurrenceCounts(source.index, pairs, match);
  const totals = pairs.map(() => ({ both: 0, countA: 0, countB: 0 }));
  (source as TextCorpus).forEachShard((index) => {
    cooccurrenceCounts(index, pairs, match).forEach((c, i) => {
      const t = totals[i]!;
      t.both += c.both;
      t.countA += c.countA;
      t.countB += c.countB;
    });
  });
  return totals;
}
