/**
 * Applying a labelled audit to counts: per concept, the precision of its matches (relevant / labelled)
 * with a binomial interval, and the count scaled by it. See docs/audit.md.
 *
 *   precision  k / n from the n labelled rows of the concept, k of them relevant
 *   count      raw × precision; low/high = raw × the precision interval's bounds
 *
 * A concept of the counts with no labelled row keeps its count (low = high = count, audited: false).
 * The interval treats the labelled captions as a simple random sample of the concept's matches drawn
 * with replacement, which is conservative when the sample is a large part of the matches. When every
 * match was labelled (n = raw = the sample's `matches`), the precision is known exactly: the interval
 * is the point (interval: "census").
 */
import { binomialInterval, type IntervalMethod } from "../analysis/binomial-interval.js";
import type { AuditRow } from "./audit-file.js";

export interface AdjustedCount {
  /** The adjusted count (raw × precision), or the raw count when not audited. */
  count: number;
  low: number;
  high: number;
  precision: number | null;
  precisionLow: number | null;
  precisionHigh: number | null;
  /** How many labelled rows the precision rests on, or false when the concept was not audited. */
  audited: number | false;
  /** How many of them were relevant (0 when not audited). */
  relevant: number;
  /** The count before adjustment. */
  raw: number;
  interval?: IntervalMethod | "census";
}

export interface AuditApplyResult {
  adjusted: Map<string, AdjustedCount>;
  /** Concepts with labelled rows that the counts do not have (ignored). */
  notInCounts: string[];
  /** Concepts whose rows exist but none is labelled. */
  unlabelled: string[];
  /** Audited concepts whose count differs from the `matches` the sample was drawn from. */
  countMismatches: { concept: string; count: number; matches: number }[];
  /** Rows with a label, over all concepts. */
  labelledRows: number;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Adjusts each count (in the counts' order) by the audit's precision. */
export function applyAudit(rows: readonly AuditRow[], counts: ReadonlyMap<string, number>, opts: { interval?: IntervalMethod; level?: number; countIntervals?: ReadonlyMap<string, { low: number; high: number }> } = {}): AuditApplyResult {
  const method = opts.interval ?? "wilson";
  const tally = new Map<string, { n: number; k: number; rows: number; matches: number | undefined }>();
  let labelledRows = 0;
  for (const r of rows) {
    const t = tally.get(r.concept) ?? { n: 0, k: 0, rows: 0, matches: r.matches };
    t.rows++;
    if (r.relevant !== undefined) {
      t.n++;
      labelledRows++;
      if (r.relevant) t.k++;
    }
    tally.set(r.concept, t);
  }
  const adjusted = new Map<string, AdjustedCount>();
  const unlabelled: string[] = [];
  const countMismatches: AuditApplyResult["countMismatches"] = [];
  for (const [concept, raw] of counts) {
    const t = tally.get(concept);
    if (t === undefined || t.n === 0) {
      if (t !== undefined) unlabelled.push(concept);
      const ci = opts.countIntervals?.get(concept);
      adjusted.set(concept, { count: raw, low: ci?.low ?? raw, high: ci?.high ?? raw, precision: null, precisionLow: null, precisionHigh: null, audited: false, relevant: 0, raw });
      continue;
    }
    if (t.matches !== undefined && t.matches !== raw) countMismatches.push({ concept, count: raw, matches: t.matches });
    const census = t.matches === raw && t.n === raw;
    // a count with its own interval (a sampled index's estimate): both uncertainties, bound times bound
    const ci = opts.countIntervals?.get(concept) ?? { low: raw, high: raw };
    const iv = census ? { estimate: t.k / t.n, low: t.k / t.n, high: t.k / t.n } : binomialInterval(method, t.k, t.n, opts.level ?? 0.95);
    adjusted.set(concept, {
      count: round(raw * iv.estimate, 3),
      low: round(ci.low * iv.low, 3),
      high: round(ci.high * iv.high, 3),
      precision: round(iv.estimate, 6),
      precisionLow: round(iv.low, 6),
      precisionHigh: round(iv.high, 6),
      audited: t.n,
      relevant: t.k,
      raw,
      interval: census ? "census" : method,
    });
  }
  const notInCounts = [...tally.entries()].filter(([c, t]) => t.n > 0 && !counts.has(c)).map(([c]) => c);
  return { adjusted, notInCounts, unlabelled, countMismatches, labelledRows };
}

/** The adjusted counts as JSON ({concept: {count, low, high, precision, ...}} in the counts' order). */
export function formatAdjustedCounts(adjusted: ReadonlyMap<string, AdjustedCount>): string {
  const obj = Object.create(null) as Record<string, AdjustedCount>;
  for (const [c, a] of adjusted) obj[c] = a;
  return JSON.stringify(obj, null, 2) + "\n";
}
