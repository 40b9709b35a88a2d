/**
 * Per-concept counts as files: the paper's search_counts JSON ({concept: count}) or CSV — what
 * `conceptfreq count` prints and a study writes under counts/.
 */
import { csvField } from "../io/csv-write.js";
import type { ConceptEstimate } from "../text-index/sample-estimate.js";

/** Output shapes of per-concept counts: the paper's search_counts JSON, or a CSV table. */
export type CountFormat = "json" | "csv";

/**
 * `{concept: count}` (or `concept,count`); with synonyms (`alternates` per concept, same order)
 * `{concept: {count, alternates}}` (or `concept,count,alternates` with the alternates joined by "|").
 */
export function formatCounts(counts: { concept: string; count: number }[], format: CountFormat, alternates?: readonly string[][]): string {
  if (format === "csv") {
    if (alternates) return "concept,count,alternates\n" + counts.map((c, i) => `${csvField(c.concept)},${c.count},${csvField(alternates[i]!.join("|"))}`).join("\n") + "\n";
    return "concept,count\n" + counts.map((c) => `${csvField(c.concept)},${c.count}`).join("\n") + "\n";
  }
  const obj: Record<string, number | { count: number; alternates: string[] }> = {};
  counts.forEach((c, i) => {
    obj[c.concept] = alternates ? { count: c.count, alternates: alternates[i]! } : c.count;
  });
  return JSON.stringify(obj, null, 2) + "\n";
}

/** `formatCounts` of a concept -> count map, in the map's order. */
export function formatCountMap(counts: ReadonlyMap<string, number>, format: CountFormat): string {
  return formatCounts([...counts].map(([concept, count]) => ({ concept, count })), format);
}

/**
 * Estimated full-corpus counts (a sampled index): JSON {concept: {count, low, high, sampled, rate}}
 * in list order, or CSV concept,count,low,high,sampled,rate.
 */
export function formatEstimates(estimates: ConceptEstimate[], format: CountFormat): string {
  if (format === "csv") {
    return "concept,count,low,high,sampled,rate\n" + estimates.map((e) => `${csvField(e.concept)},${e.count},${e.low},${e.high},${e.sampled},${e.rate}`).join("\n") + "\n";
  }
  const obj: Record<string, Omit<ConceptEstimate, "concept">> = {};
  for (const e of estimates) obj[e.concept] = { count: e.count, low: e.low, high: e.high, sampled: e.sampled, rate: e.rate };
  return JSON.stringify(obj, null, 2) + "\n";
}
