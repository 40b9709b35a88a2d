// conceptfreq dashboard: plain browser JavaScript over the JSON API (no build step, no network beyond this server).
// Text from the study (concept names, captions) is only ever inserted with textContent.
"use strict";

const state = { study: null, view: null, fit: null, selected: null };
const $ = (id) => document.getElementById(id);

async function api(path) {
  const r = await fetch(path, { headers: { accept: "application/json" } });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return e;
}

const fmtCount = (v) => (v == null ? "–" : Number(v).toLocaleString("en-US"));
function fmt(v, digits = 3) {
  if (v == null || !Number.isFinite(v)) return "n/a";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}
// as the report and the plot legends print ρ (src/report/plots.ts formatRho): two decimals, ** when p < 0.05
const fmtRho = (c) => (c.r == null || c.p == null ? "n/a" : `${c.r.toFixed(2)}${c.p < 0.05 ? "**" : ""}`);
const fmtP = (p) => (p == null ? "n/a" : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

function fillSelect(select, values, keep) {
  select.replaceChildren(...values.map((v) => el("option", { value: v }, v)));
  if (values.includes(keep)) select.value = keep;
}

function query(params) {
  return new URLSearchParams(params).toString();
}

// The figure picker: "" is one dataset at a time; a figure's name shows its pooled fits.
function current() {
  const figure = $("figure").value;
  const where = figure ? { figure } : { dataset: $("dataset").value };
  return { ...where, model: $("model").value, corpus: $("corpus").value, mode: $("mode").value };
}

// --- controls ---------------------------------------------------------------------------------

// Only combinations the study fitted are offered: models of the dataset that have fits, then the
// corpora those fits use, then their modes (so no choice leads to a blank plot or a 404).
function updateChoices() {
  const s = state.study;
  const figure = (s.figures || []).find((f) => f.name === $("figure").value);
  $("dataset-label").hidden = !!figure;
  const ds = figure ? null : s.datasets.find((d) => d.name === $("dataset").value) || s.datasets[0];
  if (!figure && !ds) return;
  const fits = figure ? s.fits.filter((f) => f.figure === figure.name) : s.fits.filter((f) => f.figure === null && f.dataset === ds.name);
  const distinct = (xs) => [...new Set(xs)];
  fillSelect($("model"), (figure ? figure.models : ds.models).filter((m) => fits.some((f) => f.model === m)), $("model").value);
  const ofModel = fits.filter((f) => f.model === $("model").value);
  fillSelect($("corpus"), s.corpora.map((c) => c.name).filter((c) => ofModel.some((f) => f.corpus === c)), $("corpus").value);
  const ofCorpus = ofModel.filter((f) => f.corpus === $("corpus").value);
  const corpus = s.corpora.find((c) => c.name === $("corpus").value);
  fillSelect($("mode"), distinct(corpus ? corpus.modes.filter((m) => ofCorpus.some((f) => f.mode === m)) : []), $("mode").value);
}

async function init() {
  const s = (state.study = await api("/api/study"));
  document.title = `${s.name} — conceptfreq`;
  $("study-name").textContent = s.name;
  if (!s.files.report) $("report-link").hidden = true;
  fillSelect($("dataset"), s.datasets.map((d) => d.name));
  const figures = s.figures || [];
  $("figure-label").hidden = figures.length === 0;
  $("figure").replaceChildren(el("option", { value: "" }, "— one dataset —"), ...figures.map((f) => el("option", { value: f.name }, f.title)));
  updateChoices();
  for (const id of ["figure", "dataset", "model", "corpus", "mode"]) {
    $(id).addEventListener("change", () => {
      updateChoices();
      refresh();
    });
  }
  $("show-binned").addEventListener("change", () => state.fit && drawPlot(state.fit));
  let timer;
  $("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  $("search-more").addEventListener("click", () => search({ more: true }));
  $("search").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      clearTimeout(timer);
      search();
    }
  });
  window.addEventListener("resize", () => {
    clearTimeout(state.resizeTimer);
    state.resizeTimer = setTimeout(() => state.fit && drawPlot(state.fit), 200);
  });
  await refresh();
  await search();
}

async function refresh() {
  const c = current();
  $("rarest-where").textContent = `in ${c.corpus} (${c.mode})`;
  $("outliers-where").textContent = c.model ? `of ${c.model} vs ${c.corpus}` : "";
  await Promise.all([loadFit(c), loadRarest(c)]);
}

