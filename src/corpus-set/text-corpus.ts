/**
 * Reading captions' counts from a text index or a corpus of shard indexes through one type.
 *
 * A corpus's count of a concept is the sum of its shards' counts (their docs are disjoint), and a
 * search pages across the shards in global doc-id order: shard k's doc d is global doc
 * firstDoc(k) + d. Shards are opened one at a time, so a corpus of thousands of shards needs no
 * more open files than one index.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { countConcepts, type ConceptCount, type MatchMode } from "../text-index/count.js";
import { readTextManifest } from "../text-index/manifest.js";
import { searchConcept, type SearchResult } from "../text-index/search.js";
import { TextIndex, verifyTextIndex, type OpenOptions, type VerifyResult } from "../text-index/text-index.js";
import { parseConcept, type ConceptQuery } from "../text/concept-query.js";
import { hasCorpusManifest, readCorpusManifest, type CorpusManifest, type CorpusShard } from "./corpus-manifest.js";
import { PLAN_FILE } from "./plan.js";

export interface TextSource {
  readonly dir: string;
  /** Docs in the index or the whole corpus (global doc ids are 0 .. docCount - 1). */
  readonly docCount: number;
  /** Each concept's count, in the given order. */
  countConcepts(concepts: readonly string[], opts?: SourceCountOptions): ConceptCount[];
  /** A concept's count and its first `limit` captions, lowest global doc ids first. */
  search(concept: string, opts?: SourceSearchOptions): SearchResult;
  close(): void;
}

/** `queries`: the query text counted for each concept (e.g. with its synonyms as alternates), default the concept itself. */
export interface SourceCountOptions {
  match?: MatchMode;
  queries?: readonly string[];
  /** The queries already parsed (CountOptions.parsed). */
  parsed?: readonly ConceptQuery[];
}
/** `query`: the query text searched (e.g. with synonyms), default the concept itself. */
export interface SourceSearchOptions {
  limit?: number;
  match?: MatchMode;
  query?: string;
}

/** One text index as a TextSource. */
export class IndexSource implements TextSource {
  constructor(readonly index: TextIndex) {}
  get dir(): string {
    return this.index.dir;
  }
  get docCount(): number {
    return this.index.docCount;
  }
  countConcepts(concepts: readonly string[], opts: SourceCountOptions = {}): ConceptCount[] {
    return countConcepts(this.index, concepts, { match: opts.match, queries: opts.queries, parsed: opts.parsed });
  }
  search(concept: string, opts: SourceSearchOptions = {}): SearchResult {
    return searchConcept(this.index, concept, opts);
  }
  close(): void {
    this.index.close();
  }
}

/** A corpus of shard text indexes (a directory with corpus.json). */
export class TextCorpus implements TextSource {
  private constructor(
    readonly dir: string,
    readonly manifest: CorpusManifest,
    private readonly openOptions: OpenOptions,
  ) {}

  /** Opens a corpus: reads corpus.json and checks each shard's index manifest against it. */
  static open(dir: string, opts: OpenOptions = {}): TextCorpus {
    const m = readCorpusManifest(dir);
    for (const s of m.shards) {
      const shardDir = join(dir, s.dir);
      if (!existsSync(shardDir)) throw new UserError(`corpus ${dir} is damaged: shard ${s.shard}'s index ${shardDir} is missing.`);
      const sm = readTextManifest(shardDir);
      if (sm.docCount !== s.docCount) {
        throw new UserError(`corpus ${dir} is damaged: corpus.json says shard ${s.shard} holds ${s.docCount} docs, its index holds ${sm.docCount}.`);
      }
      if (sm.analyzer.name !== m.analyzer.name || sm.analyzer.version !== m.analyzer.version) {
        throw new UserError(`corpus ${dir} is damaged: shard ${s.shard} was built with analyzer ${sm.analyzer.name}@${sm.analyzer.version}, corpus.json says ${m.analyzer.name}@${m.analyzer.version}.`);
      }
    }
    return new TextCorpus(dir, m, opts);
  }

  get docCount(): number {
    return this.manifest.docCount;
  }

