// conceptfreq audit view: label each sampled caption relevant or not, with the keyboard.
// Labels live in this browser's localStorage (key: the audit file's content hash); the server is read-only.
// Export writes the same CSV as `conceptfreq audit sample` with the relevant column filled (1/0/blank).
// Text from the file is only ever inserted with textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { audit: null, concepts: [], byConcept: new Map(), labels: {}, ci: 0, ri: 0 };
const keyOf = (row) => `${row.concept}\u0000${row.doc}`;
const storageKey = () => `conceptfreq-audit:${state.audit.id}`;

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

/** The label of a row: the browser's (1, 0, or null when cleared) over the file's. */
function labelOf(row) {
  const k = keyOf(row);
  return Object.prototype.hasOwnProperty.call(state.labels, k) ? state.labels[k] : row.relevant;
}

function loadLabels() {
  try {
    const v = JSON.parse(localStorage.getItem(storageKey()) || "{}");
    state.labels = v && typeof v === "object" ? v : {};
  } catch {
    state.labels = {};
  }
}

function saveLabels() {
  localStorage.setItem(storageKey(), JSON.stringify(state.labels));
}

function stats(concept) {
  const rows = state.byConcept.get(concept);
  let n = 0, k = 0;
  for (const r of rows) {
    const l = labelOf(r);
    if (l === 1 || l === 0) { n++; k += l; }
  }
  return { n, k, total: rows.length };
}

const labelText = (l) => (l === 1 ? "relevant" : l === 0 ? "not relevant" : "not labelled");
const labelClass = (l) => (l === 1 ? "yes" : l === 0 ? "no" : "");

function renderConcepts() {
  const tbody = $("audit-concepts").tBodies[0];
  tbody.replaceChildren(
    ...state.concepts.map((c, i) => {
      const s = stats(c);
      const tr = el("tr", { dataset: { concept: c } }, el("td", {}, c), el("td", { class: "num" }, `${s.n}/${s.total}`), el("td", { class: "num" }, s.n ? (s.k / s.n).toFixed(2) : "–"));
      if (i === state.ci) tr.classList.add("current");
      tr.addEventListener("click", () => go(i, 0));
      return tr;
    }),
  );
  let n = 0;
  for (const r of state.audit.rows) if (labelOf(r) != null) n++;
  $("audit-progress").textContent = `${n} of ${state.audit.rows.length} labelled`;
}

function renderCard() {
  const concept = state.concepts[state.ci];
  const rows = state.byConcept.get(concept);
  const row = rows[state.ri];
  const l = labelOf(row);
  $("audit-concept").textContent = concept;
  $("audit-position").textContent = `caption ${state.ri + 1} of ${rows.length} · concept ${state.ci + 1} of ${state.concepts.length}`;
  $("audit-matches").textContent = row.matches == null ? "" : `${row.matches.toLocaleString("en-US")} matching captions in the index; ${rows.length} sampled`;
  $("audit-caption").textContent = row.caption;
  const badge = $("audit-label");
  badge.textContent = labelText(l);
  badge.className = `label-badge ${labelClass(l)}`;
  badge.dataset.label = l == null ? "" : String(l);
  $("audit-doc").textContent = `doc ${row.doc}`;
  $("audit-card").dataset.concept = concept;
  $("audit-card").dataset.doc = String(row.doc);
  const tbody = $("audit-rows").tBodies[0];
  tbody.replaceChildren(
    ...rows.map((r, i) => {
      const rl = labelOf(r);
      const tr = el("tr", { dataset: { doc: String(r.doc) } }, el("td", { class: "num" }, r.doc), el("td", {}, r.caption), el("td", { class: labelClass(rl) }, rl == null ? "" : rl === 1 ? "yes" : "no"));
      if (i === state.ri) tr.classList.add("current");
      tr.addEventListener("click", () => go(state.ci, i));
      return tr;
    }),
  );
  tbody.rows[state.ri]?.scrollIntoView({ block: "nearest" });
}

function render() {
  renderConcepts();
  renderCard();
}

function go(ci, ri) {
  state.ci = Math.max(0, Math.min(state.concepts.length - 1, ci));
  const n = state.byConcept.get(state.concepts[state.ci]).length;
  state.ri = Math.max(0, Math.min(n - 1, ri));
  render();
}

/** The next caption, moving on to the next concept after a concept's last. */
function next() {
  const n = state.byConcept.get(state.concepts[state.ci]).length;
  if (state.ri + 1 < n) go(state.ci, state.ri + 1);
  else if (state.ci + 1 < state.concepts.length) go(state.ci + 1, 0);
  else render();
}

function prev() {
  if (state.ri > 0) go(state.ci, state.ri - 1);
  else if (state.ci > 0) go(state.ci - 1, state.byConcept.get(state.concepts[state.ci - 1]).length - 1);
}

function setLabel(value) {
  const row = state.byConcept.get(state.concepts[state.ci])[state.ri];
  state.labels[keyOf(row)] = value;
  saveLabels();
  if (value === null) render();
  else next();
}

// RFC 4180 fields, quoted only when needed: the rule of src/io/csv-write.ts.
function csvField(v) {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

function exportCsv() {
  const lines = ["concept,matches,doc,caption,relevant"];
  for (const r of state.audit.rows) {
    const l = labelOf(r);
    lines.push([r.concept, r.matches, r.doc, r.caption, l == null ? "" : l].map(csvField).join(","));
  }
  const blob = new Blob([lines.join("\n") + "\n"], { type: "text/csv;charset=utf-8" });
  const a = el("a", { href: URL.createObjectURL(blob), download: state.audit.name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const k = e.key;
  if (k === "y" || k === "Y" || k === "1") setLabel(1);
  else if (k === "n" || k === "N" || k === "0") setLabel(0);
  else if (k === "u" || k === "U" || k === "Backspace" || k === "Delete") setLabel(null);
  else if (k === "ArrowRight") next();
  else if (k === "ArrowLeft") prev();
  else if (k === "ArrowDown") go(state.ci + 1, 0);
  else if (k === "ArrowUp") go(state.ci - 1, 0);
  else return;
  e.preventDefault();
}

async function main() {
  const r = await fetch("/api/audit", { headers: { accept: "application/json" } });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) {
    $("audit-error").textContent = body.error || `HTTP ${r.status}`;
    $("audit-error").hidden = false;
    return;
  }
  state.audit = body;
  $("audit-file").textContent = body.name;
  for (const row of body.rows) {
    if (!state.byConcept.has(row.concept)) {
      state.byConcept.set(row.concept, []);
      state.concepts.push(row.concept);
    }
    state.byConcept.get(row.concept).push(row);
  }
  if (state.concepts.length === 0) {
    $("audit-error").textContent = `${body.name} has no rows to label.`;
    $("audit-error").hidden = false;
    return;
  }
  loadLabels();
  // start at the first caption not labelled yet
  const first = body.rows.findIndex((row) => labelOf(row) == null);
  if (first >= 0) {
    const row = body.rows[first];
    const ci = state.concepts.indexOf(row.concept);
    go(ci, state.byConcept.get(row.concept).indexOf(row));
  } else go(0, 0);
  $("audit-export").addEventListener("click", exportCsv);
  document.addEventListener("keydown", onKey);
  document.body.dataset.ready = "1";
}

main();