// --- the fit and its plot ---------------------------------------------------------------------

async function loadFit(c) {
  $("fit-error").hidden = true;
  if (!(c.dataset || c.figure) || !c.model || !c.corpus || !c.mode) {
    state.fit = null;
    showFitError(state.study.fits.length === 0 ? "This study has no fits (no result files)." : `No fit for ${c.figure ? "figure " + c.figure : c.dataset || "this dataset"}: its concepts have no counts in any corpus of the study.`);
    return;
  }
  try {
    const fit = await api(`/api/fit?${query(c)}`);
    state.fit = fit;
    showStats(fit);
    drawPlot(fit);
    fillOutliers(fit.outliers);
  } catch (e) {
    state.fit = null;
    showFitError(e.message);
  }
}

function showFitError(message) {
  $("fit-error").textContent = message;
  $("fit-error").hidden = false;
  $("fit-stats").textContent = "";
  $("plot").replaceChildren();
  $("outliers").tBodies[0].replaceChildren();
}

function showStats(fit) {
  const r = fit.regression;
  const parts = [["n", String(fit.n)]];
  if (r.slope == null) parts.push(["fit", r.reason || "n/a"]);
  else {
    const ci = r.slope_ci95 && r.slope_ci95.low != null ? ` [${fmt(r.slope_ci95.low)}, ${fmt(r.slope_ci95.high)}]` : "";
    parts.push(["slope", `${fmt(r.slope)}${ci} pts / 10× data`]);
    parts.push(["Pearson r", `${fmt(r.r)} (p ${fmtP(r.p)})`]);
    parts.push(["Spearman ρ", fmt(r.spearman)]);
    if (fit.binned) parts.push(["binned ρ", fmtRho(fit.binned.pearson)]);
    const dm = r.data_multiplier;
    if (dm.per_10_points != null) parts.push(["+10 pts needs", `${fmt(dm.per_10_points)}× data`]);
  }
  $("fit-stats").replaceChildren(...parts.flatMap(([k, v], i) => [i ? " · " : "", `${k} `, el("b", {}, v)]));
}

function plotSpec(fit, width) {
  const zeroAs = fit.regression.zero_as || 1;
  const points = fit.points.map((p) => ({
    concept: p.concept,
    frequency: p.frequency,
    x: Math.max(p.frequency, zeroAs),
    performance: p.performance,
    residual: p.residual,
  }));
  const xs = points.map((p) => p.x);
  // a little room above and below the points, but no axis below 0 for scores that cannot be negative
  const ys = points.map((p) => p.performance);
  const yLo = Math.min(...ys), yHi = Math.max(...ys), room = (yHi - yLo) * 0.04 || 1;
  const yDomain = [yLo >= 0 ? Math.max(0, yLo - room) : yLo - room, yHi + room];
  // a narrow plot gets the axis title on two lines rather than cut
  const xTitle = `Pretraining concept frequency in ${fit.corpus} (${fit.mode}; 0 drawn at ${zeroAs})`;
  const xAxisTitle = width < 520 ? ["Pretraining concept frequency", `in ${fit.corpus} (${fit.mode}; 0 drawn at ${zeroAs})`] : xTitle;
  const layers = [
    {
      data: { values: points },
      mark: { type: "circle", size: 60, opacity: 0.75, stroke: "#fff", strokeWidth: 0.5 },
      encoding: {
        x: { field: "x", type: "quantitative", scale: { type: "log", nice: false, padding: 12 }, axis: { title: xAxisTitle, titleLimit: 0, format: "~s", grid: true, labelOverlap: true } },
        y: { field: "performance", type: "quantitative", scale: { zero: false, nice: true, domain: yDomain }, axis: { title: `${fit.model} performance`, grid: true } },
        color: { value: "#4c78a8" },
        tooltip: [
          { field: "concept", title: "concept" },
          { field: "frequency", title: "frequency", format: "," },
          { field: "performance", title: "performance", format: ".2f" },
          { field: "residual", title: "residual", format: "+.2f" },
        ],
      },
    },
  ];
  const r = fit.regression;
  if (r.slope != null && xs.length > 0) {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    const line = [lo, hi].map((x) => ({ x, performance: r.intercept + r.slope * Math.log10(x), what: "log-linear fit" }));
    layers.push({
      data: { values: line },
      mark: { type: "line", color: "#e45756", strokeWidth: 2 },
      encoding: { x: { field: "x", type: "quantitative", scale: { type: "log" } }, y: { field: "performance", type: "quantitative" } },
    });
  }
  if ($("show-binned").checked && fit.binned) {
    const bins = fit.binned.bins.filter((b) => b.kept).map((b) => ({ x: b.edge, performance: b.mean, n: b.n }));
    layers.push({
      data: { values: bins },
      mark: { type: "line", color: "#f58518", strokeDash: [5, 3], point: { filled: true, size: 40, color: "#f58518" } },
      encoding: {
        x: { field: "x", type: "quantitative", scale: { type: "log" } },
        y: { field: "performance", type: "quantitative" },
        tooltip: [
          { field: "x", title: "bin edge", format: ",.0f" },
          { field: "performance", title: "mean performance", format: ".2f" },
          { field: "n", title: "concepts" },
        ],
      },
    });
  }
  const chosen = points.filter((p) => p.concept === state.selected);
  if (chosen.length > 0) {
    // the concept the user searched or clicked: a ring and its name on the plot
    const enc = { x: { field: "x", type: "quantitative", scale: { type: "log" } }, y: { field: "performance", type: "quantitative" } };
    layers.push({ data: { values: chosen }, mark: { type: "point", shape: "circle", size: 260, strokeWidth: 2.5, color: "#d62728", filled: false }, encoding: enc });
    layers.push({ data: { values: chosen }, mark: { type: "text", dy: -16, fontWeight: "bold", color: "#d62728", fontSize: 13 }, encoding: { ...enc, text: { field: "concept" } } });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width,
    height: 360,
    layer: layers,
    config: { font: "system-ui, sans-serif", axis: { labelFontSize: 12, titleFontSize: 13 }, view: { stroke: "#e4e7ec" } },
  };
}