  get shards(): readonly CorpusShard[] {
    return this.manifest.shards;
  }

  /** Runs fn on each shard's open index in order (each closed after), until fn returns false. */
  forEachShard(fn: (index: TextIndex, shard: CorpusShard) => boolean | void): void {
    for (const s of this.manifest.shards) {
      const index = TextIndex.open(join(this.dir, s.dir), this.openOptions);
      try {
        if (index.docCount !== s.docCount) {
          throw new UserError(`corpus ${this.dir} is damaged: corpus.json says shard ${s.shard} holds ${s.docCount} docs, its index holds ${index.docCount}.`);
        }
        if (fn(index, s) === false) return;
      } finally {
        index.close();
      }
    }
  }

  countConcepts(concepts: readonly string[], opts: SourceCountOptions = {}): ConceptCount[] {
    const totals = concepts.map((concept) => ({ concept, count: 0 }));
    this.forEachShard((index) => {
      const counts = countConcepts(index, concepts, { match: opts.match, queries: opts.queries, parsed: opts.parsed });
      for (let i = 0; i < counts.length; i++) totals[i]!.count += counts[i]!.count;
    });
    return totals;
  }

  search(concept: string, opts: SourceSearchOptions = {}): SearchResult {
    const limit = opts.limit ?? 10;
    const query = parseConcept(opts.query ?? concept);
    const result: SearchResult = { concept, words: query.alternates.map((a) => a.map((w) => w.lemma).join(" ")), count: 0, examples: [] };
    this.forEachShard((index, s) => {
      const r = searchConcept(index, concept, { match: opts.match, query: opts.query, limit: Math.max(0, limit - result.examples.length) });
      result.count += r.count;
      for (const e of r.examples) result.examples.push({ doc: s.firstDoc + e.doc, caption: e.caption });
    });
    return result;
  }

  close(): void {
    // shards are opened and closed one at a time
  }
}

/**
 * Opens a text index, or a corpus of shards when `dir` holds corpus.json. A planned corpus that is
 * not finished is refused with the command that finishes it.
 */
export function openTextSource(dir: string, opts: OpenOptions = {}): TextSource {
  if (hasCorpusManifest(dir)) return TextCorpus.open(dir, opts);
  refuseUnfinishedCorpus(dir);
  return new IndexSource(TextIndex.open(dir, opts));
}

/**
 * Checks a text index, or every shard of a corpus (corpus.json against each shard's manifest, then
 * each shard as verifyTextIndex does), stopping at the first problem; `shards` is 0 for one index.
 */
export function verifyTextSource(dir: string): VerifyResult & { shards: number } {
  if (!hasCorpusManifest(dir)) {
    refuseUnfinishedCorpus(dir);
    return { ...verifyTextIndex(dir), shards: 0 };
  }
  const corpus = TextCorpus.open(dir);
  const total = { docCount: 0, files: 0, bytes: 0, bitmaps: 0, shards: corpus.shards.length };
  for (const s of corpus.shards) {
    const r = verifyTextIndex(join(dir, s.dir));
    if (r.docCount !== s.docCount) throw new UserError(`corpus ${dir} is damaged: corpus.json says shard ${s.shard} holds ${s.docCount} docs, its index holds ${r.docCount}.`);
    total.docCount += r.docCount;
    total.files += r.files;
    total.bytes += r.bytes;
    total.bitmaps += r.bitmaps;
  }
  if (total.docCount !== corpus.docCount) throw new UserError(`corpus ${dir} is damaged: its shards hold ${total.docCount} docs, corpus.json says ${corpus.docCount}.`);
  return total;
}

/** A planned corpus (plan.json, no corpus.json) given where an index is expected: one sentence saying how to finish it. */
export function refuseUnfinishedCorpus(dir: string): void {
  if (existsSync(join(dir, PLAN_FILE)) && !existsSync(join(dir, "manifest.json"))) {
    throw new UserError(`corpus ${dir} is not finished (no corpus.json); see \`conceptfreq corpus status ${dir}\`, then run \`conceptfreq corpus finish ${dir}\`.`);
  }
}
