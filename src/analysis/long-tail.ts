/**
 * The long tail of a corpus' concept frequencies: a Zipf fit of the rank-frequency curve, how many
 * concepts are rare, how concentrated the occurrences are, and how alike several corpora's counts are.
 */
import { pearson, spearman, type Correlation } from "./correlation.js";
import { ols } from "./regression.js";
import { median } from "./numpy-semantics.js";
import { UserError } from "../errors.js";
import { compareCodePoints } from "../code-point-order.js";

export type ZipfFit =
  | { exponent: number; intercept: number; r2: number | null; n: number; reason?: string }
  | { exponent: null; intercept: null; r2: null; n: number; reason: string };

/**
 * Fits log10(count) = intercept - exponent * log10(rank) over the counts > 0 sorted in descending
 * order (rank 1 = the most frequent concept). r2 is the fit's coefficient of determination.
 */
export function zipfExponent(counts: readonly number[]): ZipfFit {
  const positive = counts.filter((c) => c > 0).sort((a, b) => b - a);
  const n = positive.length;
  if (n < 3) return { exponent: null, intercept: null, r2: null, n, reason: `a Zipf fit needs at least 3 concepts with a count above 0; there ${n === 1 ? "is" : "are"} ${n}.` };
  const x = positive.map((_, i) => Math.log10(i + 1));
  const y = positive.map((c) => Math.log10(c));
  const fit = ols(x, y)!; // ranks 1..n are distinct, so x is never constant
  if (!(fit.syy > 0)) return { exponent: 0 - fit.slope, intercept: fit.intercept, r2: null, n, reason: "all counts above 0 are equal, so r2 is undefined." };
  const r2 = Math.min(1, (fit.sxy * fit.sxy) / (fit.sxx * fit.syy));
  return { exponent: 0 - fit.slope, intercept: fit.intercept, r2, n };
}

export interface RareConcept {
  concept: string;
  count: number;
}

export interface LongTailReport {
  name: string;
  concepts: number;
  total_occurrences: number;
  median_count: number | null;
  zipf: ZipfFit;
  /** Shares of concepts (0..1) with 0, < 10, < 100 and < 1,000 occurrences (each includes the smaller). */
  share_zero: number | null;
  share_below_10: number | null;
  share_below_100: number | null;
  share_below_1000: number | null;
  /** Share of all occurrences held by the ceil(1%) and ceil(10%) most frequent concepts. */
  top_1pct: { concepts: number; share: number | null };
  top_10pct: { concepts: number; share: number | null };
  rarest: RareConcept[];
  /** Why a null above is null. */
  reason?: string;
}

export interface LongTailOptions {
  /** A name for the corpus (default "corpus"). */
  name?: string;
  /** How many of the rarest concepts to list (default 10). */
  rarest?: number;
}

function checkCounts(freq: Map<string, number>, name: string): void {
  for (const [concept, c] of freq) {
    if (!Number.isFinite(c) || c < 0) throw new UserError(`${name}: the count of "${concept}" is ${c}; counts must be finite and non-negative.`);
  }
}

/** Shares of occurrences held by the top k concepts, k = ceil(percent% of n) (at least 1). */
function topShare(sortedDesc: readonly number[], total: number, percent: number): { concepts: number; share: number | null } {
  const k = sortedDesc.length === 0 ? 0 : Math.max(1, Math.ceil((percent * sortedDesc.length) / 100));
  let s = 0;
  for (let i = 0; i < k; i++) s += sortedDesc[i]!;
  return { concepts: k, share: total > 0 ? s / total : null };
}

export function longTailReport(freq: Map<string, number>, opts: LongTailOptions = {}): LongTailReport {
  const name = opts.name ?? "corpus";
  const rarestN = opts.rarest ?? 10;
  if (!Number.isInteger(rarestN) || rarestN < 0) throw new UserError(`--rarest must be a non-negative integer (got ${rarestN}).`);
  checkCounts(freq, name);
  const entries = [...freq.entries()];
  const counts = entries.map(([, c]) => c);
  const n = counts.length;
  let total = 0;
  for (const c of counts) total += c;
  const share = (pred: (c: number) => boolean): number | null => (n === 0 ? null : counts.filter(pred).length / n);
  const sortedDesc = [...counts].sort((a, b) => b - a);
  const rarest = entries
    .sort((a, b) => a[1] - b[1] || compareCodePoints(a[0], b[0]))
    .slice(0, rarestN)
    .map(([concept, count]) => ({ concept, count }));
  const report: LongTailReport = {
    name,
    concepts: n,
    total_occurrences: total,
    median_count: n === 0 ? null : median(counts),
    zipf: zipfExponent(counts),
    share_zero: share((c) => c === 0),
    share_below_10: share((c) => c < 10),
    share_below_100: share((c) => c < 100),
    share_below_1000: share((c) => c < 1000),
    top_1pct: topShare(sortedDesc, total, 1),
    top_10pct: topShare(sortedDesc, total, 10),
    rarest,
  };
  if (n === 0) report.reason = "the frequency map is empty.";
  else if (total === 0) report.reason = "every concept has 0 occurrences, so shares of occurrences are undefined.";
  return report;
}

export interface CorpusPairCorrelation {
  a: string;
  b: string;
  /** Concepts present in both maps (the correlation is over these). */
  n: number;
  /** Concepts present in only one of the two maps (left out). */
  only_a: number;
  only_b: number;
  /** Pearson and Spearman correlation of ln(1 + count). */
  pearson: Correlation;
  spearman: Correlation;
}

/** Pearson and Spearman correlation of ln(1 + count) for every pair of corpora, over their shared concepts. */
export function crossCorpusCorrelation(maps: readonly { name: string; freq: Map<string, number> }[]): CorpusPairCorrelation[] {
  const out: CorpusPairCorrelation[] = [];
  for (const m of maps) checkCounts(m.freq, m.name);
  for (let i = 0; i < maps.length; i++) {
    for (let j = i + 1; j < maps.length; j++) {
      const a = maps[i]!;
      const b = maps[j]!;
      const x: number[] = [];
      const y: number[] = [];
      for (const [concept, ca] of a.freq) {
        const cb = b.freq.get(concept);
        if (cb === undefined) continue;
        x.push(Math.log1p(ca));
        y.push(Math.log1p(cb));
      }
      out.push({
        a: a.name,
        b: b.name,
        n: x.length,
        only_a: a.freq.size - x.length,
        only_b: b.freq.size - x.length,
        pearson: pearson(x, y),
        spearman: spearman(x, y),
      });
    }
  }
  return out;
}

export interface TailReport {
  format: "conceptfreq-tail";
  version: 1;
  corpora: LongTailReport[];
  /** Every pair of corpora (empty with one corpus). */
  correlations: CorpusPairCorrelation[];
}

/** The long-tail report of one or more corpora, with their pairwise correlations. */
export function tailReport(corpora: readonly { name: string; freq: Map<string, number> }[], opts: Pick<LongTailOptions, "rarest"> = {}): TailReport {
  if (corpora.length === 0) throw new UserError("Nothing to describe: give at least one --freq FILE.");
  const names = new Set<string>();
  for (const c of corpora) {
    if (names.has(c.name)) throw new UserError(`Two corpora are named "${c.name}"; give distinct names with --names.`);
    names.add(c.name);
  }
  return {
    format: "conceptfreq-tail",
    version: 1,
    corpora: corpora.map((c) => longTailReport(c.freq, { name: c.name, rarest: opts.rarest })),
    correlations: crossCorpusCorrelation(corpora),
  };
}
