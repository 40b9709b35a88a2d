import { csvField } from "../io/csv-write.js";

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
