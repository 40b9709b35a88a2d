/** The readable (non --json) output of `conceptfreq fit`, and its warnings about unmatched concepts. */
import type { FitReport, SeriesFit } from "../analysis/fit.js";
import { quoteList } from "../analysis/fit.js";
import { count, countOf, pValue, sig, table } from "./number-format.js";

/** One line per pair with unmatched names (how many, the first few), for stderr. */
export function unmatchedWarnings(report: FitReport): string[] {
  const out: string[] = [];
  for (const s of report.series) {
    s.pairs.forEach((pair, k) => {
      const parts: string[] = [];
      const up = pair.unmatched_performance;
      const uf = pair.unmatched_frequency;
      if (up.count > 0) parts.push(`${up.count} concept${up.count === 1 ? "" : "s"} of ${pair.perf} ha${up.count === 1 ? "s" : "ve"} no frequency in ${pair.freq} (${quoteList(up.first, up.first.length)}${up.count > up.first.length ? ", ..." : ""})`);
      if (uf.count > 0) parts.push(`${uf.count} concept${uf.count === 1 ? "" : "s"} of ${pair.freq} ha${uf.count === 1 ? "s" : "ve"} no performance`);
      if (parts.length) out.push(`warning: series "${s.name}", pair ${k + 1}: ${parts.join("; ")}; they are left out (--strict makes this an error).`);
    });
  }
  return out;
}

function seriesText(s: SeriesFit): string[] {
  const r = s.regression;
  const lines: string[] = [];
  lines.push(`series "${s.name}": ${countOf(s.n, "concept")} from ${countOf(s.pairs.length, "pair")}`);
  lines.push("  log-linear fit: performance = intercept + slope * log10(frequency)");
  if (r.slope === null) {
    lines.push(`    no fit: ${r.reason}`);
  } else {
    const ci = r.slope_ci95;
    const ciText = ci === null ? "" : ci.low === null ? `  (95% CI n/a: ${ci.reason})` : `  (95% CI ${sig(ci.low)} .. ${sig(ci.high)}, ${ci.resamples} bootstrap resamples, seed ${ci.seed}${ci.count_uncertainty ? `, ${ci.count_uncertainty.concepts_with_interval} counts drawn within their intervals` : ""})`;
    const rows = [
      ["slope", `${sig(r.slope)} points per 10x data${ciText}`],
      ["intercept", sig(r.intercept)],
      ["pearson r", r.r === null ? `n/a (${r.reason})` : `${sig(r.r, 3)}  (p ${pValue(r.p)}, r² ${sig(r.r2, 3)})`],
      ["spearman", r.spearman === null ? "n/a" : `${sig(r.spearman, 3)}  (p ${pValue(r.spearman_p)})`],
    ];
    const dm = r.data_multiplier;
    if (dm.per_point !== null || dm.log10_per_point !== null) {
      const fmt = (v: number | null, e: number | null) => (v !== null ? `${sig(v, 3)}x` : `10^${sig(e, 3)}x`);
      rows.push(["more data for", `+1 point: ${fmt(dm.per_point, dm.log10_per_point)}   +10 points: ${fmt(dm.per_10_points, dm.log10_per_10_points)}`]);
    } else {
      rows.push(["more data for", `n/a (${dm.reason})`]);
    }
    lines.push(...table(rows).map((l) => "    " + l));
  }
  const b = s.binned;
  if (b) {
    const corr = b.pearson.r === null ? `n/a (${b.pearson.reason})` : `r ${sig(b.pearson.r, 3)} (p ${pValue(b.pearson.p)}) over ${b.bins.filter((x) => x.kept).length} points`;
    const how = b.method === "paper" ? `paper binning, ${b.bin_count} edges on ln(max(freq, 1))` : `quantile binning, ${b.bin_count} equal-count bins`;
    lines.push(`  binned (${how}, trim ${b.trim.join(",")}): ${corr}`);
    const rows = [[b.method === "paper" ? "edge" : "median freq", "mean", "std", "n", "kept"]];
    for (const bin of b.bins) rows.push([bin.edge >= 1000 ? count(Math.round(bin.edge)) : sig(bin.edge), sig(bin.mean), sig(bin.std), String(bin.n), bin.kept ? "yes" : "no"]);
    lines.push(...table(rows, [true, true, true, true, false]).map((l) => "    " + l));
  }
  return lines;
}

/** The report as a readable table, one block per series. */
export function formatFitReport(report: FitReport): string {
  return report.series.map((s) => seriesText(s).join("\n")).join("\n\n") + "\n";
}
