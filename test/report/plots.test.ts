import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fitSeries } from "../../src/analysis/fit.js";
import { decades, formatRho, logLinearPlotSpec, seriesLabel, tailPlotSpec } from "../../src/report/plots.js";
import { renderVegaLite, writeChart } from "../../src/report/render.js";

const dir = mkdtempSync(join(tmpdir(), "conceptfreq-plots-"));
const m = (o: Record<string, number>) => new Map(Object.entries(o));

function series(name: string, slope: number) {
  const freq: Record<string, number> = {};
  const perf: Record<string, number> = {};
  for (let i = 0; i < 80; i++) {
    freq[`c${i}`] = i < 4 ? 0 : Math.round(10 ** (i / 14));
    perf[`c${i}`] = 10 + slope * (i / 14) + ((i * 7) % 5);
  }
  return fitSeries({ name, pairs: [{ freq: m(freq), perf: m(perf) }] }, { bootstrap: 0 });
}

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

test("legend labels: NAME, ρ=0.96** with ** when p < 0.05", () => {
  assert.equal(formatRho({ r: 0.9612, p: 0.001 }), "0.96**");
  assert.equal(formatRho({ r: 0.4, p: 0.2 }), "0.40");
  assert.equal(formatRho({ r: null, p: null }), "n/a");
  const s = series("RN50", 5);
  assert.equal(seriesLabel(s), `RN50, ρ=${formatRho(s.binned!.pearson)}`);
  assert.match(seriesLabel(s), /^RN50, ρ=(0\.9\d|1\.00)\*\*$/);
  assert.match(seriesLabel({ ...s, binned: null }), /^RN50, ρ=0\.\d\d\*\*$/, "without binning: the regression's r");
});

test("decades: powers of ten covering the range", () => {
  assert.deepEqual(decades(1, 94951), [1, 10, 100, 1000, 10000, 100000]);
  assert.deepEqual(decades(3, 7), [1, 10]);
  assert.deepEqual(decades(100, 100), [100]);
  assert.deepEqual(decades(0, 10), []);
});

