/** The readable (non --json) output of `conceptfreq tail`. */
import type { TailReport } from "../analysis/long-tail.js";
import { count, countOf, percent, pValue, sig, table } from "./number-format.js";

export function formatTailReport(report: TailReport): string {
  const blocks: string[] = [];
  for (const c of report.corpora) {
    const z = c.zipf;
    const lines = [`corpus "${c.name}": ${countOf(c.concepts, "concept")}, ${countOf(c.total_occurrences, "occurrence")}, median ${sig(c.median_count)}`];
    const rows = [
      ["zipf exponent", z.exponent === null ? `n/a (${z.reason})` : `${sig(z.exponent, 3)}  (r² ${sig(z.r2, 3)}, over ${countOf(z.n, "concept")} with count > 0)`],
      ["concepts with 0", percent(c.share_zero)],
      ["          < 10", percent(c.share_below_10)],
      ["          < 100", percent(c.share_below_100)],
      ["          < 1,000", percent(c.share_below_1000)],
      ["top 1% holds", `${percent(c.top_1pct.share)} of occurrences (${countOf(c.top_1pct.concepts, "concept")})`],
      ["top 10% holds", `${percent(c.top_10pct.share)} of occurrences (${countOf(c.top_10pct.concepts, "concept")})`],
    ];
    lines.push(...table(rows).map((l) => "  " + l));
    if (c.rarest.length) {
      lines.push(`  rarest ${c.rarest.length}: ` + c.rarest.map((r) => `${r.concept} (${count(r.count)})`).join(", "));
    }
    if (c.reason) lines.push(`  note: ${c.reason}`);
    blocks.push(lines.join("\n"));
  }
  if (report.correlations.length) {
    const rows = [["corpus a", "corpus b", "shared", "pearson", "p", "spearman", "p"]];
    for (const k of report.correlations) {
      rows.push([k.a, k.b, count(k.n), sig(k.pearson.r, 3), pValue(k.pearson.p), sig(k.spearman.r, 3), pValue(k.spearman.p)]);
    }
    blocks.push(["correlation of ln(1 + count) between corpora (over shared concepts):", ...table(rows, [false, false, true, true, true, true, true]).map((l) => "  " + l)].join("\n"));
  }
  return blocks.join("\n\n") + "\n";
}
