/**
 * Selection of long-tail concepts, after "Let It Wag!": rank concepts by their pretraining frequency
 * in one or more corpora and keep the rarest.
 *
 * Ranking
 *   - one corpus: its count;
 *   - several corpora: the mean of ln(1 + count) over the corpora; the reported `frequency` is
 *     exp(mean) − 1, the count-scale equivalent (a geometric mean of 1 + count, minus one), so the
 *     --max-frequency / --min-frequency thresholds are counts whatever the number of corpora;
 *   - `by`: one named corpus's count (the others are still reported).
 *   Ties are broken by the concept's counts in the maps not ranked by (with `by`: the other corpora or
 *   modes given; lower mean ln(1 + count) first: rarer everywhere is rarer), then by concept name in
 *   code-point order, so the result never depends on input order.
 *
 * Name duplicates: two names are the same concept when their keys are equal. The key is the noun-lemma
 * sequence of the name's first alternate through the caption analyzer (lowercase, letters only, so
 * case, punctuation and plural forms vanish: "Geese", "goose", "goose." collide), plus the digits of
 * that alternate ("2D printer" and "3D printer" stay apart). A group of duplicates counts as its MOST
 * frequent member (a concept is only as rare as its most frequent spelling); that member's name is
 * kept (among equally frequent names, one already equal to its key, then the first in code-point
 * order), the others are reported.
 *
 * Concepts missing from some of the maps are skipped (reported), or counted as 0 with `missing: "zero"`.
 */
import { UserError } from "../errors.js";
import { parseConcept } from "../text/concept-query.js";
import { compareCodePoints } from "../code-point-order.js";

export interface FrequencySource {
  /** Short corpus name (a column of the output). */
  name: string;
  counts: ReadonlyMap<string, number>;
}

export interface SelectOptions {
  /** Keep the rarest N (after the frequency filters). */
  count?: number;
  /** Keep concepts whose frequency is at most K. */
  maxFrequency?: number;
  /** Drop concepts whose frequency is below M. */
  minFrequency?: number;
  /** Rank by this corpus's count instead of the pooled frequency. */
  by?: string;
  /** Concepts absent from some map: skipped (default) or counted as 0. */
  missing?: "skip" | "zero";
}

export interface SelectedConcept {
  concept: string;
  /** 1 = rarest. */
  rank: number;
  /** The ranked frequency (see the module comment). */
  frequency: number;
  /** Count in each corpus, in `LongTailSelection.corpora` order. */
  counts: number[];
  /** Other names of the same concept that were dropped as duplicates. */
  duplicates: string[];
}

export interface LongTailSelection {
  corpora: string[];
  ranking: "count" | "mean-log1p" | `by:${string}`;
  concepts: SelectedConcept[];
  /** Distinct concepts ranked (after merging duplicates, before the filters). */
  ranked: number;
  /** Names dropped as duplicates of another name, with the name kept. */
  nearDuplicates: { name: string; keptAs: string }[];
  /** Names skipped because some map lacks them (empty with missing "zero"). */
  missing: string[];
}

const RESERVED_COLUMNS = new Set(["concept", "frequency", "rank"]);

/** The duplicate key of a concept name (see the module comment). */
export function conceptNameKey(name: string): string {
  const firstAlternate = name.split("|")[0] ?? "";
  const q = parseConcept(firstAlternate);
  const lemmas = (q.alternates[0] ?? []).map((w) => w.lemma).join(" ");
  const digits = (firstAlternate.replace(/\([^)]*\)/gu, " ").match(/\p{N}+/gu) ?? []).join(" ");
  const key = digits ? `${lemmas}#${digits}` : lemmas;
  return key === "" ? name.trim().toLowerCase() : key;
}

/**
 * Parses a `--freq` value: `NAME=SPEC` or just `SPEC` (named after the file, without extension and
 * pointer). The value-map spec may carry a JSON pointer: `counts.json#/laion400m`.
 */
export function parseFrequencyFlag(flag: string): { name: string; spec: string } {
  const m = /^([A-Za-z0-9_.\-]+)=(.+)$/u.exec(flag);
  if (m && !m[1]!.includes("/")) return { name: m[1]!, spec: m[2]! };
  const path = flag.split("#")[0]!;
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  return { name: dot > 0 ? base.slice(0, dot) : base, spec: flag };
}

function checkSources(sources: readonly FrequencySource[]): void {
  if (sources.length === 0) throw new UserError("give at least one frequency map with --freq.");
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name)) throw new UserError(`two frequency maps are named "${s.name}"; name them with --freq NAME=FILE.`);
    if (RESERVED_COLUMNS.has(s.name)) throw new UserError(`a frequency map cannot be named "${s.name}"; choose another NAME in --freq NAME=FILE.`);
    seen.add(s.name);
    for (const [concept, v] of s.counts) {
      if (!Number.isFinite(v) || v < 0) {
        throw new UserError(`the count of "${concept}" in ${s.name} is ${v}; counts must be non-negative numbers.`);
      }
    }
  }
}

function checkNumber(name: string, v: number | undefined, integer: boolean): void {
  if (v === undefined) return;
  if (!Number.isFinite(v) || v < 0 || (integer && (!Number.isInteger(v) || v === 0))) {
    throw new UserError(`${name} must be ${integer ? "a positive integer" : "a non-negative number"}, not ${v}.`);
  }
}

