/**
 * Concept co-occurrence in a text index (issue 17 part 5; docs/cooccur.md).
 *
 * A concept's docs are exactly the docs `count` counts (matchConcept: the same match rule, the same
 * alternates). For a pair (a, b) over N docs:
 *   both      |docs(a) ∩ docs(b)|
 *   expected  count(a) · count(b) / N            (the co-occurrences independence predicts)
 *   pmi       ln(p(ab) / (p(a) p(b))) = ln(both · N / (count(a) · count(b)))   (natural log)
 *   npmi      pmi / −ln p(ab), in [−1, 1]
 * No co-occurrence (both = 0, both concepts present): pmi is −∞, written null, and npmi is −1 (its
 * limit). A concept with no docs: pmi and npmi are null (undefined). both = N: npmi is 1.
 */
import { UserError } from "../errors.js";
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseConcepts } from "../text/concept-query.js";
import type { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { matchConcept, type MatchMode } from "./count.js";
import type { TextIndex } from "./text-index.js";

export interface CooccurrencePair {
  a: string;
  b: string;
  /** Docs matching both concepts. */
  both: number;
  countA: number;
  countB: number;
  /** Docs in the index (N). */
  docs: number;
  /** count(a) · count(b) / N. */
  expected: number;
  /** Natural-log PMI; null when undefined or −∞ (see the module comment). */
  pmi: number | null;
  /** Normalised PMI in [−1, 1]; null when a concept has no docs. */
  npmi: number | null;
}

export interface CooccurrenceOptions {
  match?: MatchMode;
  /** Keep only the K pairs of highest PMI among those with `both >= minCount` (sorted by PMI). */
  top?: number;
  /** The small-count guard of `top`: pairs seen together fewer times are not ranked (default 5). */
  minCount?: number;
}

/** The PMI and normalised PMI of a pair from its counts. */
export function pointwiseMutualInformation(both: number, countA: number, countB: number, docs: number): { pmi: number | null; npmi: number | null } {
  if (countA === 0 || countB === 0 || docs === 0) return { pmi: null, npmi: null };
  if (both === 0) return { pmi: null, npmi: -1 };
  const pmi = Math.log(both) + Math.log(docs) - Math.log(countA) - Math.log(countB);
  const h = Math.log(docs) - Math.log(both); // −ln p(ab)
  return { pmi, npmi: h === 0 ? 1 : pmi / h };
}

/** Co-occurrence counts and PMI of each pair, in the order given (or the top K by PMI). */
export function conceptCooccurrence(index: TextIndex, pairs: readonly (readonly [string, string])[], opts: CooccurrenceOptions = {}): CooccurrencePair[] {
  return cooccurrenceRows(pairs, cooccurrenceCounts(index, pairs, opts.match), index.docCount, opts);
}

/** The raw counts (both, countA, countB) of each pair in one index: what a corpus of shards sums. */
export interface PairCounts {
  both: number;
  countA: number;
  countB: number;
}

export function cooccurrenceCounts(index: TextIndex, pairs: readonly (readonly [string, string])[], match: MatchMode = "paper"): PairCounts[] {
  const names = [...new Set(pairs.flat())];
  const queries = parseConcepts(names);
  const docsOf = new Map<string, RoaringBitmap32>();
  names.forEach((n, i) => docsOf.set(n, matchConcept(index, queries[i]!, match)));
  return pairs.map(([a, b]) => {
    const da = docsOf.get(a)!;
    const db = docsOf.get(b)!;
    const countA = da.size;
    const countB = db.size;
    return { both: countA === 0 || countB === 0 ? 0 : a === b ? countA : da.andCardinality(db), countA, countB };
  });
}

/** The output rows from each pair's counts over N docs: expected, PMI, NPMI; the top K by PMI with `top`. */
export function cooccurrenceRows(pairs: readonly (readonly [string, string])[], counts: readonly PairCounts[], N: number, opts: CooccurrenceOptions = {}): CooccurrencePair[] {
  let out = pairs.map(([a, b], i): CooccurrencePair => {
    const { both, countA, countB } = counts[i]!;
    return { a, b, both, countA, countB, docs: N, expected: N === 0 ? 0 : (countA * countB) / N, ...pointwiseMutualInformation(both, countA, countB, N) };
  });
  if (opts.top !== undefined) {
    const minCount = opts.minCount ?? 5;
    out = out
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => p.both >= minCount && p.pmi !== null)
      .sort((x, y) => y.p.pmi! - x.p.pmi! || x.i - y.i)
      .slice(0, opts.top)
      .map(({ p }) => p);
  }
  return out;
}

