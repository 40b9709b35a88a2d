/**
 * The precision audit's sample: for each concept, a seeded uniform sample (without replacement) of
 * the captions that match it, for a person to label relevant or not (see docs/audit.md).
 *
 * Algorithm: the concept's matching doc ids in ascending order are positions 0..N-1; Floyd's
 * algorithm (Bentley & Floyd 1987) draws min(k, N) distinct positions, every subset equally likely,
 * with random numbers from mulberry32 seeded by FNV-1a("seed\0concept") (longtail/seeded-random.ts),
 * so each concept draws from its own stream: adding a concept to the list never changes another's
 * sample. The drawn positions become doc ids by rank in the posting and are listed in ascending order.
 */
import { randomIndex } from "../analysis/random.js";
import { seededRandom } from "../longtail/seeded-random.js";
import { matchConcept, type MatchMode } from "../text-index/count.js";
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
