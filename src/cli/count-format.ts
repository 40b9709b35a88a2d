import { csvField } from "../io/csv-write.js";
import type { ConceptEstimate } from "../text-index/sample-estimate.js";

/** Output shapes of per-concept counts: the paper's search_counts JSON, or a CSV table. */
export type CountFormat = "json" | "csv";

export function formatCounts(counts: { concept: string; count: number }[], format: CountFormat): string {
  if (format === "csv") return "concept,count\n" + counts.map((c) => `${csvField(c.concept)},${c.count}`).join("\n") + "\n";
  const obj: Record<string, number> = {};
  for (const c of counts) obj[c.concept] = c.count;
  return JSON.stringify(obj, null, 2) + "\n";
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