test("log-linear plot: one line with markers per series, kept bins only, log x; scatter adds a faint layer", async () => {
  const s = [series("RN50", 5), series("ViT-B-16", 3), series("ViT-L-14", 1)];
  const spec = logLinearPlotSpec(s) as { layer: { data: { values: { series: string }[] }; mark: { type: string } }[] };
  assert.equal(spec.layer.length, 1);
  const kept = s.reduce((a, x) => a + x.binned!.bins.filter((b) => b.kept).length, 0);
  assert.equal(spec.layer[0]!.data.values.length, kept);
  const svg = await renderVegaLite(spec);
  assert.equal(count(svg, /class="mark-line role-mark/g), 3, "three lines");
  assert.equal(count(svg, /class="mark-symbol role-legend-symbol/g), 3, "three legend entries");
  for (const x of s) assert.ok(svg.includes(seriesLabel(x).replace(/\*/g, "*")), `legend shows ${seriesLabel(x)}`);
  assert.match(svg, /Pretraining concept frequency/);
  assert.match(svg, /Average zero-shot performance/);
  assert.ok(!svg.includes("…"), "no truncated text");

  const withScatter = logLinearPlotSpec(s, { scatter: true, title: "Zero-shot", yTitle: "Accuracy (%)" }) as {
    layer: { mark: { type: string; opacity?: number; strokeDash?: number[] }; data: { values: { series: string; frequency: number; performance: number }[] } }[];
  };
  assert.equal(withScatter.layer.length, 3, "points, the fitted lines, the binned means");
  assert.equal(withScatter.layer[0]!.mark.type, "circle");
  assert.ok(withScatter.layer[0]!.mark.opacity! >= 0.4, "points are visible, not near-invisible");
  const fit = withScatter.layer[1]!;
  assert.equal(fit.mark.type, "line");
  assert.ok(fit.mark.strokeDash, "the fitted line is dashed");
  for (const x of s) {
    const r = x.regression;
    const ends = fit.data.values.filter((v) => v.series === seriesLabel(x));
    assert.equal(ends.length, 2);
    for (const e of ends) assert.ok(Math.abs(e.performance - (r.intercept! + r.slope! * Math.log10(e.frequency))) < 1e-9);
  }
  const svg2 = await renderVegaLite(withScatter);
  assert.match(svg2, /Accuracy \(%\)/);
  assert.match(svg2, /Zero-shot/);
});

test("without binning the plot draws each series' fitted line", () => {
  const s = series("RN50", 5);
  const spec = logLinearPlotSpec([{ ...s, binned: null }]) as { layer: { data: { values: { frequency: number; performance: number }[] } }[] };
  const v = spec.layer[0]!.data.values;
  assert.equal(v.length, 2);
  assert.equal(v[0]!.frequency, 1);
  assert.ok(Math.abs(v[0]!.performance - s.regression.intercept!) < 1e-9);
});

test("the log-linear plot renders to a PNG with the expected size; the tail plot has one curve per corpus", async () => {
  await writeChart(logLinearPlotSpec([series("A", 5), series("B", 2)], { scatter: true }), join(dir, "fit.png"), { scale: 1 });
  const png = readFileSync(join(dir, "fit.png"));
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  assert.ok(png.readUInt32BE(16) > 520 && png.readUInt32BE(20) > 340);

  const a = new Map<string, number>();
  const b = new Map<string, number>();
  for (let i = 0; i < 50; i++) {
    a.set(`c${i}`, i < 5 ? 0 : Math.round(1e5 / (i + 1)));
    b.set(`c${i}`, Math.round(1e4 / (i + 1)));
  }
  const spec = tailPlotSpec([{ name: "cc3m", freq: a }, { name: "laion", freq: b }]) as { data: { values: { corpus: string; count: number }[] } };
  assert.ok(spec.data.values.every((v) => v.count > 0), "zeros cannot sit on a log axis");
  assert.equal(spec.data.values.length, 45 + 50);
  const svg = await renderVegaLite(spec);
  assert.equal(count(svg, /class="mark-line role-mark/g), 2);
  assert.match(svg, /cc3m \(5 of 50 concepts have 0, not shown\)/);
  assert.match(svg, /laion \(50 concepts\)/);
  // long curves are thinned to maxPointsPerCurve, keeping the first and last ranks
  const big = new Map<string, number>();
  for (let i = 0; i < 5000; i++) big.set(`c${i}`, 5000 - i);
  const thin = tailPlotSpec([{ name: "big", freq: big }], { maxPointsPerCurve: 100 }) as { data: { values: { rank: number }[] } };
  assert.equal(thin.data.values.length, 100);
  assert.equal(thin.data.values[0]!.rank, 1);
  assert.equal(thin.data.values[99]!.rank, 5000);
  for (const scale of ["log", "linear"] as const) {
    const one = tailPlotSpec([{ name: "big", freq: big }], { maxPointsPerCurve: 1, scale }) as { data: { values: { rank: number }[] } };
    assert.deepEqual(one.data.values.map((v) => v.rank), [1]); // the most frequent concept, not a NaN rank
  }
});

test("tailPlotSpec scale linear: the paper's long-tail view, count / the largest count on linear axes, zeros kept", () => {
  const spec = tailPlotSpec([{ name: "c", freq: new Map([["a", 50], ["b", 200], ["z", 0], ["d", 100]]) }], { scale: "linear" }) as {
    data: { values: { rank: number; frequency: number }[] };
    encoding: { y: { scale: { type?: string; domain: number[] } } };
  };
  assert.deepEqual(spec.data.values.map((v) => [v.rank, v.frequency]), [[1, 1], [2, 0.5], [3, 0.25], [4, 0]]);
  assert.equal(spec.encoding.y.scale.type, undefined, "a linear axis");
  assert.deepEqual(spec.encoding.y.scale.domain, [0, 1]);
});