function tooltipHandler(_handler, event, _item, value) {
  const tip = $("tooltip");
  if (value == null || value === "") {
    tip.hidden = true;
    return;
  }
  const rows = typeof value === "object" ? Object.entries(value) : [["", value]];
  tip.replaceChildren(...rows.map(([k, v]) => el("div", {}, k ? `${k}: ` : "", el("b", {}, v))));
  tip.hidden = false;
  const x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
  const y = Math.min(event.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
}

async function drawPlot(fit) {
  const box = $("plot");
  const width = Math.max(200, Math.min(box.clientWidth || 900, 1300) - 90);
  const spec = vegaLite.compile(plotSpec(fit, width)).spec;
  if (state.view) state.view.finalize();
  box.replaceChildren();
  const view = new vega.View(vega.parse(spec), { renderer: "svg", container: box, hover: true });
  view.tooltip(tooltipHandler);
  state.view = view;
  await view.runAsync();
  box.dataset.points = String(fit.points.length);
  box.dataset.fit = fit.id;
  box.dataset.highlight = fit.points.some((p) => p.concept === state.selected) ? state.selected : "";
}

// --- tables -----------------------------------------------------------------------------------

function fillOutliers(outliers) {
  $("outliers").tBodies[0].replaceChildren(
    ...outliers.map((p) => {
      const tr = el("tr", { dataset: { concept: p.concept } }, el("td", {}, p.concept), el("td", { class: "num" }, fmtCount(p.frequency)), el("td", { class: "num" }, fmt(p.performance, 4)), el("td", { class: "num" }, (p.residual > 0 ? "+" : "") + fmt(p.residual)));
      tr.addEventListener("click", () => showConcept(p.concept));
      return tr;
    }),
  );
}

async function loadRarest(c) {
  try {
    const r = await api(`/api/rarest?${query({ corpus: c.corpus, mode: c.mode, limit: 15 })}`);
    $("rarest").tBodies[0].replaceChildren(
      ...r.concepts.map((x) => {
        const tr = el("tr", { dataset: { concept: x.concept } }, el("td", {}, x.concept), el("td", { class: "num" }, fmtCount(x.count)));
        tr.addEventListener("click", () => showConcept(x.concept));
        return tr;
      }),
    );
  } catch (e) {
    $("rarest").tBodies[0].replaceChildren(el("tr", {}, el("td", { colspan: "2", class: "error" }, e.message)));
  }
}

/** Columns of the search table: one per corpus and count mode. */
function frequencyColumns() {
  return state.study.corpora.flatMap((c) => c.modes.map((m) => ({ corpus: c.name, mode: m })));
}

const PAGE = 25;
let searchSeq = 0;

async function search(opts = {}) {
  const seq = ++searchSeq;
  const q = $("search").value;
  const status = $("search-status");
  const table = $("search-results");
  const offset = opts.more ? table.tBodies[0].rows.length : 0;
  try {
    const r = await api(`/api/concepts?${query({ q, limit: PAGE, offset })}`);
    if (seq !== searchSeq) return; // a newer search was started while this one was in flight
    const cols = frequencyColumns();
    table.tHead.replaceChildren(el("tr", {}, el("th", {}, "concept"), ...cols.map((c) => el("th", { class: "num" }, `${c.corpus} (${c.mode})`))));
    const rows =
      r.concepts.map((x) => {
        const tr = el(
          "tr",
          { dataset: { concept: x.concept } },
          el("td", {}, x.concept),
          ...cols.map((c) => el("td", { class: "num", dataset: { corpus: c.corpus, mode: c.mode } }, fmtCount((x.frequency[c.corpus] || {})[c.mode]))),
        );
        tr.addEventListener("click", () => showConcept(x.concept));
        return tr;
      });
    if (opts.more) table.tBodies[0].append(...rows);
    else table.tBodies[0].replaceChildren(...rows);
    const shown = table.tBodies[0].rows.length;
    const what = q.trim() === "" ? `${r.total} concept${r.total === 1 ? "" : "s"}` : `${r.total} concept${r.total === 1 ? " contains" : "s contain"} “${q.trim()}”`;
    status.textContent = shown < r.total ? `${what} (${shown} shown)` : what;
    $("search-more").hidden = shown >= r.total;
    if (opts.more) return;
    if (q.trim() !== "" && r.concepts.length > 0) {
      const exact = r.concepts.find((x) => x.concept.toLowerCase() === q.trim().toLowerCase());
      if (exact || r.concepts.length === 1) showConcept((exact || r.concepts[0]).concept);
    }
  } catch (e) {
    if (seq !== searchSeq) return;
    status.textContent = e.message;
    table.tBodies[0].replaceChildren();
  }
}

async function showConcept(name) {
  const box = $("concept-detail");
  try {
    const d = await api(`/api/concept?${query({ name })}`);
    state.selected = name;
    if (state.fit) drawPlot(state.fit);
    for (const tr of document.querySelectorAll("tr[data-concept]")) tr.classList.toggle("selected", tr.dataset.concept === name);
    const parts = [el("h3", {}, d.concept)];
    const freq = frequencyColumns().map((c) => el("li", {}, `${c.corpus} (${c.mode}): `, el("b", { class: "freq", dataset: { corpus: c.corpus, mode: c.mode } }, fmtCount((d.frequency[c.corpus] || {})[c.mode]))));
    parts.push(el("div", {}, "Frequency"), el("ul", {}, ...freq));
    const perf = [];
    for (const [dataset, models] of Object.entries(d.performance)) {
      for (const [model, v] of Object.entries(models)) perf.push(el("li", {}, `${model} on ${dataset}: `, el("b", {}, fmt(v, 4))));
    }
    if (perf.length) parts.push(el("div", {}, "Performance"), el("ul", {}, ...perf));
    parts.push(el("div", {}, "Example captions"));
    let any = false;
    for (const [corpus, examples] of Object.entries(d.examples)) {
      parts.push(el("div", { class: "caption-corpus" }, corpus));
      if (examples.length === 0) parts.push(el("div", { class: "muted" }, "no matching caption kept"));
      else {
        any = true;
        parts.push(el("ul", { class: "captions" }, ...examples.map((e) => el("li", {}, e.caption, " ", el("span", { class: "muted" }, `#${e.doc}`)))));
      }
    }
    if (!any && Object.keys(d.examples).length === 0) parts.push(el("div", { class: "muted" }, "the study kept no example captions"));
    box.replaceChildren(...parts);
    box.hidden = false;
  } catch (e) {
    box.replaceChildren(el("div", { class: "error" }, e.message));
    box.hidden = false;
  }
}

init().catch((e) => showFitError(`Could not load the study: ${e.message}`));
