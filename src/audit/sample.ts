/**
 * The precision audit's sample: for each concept, a seeded uniform sample (without replacement) of
 * the captions that match it, for a person to label relevant or not (see docs/audit.md).
 *
 * Algorithm: the concept's matching doc ids in ascending order are positions 0..N-1; Floyd's
 * algorithm (Bentley & Floyd 1987) draws min(k, N) distinct positions, every subset equally likely,
 * with random numbers from mulberry32 seeded by FNV-1a("seed\0concept") (longtail/seeded-random.ts),
 * so each concept draws from its own stream: adding a concept to the list never changes another's
 * sample. The drawn positions become doc ids by rank in the posting and are listed in ascending order.
 * Over a corpus of shards the positions run over the shards' matches in global doc-id order, so the
 * sample is the one a single index over the same inputs gives (same global doc ids).
 */
import { randomIndex } from "../analysis/random.js";
import { seededRandom } from "../longtail/seeded-random.js";
import { matchConcept, type MatchMode } from "../text-index/count.js";
import type { TextCorpus } from "../corpus-set/text-corpus.js";
import type { TextIndex } from "../text-index/text-index.js";
import { parseConcept } from "../text/concept-query.js";

export interface AuditSampleRow {
  concept: string;
  /** The concept's matching captions in the index (what the sample was drawn from). */
  matches: number;
  doc: number;
  caption: string;
}

export interface AuditSampleOptions {
  perConcept: number;
  seed: number;
  match?: MatchMode;
}

export interface AuditSample {
  rows: AuditSampleRow[];
  /** Per concept in list order: its matches and how many were sampled. */
  concepts: { concept: string; matches: number; sampled: number }[];
}

/** k distinct positions in [0, n), uniformly, in ascending order (Floyd's algorithm). */
export function floydSample(n: number, k: number, random: () => number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = randomIndex(random, j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Draws each concept's audit sample from the index (concepts in the given order). */
export function sampleAudit(index: TextIndex, concepts: readonly string[], opts: AuditSampleOptions): AuditSample {
  if (!Number.isInteger(opts.perConcept) || opts.perConcept < 1) throw new RangeError(`perConcept must be a positive integer, got ${opts.perConcept}`);
  const rows: AuditSampleRow[] = [];
  const summary: AuditSample["concepts"] = [];
  for (const concept of concepts) {
    const ids = matchConcept(index, parseConcept(concept), opts.match ?? "paper");
    const n = ids.size;
    const positions = floydSample(n, opts.perConcept, seededRandom(opts.seed, concept));
    for (const p of positions) {
      const doc = ids.select(p)!;
      rows.push({ concept, matches: n, doc, caption: index.captions.caption(doc) });
    }
    summary.push({ concept, matches: n, sampled: positions.length });
  }
  return { rows, concepts: summary };
}

/**
 * sampleAudit over a corpus of shards: each concept's matches counted per shard (one pass), its
 * positions drawn over their total, then each shard's drawn ranks read from it (a second pass).
 */
export function sampleAuditCorpus(corpus: TextCorpus, concepts: readonly string[], opts: AuditSampleOptions): AuditSample {
  if (!Number.isInteger(opts.perConcept) || opts.perConcept < 1) throw new RangeError(`perConcept must be a positive integer, got ${opts.perConcept}`);
  const match = opts.match ?? "paper";
  const perShard: number[][] = []; // [shard][concept] matches
  corpus.forEachShard((index) => {
    perShard.push(concepts.map((c) => matchConcept(index, parseConcept(c), match).size));
  });
  // per concept: its drawn positions as (shard, rank in the shard's matches)
  const wanted = corpus.shards.map(() => new Map<number, number[]>()); // [shard] concept index -> ranks
  const summary: AuditSample["concepts"] = concepts.map((concept, c) => {
    const n = perShard.reduce((a, counts) => a + counts[c]!, 0);
    const positions = floydSample(n, opts.perConcept, seededRandom(opts.seed, concept));
    let shard = 0;
    let before = 0;
    for (const p of positions) {
      while (p >= before + perShard[shard]![c]!) before += perShard[shard++]![c]!;
      const ranks = wanted[shard]!.get(c);
      if (ranks) ranks.push(p - before);
      else wanted[shard]!.set(c, [p - before]);
    }
    return { concept, matches: n, sampled: positions.length };
  });
  const byConcept: AuditSampleRow[][] = concepts.map(() => []);
  let k = 0;
  corpus.forEachShard((index, s) => {
    for (const [c, ranks] of wanted[k++]!) {
      const ids = matchConcept(index, parseConcept(concepts[c]!), match);
      for (const r of ranks) {
        const doc = ids.select(r)!;
        byConcept[c]!.push({ concept: concepts[c]!, matches: summary[c]!.matches, doc: s.firstDoc + doc, caption: index.captions.caption(doc) });
      }
    }
  });
  return { rows: byConcept.flat(), concepts: summary };
}

/** auditIndexProblem over a corpus of shards (global doc ids). */
export function auditCorpusProblem(corpus: TextCorpus, rows: readonly { concept: string; doc: number }[], match: MatchMode = "paper"): string | undefined {
  const outside = rows.filter((r) => r.doc >= corpus.docCount);
  let bad = outside.length;
  let first = outside.length > 0 ? `doc ${outside[0]!.doc} of "${outside[0]!.concept}" is not in the corpus (it has ${corpus.docCount} docs)` : undefined;
  corpus.forEachShard((index, s) => {
    const local = rows.filter((r) => r.doc >= s.firstDoc && r.doc < s.firstDoc + s.docCount).map((r) => ({ concept: r.concept, doc: r.doc - s.firstDoc }));
    const byConcept = new Map<string, number[]>();
    for (const r of local) {
      const docs = byConcept.get(r.concept);
      if (docs === undefined) byConcept.set(r.concept, [r.doc]);
      else docs.push(r.doc);
    }
    for (const [concept, docs] of byConcept) {
      const ids = matchConcept(index, parseConcept(concept), match);
      for (const doc of docs) {
        if (ids.has(doc)) continue;
        bad++;
        first ??= `doc ${s.firstDoc + doc} does not match "${concept}" in the corpus`;
      }
    }
  });
  return bad === 0 ? undefined : `${bad} audit row(s) do not belong to the corpus: ${first}`;
}

/**
 * Checks that every audited doc is in the index and matches its concept there (an audit drawn from
 * another index, or edited by hand, would scale counts by the wrong precision). Returns a sentence
 * describing the first problem and how many rows have one, or undefined when all rows check out.
 */
export function auditIndexProblem(index: TextIndex, rows: readonly { concept: string; doc: number }[], match: MatchMode = "paper"): string | undefined {
  const byConcept = new Map<string, number[]>();
  for (const r of rows) {
    const docs = byConcept.get(r.concept);
    if (docs === undefined) byConcept.set(r.concept, [r.doc]);
    else docs.push(r.doc);
  }
  let bad = 0;
  let first: string | undefined;
  for (const [concept, docs] of byConcept) {
    const ids = matchConcept(index, parseConcept(concept), match);
    for (const doc of docs) {
      if (doc < index.docCount && ids.has(doc)) continue;
      bad++;
      first ??= doc >= index.docCount ? `doc ${doc} of "${concept}" is not in the index (it has ${index.docCount} docs)` : `doc ${doc} does not match "${concept}" in the index`;
    }
  }
  return bad === 0 ? undefined : `${bad} audit row(s) do not belong to the index: ${first}`;
}