/** Every unordered pair of distinct concepts of one list (i < j, list order), or the pairs of A × B. */
export function conceptPairs(a: readonly string[], b?: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  if (b === undefined) {
    for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) out.push([a[i]!, a[j]!]);
  } else {
    for (const x of a) for (const y of b) if (x !== y) out.push([x, y]);
  }
  return out;
}

/**
 * Reads a pairs file: a .json array of [a, b] arrays or {a, b} objects, or text lines `a<TAB>b`
 * (or `a,b` when the line has no tab); blank lines and lines starting with # are skipped.
 */
export function readConceptPairs(path: string): [string, string][] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UserError(`cannot read pairs file ${path}.`);
  }
  const pairs: [string, string][] = [];
  const check = (a: unknown, b: unknown, where: string) => {
    if (typeof a !== "string" || typeof b !== "string" || a.trim() === "" || b.trim() === "") {
      throw new UserError(`pairs file ${path}: ${where} is not a pair of two concept names.`);
    }
    pairs.push([a.trim(), b.trim()]);
  };
  if (extname(path).toLowerCase() === ".json") {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new UserError(`pairs file ${path} is not valid JSON.`);
    }
    if (!Array.isArray(data)) throw new UserError(`pairs file ${path} must hold a JSON array of [a, b] pairs or {"a", "b"} objects.`);
    data.forEach((p, i) => {
      if (Array.isArray(p) && p.length === 2) check(p[0], p[1], `item ${i}`);
      else if (typeof p === "object" && p !== null && !Array.isArray(p)) check((p as Record<string, unknown>).a, (p as Record<string, unknown>).b, `item ${i}`);
      else check(undefined, undefined, `item ${i}`);
    });
  } else {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "" || line.trimStart().startsWith("#")) return;
      const fields = line.includes("\t") ? line.split("\t") : line.split(",");
      if (fields.length !== 2) throw new UserError(`pairs file ${path}: line ${i + 1} is not a pair "a<TAB>b" or "a,b".`);
      check(fields[0], fields[1], `line ${i + 1}`);
    });
  }
  if (pairs.length === 0) throw new UserError(`pairs file ${path} holds no pairs.`);
  return pairs;
}

/** JSON (an array of pair objects) or CSV/TSV with a header: a, b, both, countA, countB, docs, expected, pmi, npmi (null: empty). */
export function formatCooccurrence(pairs: readonly CooccurrencePair[], format: "json" | "csv" | "tsv"): string {
  const FIELDS = ["a", "b", "both", "countA", "countB", "docs", "expected", "pmi", "npmi"] as const;
  if (format === "json") return JSON.stringify(pairs.map((p) => Object.fromEntries(FIELDS.map((f) => [f, p[f]]))), null, 2) + "\n";
  const sep = format === "csv" ? "," : "\t";
  const field = (v: unknown) => {
    if (v === null) return "";
    const s = String(v);
    if (format === "tsv") {
      if (/[\t\r\n]/.test(s)) throw new UserError(`concept name ${JSON.stringify(s)} holds a tab or line break: use --format csv or json.`);
      return s;
    }
    return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [FIELDS.join(sep), ...pairs.map((p) => FIELDS.map((f) => field(p[f])).join(sep))].join("\n") + "\n";
}
