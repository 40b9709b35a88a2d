/**
 * report.html: one self-contained page (styles, script and plots inlined; no network) with the
 * study's fits, plots, long-tail statistics and cross-corpus correlations. Tables sort by a click on
 * a column header. Plots are inlined as SVG data URIs, so their ids cannot clash.
 */
import { createRequire } from "node:module";
import { count, percent, pValue, sig } from "../report/number-format.js";
import { formatRho } from "../report/plots.js";
import type { StudyData, StudyFit } from "./data.js";

const require = createRequire(import.meta.url);
const { version } = require("../../package.json") as { version: string };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A table cell: text shown, and the value it sorts by (numbers sort numerically, blanks last). */
interface Cell {
  text: string;
  sort?: number | string | null;
  title?: string;
}

function cell(text: string, sort?: number | string | null, title?: string): Cell {
  return { text, sort, title };
}

function num(v: number | null | undefined, digits = 4): Cell {
  return cell(sig(v, digits), v ?? null);
}

function table(id: string, headers: { label: string; numeric?: boolean; title?: string }[], rows: Cell[][]): string {
  const head = headers
    .map((h, i) => `<th data-col="${i}"${h.numeric ? ' class="num"' : ""}${h.title ? ` title="${escapeHtml(h.title)}"` : ""}>${escapeHtml(h.label)}</th>`)
    .join("");
  const body = rows
    .map(
      (r) =>
        "<tr>" +
        r
          .map((c, i) => {
            const attrs = [headers[i]?.numeric ? ' class="num"' : ""];
            if (c.sort !== undefined) attrs.push(` data-sort="${escapeHtml(c.sort === null ? "" : String(c.sort))}"`);
            if (c.title) attrs.push(` title="${escapeHtml(c.title)}"`);
            return `<td${attrs.join("")}>${escapeHtml(c.text)}</td>`;
          })
          .join("") +
        "</tr>",
    )
    .join("\n");
  return `<div class="scroll"><table class="sortable" id="${escapeHtml(id)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function plotImg(svg: string | undefined, alt: string): string {
  if (svg === undefined) return "";
  return `<figure><img alt="${escapeHtml(alt)}" src="data:image/svg+xml;base64,${Buffer.from(svg, "utf8").toString("base64")}"><figcaption>${escapeHtml(alt)}</figcaption></figure>`;
}

function slopeText(f: StudyFit): string {
  const r = f.regression;
  if (r.slope === null) return "n/a";
  const ci = r.slope_ci95;
  return ci && ci.low !== null ? `${sig(r.slope, 3)} [${sig(ci.low, 3)}, ${sig(ci.high, 3)}]` : sig(r.slope, 3);
}

function multiplierText(f: StudyFit): Cell {
  const dm = f.regression.data_multiplier;
  if (dm.per_10_points !== null) return cell(`${sig(dm.per_10_points, 3)}×`, dm.per_10_points, dm.reason);
  if (dm.log10_per_10_points !== null) return cell(`10^${sig(dm.log10_per_10_points, 3)}×`, Number.MAX_VALUE, dm.reason);
  return cell("n/a", null, dm.reason);
}

function resultsTable(fits: readonly StudyFit[]): string {
  // the figure column only when the study has figures (an empty first column pushes the last one out of view)
  const withFigure = fits.some((f) => f.figure !== null);
  return table(
    "results",
    [
      ...(withFigure ? [{ label: "figure", title: "a figure's fit pools the datasets of the figure" }] : []),
      { label: "dataset" },
      { label: "model" },
      { label: "corpus" },
      { label: "mode" },
      { label: "n", numeric: true, title: "concepts with both a frequency and a performance" },
      { label: "slope [95% CI]", numeric: true, title: "performance points per 10× more pretraining data (bootstrap interval)" },
      { label: "r", numeric: true, title: "Pearson r of performance and log10(frequency)" },
      { label: "p", numeric: true },
      { label: "Spearman ρ", numeric: true },
      { label: "binned ρ", numeric: true, title: "Pearson r of the binned means (the paper's figure); ** p < 0.05" },
      { label: "data for +10 pts", numeric: true, title: "how many times more data a 10-point gain costs under the fit" },
    ],
    fits.map((f) => [
      ...(withFigure ? [cell(f.figure ?? "")] : []),
      cell(f.figure === null ? f.dataset : `${(f.datasets ?? []).length} pooled`, null, f.figure === null ? undefined : (f.datasets ?? []).join(", ")),
      cell(f.model),
      cell(f.corpus),
      cell(f.mode),
      cell(String(f.n), f.n),
      cell(slopeText(f), f.regression.slope),
      num(f.regression.r, 3),
      cell(pValue(f.regression.p), f.regression.p),
      num(f.regression.spearman, 3),
      cell(f.binned ? formatRho(f.binned.pearson) : "n/a", f.binned?.pearson.r ?? null, f.binned?.pearson.r === null ? f.binned?.pearson.reason : undefined),
      multiplierText(f),
    ]),
  );
}

function tailSection(data: StudyData, plots: Map<string, string>): string {
  const parts: string[] = [];
  for (const [mode, t] of Object.entries(data.tail)) {
    if (!t) continue;
    const plot = data.files.plots.find((p) => p.svg === `plots/tail/${mode}.svg`);
    parts.push(`<h3>${escapeHtml(mode)} frequency</h3>`);
    if (t.corpora.length > 0) {
      parts.push(
        table(
          `tail-${mode}`,
          [
            { label: "corpus" },
            { label: "concepts", numeric: true },
            { label: "occurrences", numeric: true },
            { label: "median count", numeric: true },
            { label: "Zipf exponent", numeric: true, title: "slope of log10(count) against log10(rank), counts > 0" },
            { label: "count 0", numeric: true },
            { label: "< 10", numeric: true },
            { label: "< 100", numeric: true },
            { label: "top 10% hold", numeric: true, title: "share of all occurrences held by the 10% most frequent concepts" },
          ],
          t.corpora.map((c) => [
            cell(c.name),
            cell(count(c.concepts), c.concepts),
            cell(count(c.total_occurrences), c.total_occurrences),
            num(c.median_count),
            num(c.zipf.exponent, 3),
            cell(percent(c.share_zero), c.share_zero),
            cell(percent(c.share_below_10), c.share_below_10),
            cell(percent(c.share_below_100), c.share_below_100),
            cell(percent(c.top_10pct.share), c.top_10pct.share),
          ]),
        ),
      );
      parts.push('<div class="cards">');
      for (const c of t.corpora) {
        parts.push(
          `<div class="card"><h4>Rarest in ${escapeHtml(c.name)}</h4><ol>${c.rarest
            .map((r) => `<li>${escapeHtml(r.concept)} <span class="muted">${count(r.count)}</span></li>`)
            .join("")}</ol></div>`,
        );
      }
      parts.push("</div>");
    }
    if (plot) parts.push(plotImg(plots.get(plot.svg), plot.title));
    if (t.correlations.length > 0) {
      parts.push(`<h4>Cross-corpus correlation of ln(1 + count) (${escapeHtml(mode)})</h4>`);
      parts.push(
        table(
          `cross-${mode}`,
          [
            { label: "corpus A" },
            { label: "corpus B" },
            { label: "shared concepts", numeric: true },
            { label: "Pearson r", numeric: true },
            { label: "p", numeric: true },
            { label: "Spearman ρ", numeric: true },
            { label: "p", numeric: true },
          ],
          t.correlations.map((c) => [
            cell(c.a),
            cell(c.b),
            cell(String(c.n), c.n),
            num(c.pearson.r, 3),
            cell(pValue(c.pearson.p), c.pearson.p),
            num(c.spearman.r, 3),
            cell(pValue(c.spearman.p), c.spearman.p),
          ]),
        ),
      );
    }
  }
  return parts.join("\n");
}

function fitDetails(f: StudyFit, plots: Map<string, string>): string {
  const outliers = table(
    `outliers-${f.id}`,
    [{ label: "concept" }, { label: "frequency", numeric: true }, { label: "performance", numeric: true }, { label: "residual", numeric: true, title: "performance minus the fitted line" }],
    f.outliers.map((p) => [cell(p.concept), cell(count(p.frequency), p.frequency), num(p.performance), num(p.residual, 3)]),
  );
  const r = f.regression;
  const summary =
    r.slope === null
      ? `no fit: ${r.reason ?? "too few points"}`
      : `slope ${sig(r.slope, 3)} points per 10× data, r = ${sig(r.r, 3)} (p ${pValue(r.p)}), binned ρ = ${f.binned ? formatRho(f.binned.pearson) : "n/a"}, n = ${f.n}`;
  return `<details><summary><b>${escapeHtml(f.model)}</b> · ${escapeHtml(f.dataset)} · ${escapeHtml(f.corpus)} · ${escapeHtml(f.mode)} — ${escapeHtml(summary)}</summary>
<div class="two">${f.plot ? plotImg(plots.get(f.plot.svg), `${f.model}: every concept (faint) and the binned means`) : ""}<div><h4>Furthest from the fit</h4>${outliers}</div></div></details>`;
}

const STYLE = `
:root { --fg: #1d2330; --muted: #667085; --line: #e4e7ec; --bg: #fff; --accent: #2f5fb3; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; background: var(--bg); min-height: 100vh; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; margin: 36px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 22px 0 8px; } h4 { font-size: 15px; margin: 14px 0 6px; }
.muted, figcaption { color: var(--muted); font-size: 13px; }
nav { display: flex; flex-wrap: wrap; gap: 4px 14px; } nav a { color: var(--accent); text-decoration: none; white-space: nowrap; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 6px 0 12px; }
th, td { padding: 5px 7px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #f1f3f7; position: sticky; top: 0; cursor: pointer; user-select: none; white-space: normal; vertical-align: bottom; }
th.sorted-asc::after { content: " ▲"; font-size: 10px; } th.sorted-desc::after { content: " ▼"; font-size: 10px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:hover td { background: #f8fafc; }
figure { margin: 10px 0; } figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 14px; }
.two { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 18px; align-items: start; }
@media (max-width: 900px) { .two { grid-template-columns: 1fr; } .grid { grid-template-columns: 1fr; } }
@media (max-width: 600px) { main { padding: 16px 12px 48px; } h1 { font-size: 22px; } th { white-space: nowrap; } }
.cards { display: flex; flex-wrap: wrap; gap: 12px; } .card { border: 1px solid var(--line); border-radius: 6px; padding: 4px 14px; min-width: 220px; }
.card ol { margin: 4px 0 10px; padding-left: 22px; }
details { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; margin: 8px 0; } summary { cursor: pointer; }
code { background: #f1f3f7; padding: 1px 4px; border-radius: 3px; font-size: 13px; }
`;

/** Sorts a table by the clicked column (numbers numerically, blanks last); a second click reverses. */
const SCRIPT = `
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th) {
    th.addEventListener("click", function () {
      var col = Number(th.dataset.col), asc = !th.classList.contains("sorted-asc");
      table.querySelectorAll("th").forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      function key(row) { var c = row.cells[col]; return c.dataset.sort !== undefined ? c.dataset.sort : c.textContent; }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === "" && y === "") return 0; if (x === "") return 1; if (y === "") return -1;
        var nx = Number(x), ny = Number(y), d;
        d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
var picker = document.getElementById("figure-picker");
if (picker) picker.addEventListener("change", function () {
  document.querySelectorAll(".figure-panel").forEach(function (p) { p.hidden = p.getAttribute("data-figure") !== picker.value; });
});
`;

/** The figures: a picker and, per figure, its plots (one per corpus × mode, one line per model). */
function figuresSection(data: StudyData, plots: Map<string, string>): string {
  if (data.figures.length === 0) return "";
  const options = data.figures.map((f, i) => `<option value="${escapeHtml(f.name)}"${i === 0 ? " selected" : ""}>${escapeHtml(f.title)}</option>`).join("");
  const panels = data.figures.map((f, i) => {
    const figs = data.files.plots.filter((p) => p.svg.startsWith(`plots/figures/${f.name}/`));
    const body = figs.length ? `<div class="grid">${figs.map((p) => plotImg(plots.get(p.svg), p.title)).join("")}</div>` : '<p class="muted">No plots (plots are off, or no fit of this figure).</p>';
    return `<div class="figure-panel" data-figure="${escapeHtml(f.name)}"${i === 0 ? "" : " hidden"}><p class="muted">${escapeHtml(f.datasets.length + " dataset" + (f.datasets.length === 1 ? "" : "s") + " pooled: " + f.datasets.join(", "))}; models: ${escapeHtml(f.models.join(", ") || "none")}.</p>${body}</div>`;
  });
  return `<h2 id="figures">Figures</h2>
<p>Each figure pools its datasets into one series per model, as the paper's figures do.</p>
<label>Figure <select id="figure-picker">${options}</select></label>
${panels.join("\n")}`;
}

/** The report page; `plots` maps a study-relative SVG path to the SVG text. */
export function renderStudyReport(data: StudyData, plots: Map<string, string>): string {
  const corpora = table(
    "corpora",
    [{ label: "corpus" }, { label: "samples", numeric: true }, { label: "caption rule" }, { label: "count modes" }],
    data.corpora.map((c) => [cell(c.name), c.docCount === null ? cell("counts only", null, "counted from count files; the corpus' size is not known") : cell(count(c.docCount), c.docCount), cell(c.match), cell(c.modes.join(", "))]),
  );
  const datasets = table(
    "datasets",
    [{ label: "dataset" }, { label: "concepts", numeric: true }, { label: "models" }],
    data.datasets.map((d) => [cell(d.name), cell(String(d.concepts.length), d.concepts.length), cell(d.models.join(", "))]),
  );
  const loglinear: string[] = [];
  for (const d of data.datasets) {
    const figs = data.files.plots.filter((p) => p.svg.startsWith(`plots/loglinear/${d.name}/`));
    if (figs.length === 0) continue;
    loglinear.push(`<h3>${escapeHtml(d.name)}</h3><div class="grid">${figs.map((p) => plotImg(plots.get(p.svg), p.title)).join("")}</div>`);
  }
  const details = data.fits.filter((f) => f.figure === null).map((f) => fitDetails(f, plots)).join("\n");
  const figures = figuresSection(data, plots);
  const files = [data.files.results_csv, data.files.results_json, "study-data.json", "cross-corpus.json"]
    .map((f) => `<code>${escapeHtml(f)}</code>`)
    .join(", ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="conceptfreq ${escapeHtml(version)}">
<title>${escapeHtml(data.name)} — conceptfreq study</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(data.name)}</h1>
<p class="muted">Pretraining concept frequency and zero-shot performance — a conceptfreq ${escapeHtml(version)} study report.</p>
<nav><a href="#results">Results</a>${figures ? '<a href="#figures">Figures</a>' : ""}<a href="#plots">Log-linear plots</a><a href="#fits">Per fit</a><a href="#tail">Long tail</a><a href="#inputs">Inputs</a></nav>

<h2 id="results">Results</h2>
<p>One row per model × corpus × count mode: an ordinary least-squares fit of per-concept performance on
log10(concept frequency) (a frequency of 0 counts as ${sig(data.fits[0]?.regression.zero_as ?? 1)}), Pearson and Spearman
correlation, and the paper's binned correlation ρ (** marks p &lt; 0.05). Click a column header to sort.</p>
${data.fits.length > 0 ? resultsTable(data.fits) : '<p class="muted">No fits: the study lists no result files.</p>'}

${figures}
<h2 id="plots">Log-linear plots</h2>
${loglinear.join("\n") || '<p class="muted">Plots were turned off (analyses.plots: false).</p>'}

<h2 id="fits">Per fit: every concept and the outliers</h2>
${details || '<p class="muted">No fits.</p>'}

<h2 id="tail">Long tail</h2>
${tailSection(data, plots) || '<p class="muted">The long-tail analysis was turned off.</p>'}

<h2 id="inputs">Inputs</h2>
<h3>Corpora</h3>
${corpora}
<h3>Datasets</h3>
${datasets}
<p class="muted">Machine-readable outputs beside this report: ${files}; the counts behind every fit are in <code>counts/</code>.
Explore them with <code>conceptfreq serve --study DIR</code>.</p>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
