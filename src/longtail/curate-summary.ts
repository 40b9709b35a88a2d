/** The per-class summary of a curation as a plain-text table (what `longtail curate` prints). */
import type { ClassSummary } from "./curate-plan.js";

/** An aligned plain-text table of the per-class summary, with a total row. */
export function formatCurationSummary(classes: readonly ClassSummary[]): string {
  const header = ["class", "found", "unreadable", "tiny", "cross_class", "duplicates", "sampled_out", "kept", "status"];
  const num = (c: ClassSummary): number[] => [c.found, c.unreadable, c.tiny, c.crossClass, c.duplicates, c.sampledOut, c.kept];
  const rows = classes.map((c) => [c.className, ...num(c).map(String), c.droppedBecause ? `dropped (${c.droppedBecause})` : ""]);
  const totals = classes.reduce((acc, c) => num(c).map((v, i) => acc[i]! + v), [0, 0, 0, 0, 0, 0, 0]);
  rows.push(["total", ...totals.map(String), ""]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd() + "\n";
  return line(header) + rows.map(line).join("");
}
