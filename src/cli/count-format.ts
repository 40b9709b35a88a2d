import { csvField } from "../io/csv-write.js";

/** Output shapes of per-concept counts: the paper's search_counts JSON, or a CSV table. */
export type CountFormat = "json" | "csv";

export function formatCounts(counts: { concept: string; count: number }[], format: CountFormat): string {
  if (format === "csv") return "concept,count\n" + counts.map((c) => `${csvField(c.concept)},${c.count}`).join("\n") + "\n";
  const obj: Record<string, number> = {};
  for (const c of counts) obj[c.concept] = c.count;
  return JSON.stringify(obj, null, 2) + "\n";
}
