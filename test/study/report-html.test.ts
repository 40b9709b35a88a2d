import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeHtml, renderStudyReport } from "../../src/study/report-html.js";
import type { StudyData } from "../../src/study/data.js";
import { fitLogLinear } from "../../src/analysis/regression.js";
import { binLikePaper } from "../../src/analysis/binning.js";
import { tailReport } from "../../src/analysis/long-tail.js";

const EVIL = '<img src=x onerror="alert(1)">';

function study(): StudyData {
  const points = [
    { concept: EVIL, frequency: 0, performance: 5 },
    { concept: "dog", frequency: 100, performance: 40 },
    { concept: "cat", frequency: 10, performance: 25 },
    { concept: "car", frequency: 1000, performance: 55 },
  ];
  const regression = fitLogLinear(points, { bootstrap: 50 });
  const binned = binLikePaper(points, { bins: 3, trim: [0, 0] });
  const freq = new Map(points.map((p) => [p.concept, p.frequency]));
  return {
    format: "conceptfreq-study-data",
    version: 1,
    name: "A & B <study>",
    modes: ["text"],
    corpora: [{ name: "c1", docCount: 1234, match: "paper", modes: ["text"], image: false }],
    datasets: [{ name: "d1", concepts: points.map((p) => p.concept), models: ["m1"] }],
    figures: [],
    counts: { c1: { text: Object.fromEntries(freq) } },
    examples: {},
    performance: { d1: { m1: Object.fromEntries(points.map((p) => [p.concept, p.performance])) } },
    fits: [
      {
        id: "d1/m1/c1/text",
        figure: null,
        dataset: "d1",
        model: "m1",
        corpus: "c1",
        mode: "text",
        n: points.length,
        pairs: [],
        regression,
        binned,
        points: points.map((p) => ({ ...p, residual: 0 })),
        outliers: points.map((p) => ({ ...p, residual: 0 })),
        plot: null,
      },
    ],
    tail: { text: tailReport([{ name: "c1", freq }], { rarest: 3 }) },
    files: { report: "report.html", results_csv: "results.csv", results_json: "results.json", plots: [] },
  };
}

test("escapeHtml", () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
});

test("the report escapes every name from the study and fetches nothing", () => {
  const html = renderStudyReport(study(), new Map());
  assert.ok(!html.includes(EVIL), "a concept name is never inserted as markup");
  assert.ok(html.includes(escapeHtml(EVIL)));
  assert.ok(html.includes("<title>A &amp; B &lt;study&gt; — conceptfreq study</title>"));
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  assert.match(html, /<td class="num" data-sort="1234">1,234<\/td>/);
  // one <script>, inline
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<script>\n/);
});

test("the results table has a figure column only when the study has figure fits", () => {
  const headers = (html: string) => [...html.match(/<table class="sortable" id="results"><thead><tr>(.*?)<\/tr>/)![1]!.matchAll(/<th [^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
  const s = study();
  const plain = renderStudyReport(s, new Map());
  assert.deepEqual(headers(plain).slice(0, 2), ["dataset", "model"], "no empty figure column pushing the last column out of view");
  assert.match(plain, /<tr><td[^>]*>d1<\/td><td>m1<\/td>/);
  const fig = { ...s.fits[0]!, id: "figure:f/m1/c1/text", figure: "f", datasets: ["d1"] };
  const withFigure = renderStudyReport({ ...s, fits: [...s.fits, fig] }, new Map());
  const h = headers(withFigure);
  assert.equal(h[0], "figure");
  assert.equal(h.length, headers(plain).length + 1);
  assert.match(withFigure, /<tr><td>f<\/td><td[^>]* title="d1">1 pooled<\/td>/);
});