/** Ranks concepts by frequency and keeps the rarest (see the module comment). */
export function selectLongTail(sources: readonly FrequencySource[], options: SelectOptions = {}): LongTailSelection {
  checkSources(sources);
  checkNumber("--count", options.count, true);
  checkNumber("--max-frequency", options.maxFrequency, false);
  checkNumber("--min-frequency", options.minFrequency, false);
  const byIndex = options.by === undefined ? -1 : sources.findIndex((s) => s.name === options.by);
  if (options.by !== undefined && byIndex < 0) {
    throw new UserError(`--by ${options.by} names no frequency map; the maps are: ${sources.map((s) => s.name).join(", ")}.`);
  }
  const missingAsZero = options.missing === "zero";

  // Every name, in first-seen order.
  const names: string[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    for (const c of s.counts.keys()) {
      if (seen.has(c)) continue;
      seen.add(c);
      names.push(c);
    }
  }

  const missing: string[] = [];
  interface Scored {
    concept: string;
    counts: number[];
    score: number;
    /** Mean ln(1 + count) over the maps not ranked by (0 when every map is ranked by). */
    tie: number;
    frequency: number;
  }
  const scored: Scored[] = [];
  for (const concept of names) {
    const counts = sources.map((s) => s.counts.get(concept));
    if (counts.some((c) => c === undefined) && !missingAsZero) {
      missing.push(concept);
      continue;
    }
    const cs = counts.map((c) => c ?? 0);
    let score: number;
    let frequency: number;
    if (byIndex >= 0) score = frequency = cs[byIndex]!;
    else if (cs.length === 1) score = frequency = cs[0]!;
    else {
      score = cs.reduce((a, c) => a + Math.log1p(c), 0) / cs.length;
      frequency = Math.expm1(score);
    }
    const others = byIndex >= 0 ? cs.filter((_, k) => k !== byIndex) : [];
    const tie = others.length === 0 ? 0 : others.reduce((a, c) => a + Math.log1p(c), 0) / others.length;
    scored.push({ concept, counts: cs, score, tie, frequency });
  }

  const byName = (a: Scored, b: Scored): number => a.score - b.score || a.tie - b.tie || compareCodePoints(a.concept, b.concept);

  // Merge name duplicates: the group counts as its most frequent member.
  const groups = new Map<string, Scored[]>();
  for (const s of scored) {
    const k = conceptNameKey(s.concept);
    const g = groups.get(k);
    if (g) g.push(s);
    else groups.set(k, [s]);
  }
  const nearDuplicates: { name: string; keptAs: string }[] = [];
  const representatives: { rep: Scored; others: string[] }[] = [];
  for (const [key, g] of groups) {
    // Most frequent first; among equals, a name already in normal form ("goose" over "Geese"), then code-point order.
    const normal = (s: Scored): number => (s.concept === key ? 0 : 1);
    const sorted = [...g].sort((a, b) => b.score - a.score || normal(a) - normal(b) || compareCodePoints(a.concept, b.concept));
    const rep = sorted[0]!;
    const others = sorted.slice(1).map((s) => s.concept).sort(compareCodePoints);
    for (const o of others) nearDuplicates.push({ name: o, keptAs: rep.concept });
    representatives.push({ rep, others });
  }
  representatives.sort((a, b) => byName(a.rep, b.rep));
  nearDuplicates.sort((a, b) => compareCodePoints(a.name, b.name));

  let kept = representatives;
  if (options.minFrequency !== undefined) kept = kept.filter((r) => r.rep.frequency >= options.minFrequency!);
  if (options.maxFrequency !== undefined) kept = kept.filter((r) => r.rep.frequency <= options.maxFrequency!);
  if (options.count !== undefined) kept = kept.slice(0, options.count);

  return {
    corpora: sources.map((s) => s.name),
    ranking: byIndex >= 0 ? `by:${options.by!}` : sources.length === 1 ? "count" : "mean-log1p",
    concepts: kept.map((r, i) => ({
      concept: r.rep.concept,
      rank: i + 1,
      frequency: r.rep.frequency,
      counts: r.rep.counts,
      duplicates: r.others,
    })),
    ranked: representatives.length,
    nearDuplicates,
    missing,
  };
}

/** A number as written in outputs: integers as is, others rounded to 4 decimals. */
export function formatFrequency(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e4) / 1e4);
}

/** The selection as CSV: concept,frequency,rank,<one count column per corpus>. */
export function selectionToCsv(sel: LongTailSelection): { header: string[]; rows: string[][] } {
  return {
    header: ["concept", "frequency", "rank", ...sel.corpora],
    rows: sel.concepts.map((c) => [c.concept, formatFrequency(c.frequency), String(c.rank), ...c.counts.map(formatFrequency)]),
  };
}

/** An aligned plain-text table of the selection (rank, concept, frequency, counts). */
export function formatSelectionTable(sel: LongTailSelection): string {
  const header = ["rank", "concept", "frequency", ...(sel.corpora.length > 1 || sel.ranking.startsWith("by:") ? sel.corpora : [])];
  const rows = sel.concepts.map((c) => [
    String(c.rank),
    c.concept,
    formatFrequency(c.frequency),
    ...(header.length > 3 ? c.counts.map(formatFrequency) : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd() + "\n";
  return line(header) + rows.map(line).join("");
}

/** A concept list file: a "#" comment saying how it was made, then one concept per line, rarest first. */
export function selectionToConceptList(sel: LongTailSelection): string {
  const how = sel.ranking === "count" ? `count in ${sel.corpora[0]}` : sel.ranking === "mean-log1p" ? `mean log(1+count) over ${sel.corpora.join(", ")}` : `count in ${sel.ranking.slice(3)}`;
  return `# conceptfreq longtail select: ${sel.concepts.length} rarest of ${sel.ranked} concepts by ${how}\n` + sel.concepts.map((c) => c.concept + "\n").join("");
}
