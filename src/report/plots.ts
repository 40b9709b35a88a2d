/**
 * Vega-lite specs for the analysis charts (render with renderVegaLite / writeChart from ./render.js):
 *   logLinearPlotSpec — the paper's log-linear figure: binned mean performance against pretraining
 *                       concept frequency (log x), one line with markers per series, legend "NAME, ρ=0.96**";
 *   tailPlotSpec      — the long tail: concept counts sorted in descending order, one curve per corpus, log y.
 */
import type { Binned } from "../analysis/binning.js";
import type { Correlation } from "../analysis/correlation.js";
import type { ConceptPoint, Regression } from "../analysis/regression.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

export interface LogLinearPlotSeries {
  name: string;
  binned: Binned | null;
  regression: Regression;
  /** The per-concept points (needed for --scatter, and for the fitted line when there is no binning). */
  points?: readonly ConceptPoint[];
}

export interface LogLinearPlotOptions {
  /** Add the per-concept points, and (for a binned series) its fitted line, dashed. */
  scatter?: boolean;
  title?: string;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
}

/** "0.96**": the coefficient to two decimals, ** when p < 0.05. */
export function formatRho(c: Pick<Correlation, "r" | "p">): string {
  if (c.r === null || c.p === null) return "n/a";
  return `${c.r.toFixed(2)}${c.p < 0.05 ? "**" : ""}`;
}

/** The legend label of a series: the binned correlation (or the regression's r without binning). */
export function seriesLabel(s: Pick<LogLinearPlotSeries, "name" | "binned" | "regression">): string {
  const c = s.binned ? s.binned.pearson : { r: s.regression.r, p: s.regression.p };
  return `${s.name}, ρ=${formatRho(c)}`;
}

/** Powers of ten covering [min, max] (the tick values of a log axis: one labelled gridline per decade). */
export function decades(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return [];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min) + 1e-9); e <= Math.ceil(Math.log10(max) - 1e-9); e++) out.push(Number(`1e${e}`));
  return out;
}

function decadesOf(values: readonly number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return values.length ? decades(lo, hi) : [];
}

function colorEncoding(labels: string[]): object {
  return {
    field: "series",
    type: "nominal",
    scale: { domain: labels, scheme: "tableau10" },
    legend: { title: null, orient: "bottom", direction: "vertical", labelFontSize: 12, symbolSize: 80, symbolOpacity: 1 },
  };
}

export function logLinearPlotSpec(series: readonly LogLinearPlotSeries[], opts: LogLinearPlotOptions = {}): object {
  const labels = series.map(seriesLabel);
  const lines: { series: string; frequency: number; performance: number; n?: number; std?: number }[] = [];
  const scatter: { series: string; concept: string; frequency: number; performance: number }[] = [];
  const fitted: { series: string; frequency: number; performance: number }[] = [];
  series.forEach((s, k) => {
    const label = labels[k]!;
    if (s.binned) {
      for (const b of s.binned.bins) {
        if (b.kept) lines.push({ series: label, frequency: b.edge, performance: b.mean, n: b.n, std: b.std });
      }
    } else if (s.points && s.points.length > 0 && s.regression.slope !== null && s.regression.intercept !== null) {
      // no binning: draw the fitted line over the frequency range
      let lo = Infinity;
      let hi = -Infinity;
      for (const p of s.points) {
        const f = Math.max(p.frequency, 1);
        if (f < lo) lo = f;
        if (f > hi) hi = f;
      }
      for (const x of lo === hi ? [lo] : [lo, hi]) {
        lines.push({ series: label, frequency: x, performance: s.regression.intercept + s.regression.slope * Math.log10(x) });
      }
    }
    if (opts.scatter && s.points) {
      for (const p of s.points) scatter.push({ series: label, concept: p.concept, frequency: Math.max(p.frequency, 1), performance: p.performance });
      // with the points, the fitted line too (dashed), over their frequency range, when the series is binned
      if (s.binned && s.points.length > 0 && s.regression.slope !== null && s.regression.intercept !== null) {
        const fs = s.points.map((p) => Math.max(p.frequency, 1));
        const lo = Math.min(...fs);
        const hi = Math.max(...fs);
        for (const x of lo === hi ? [lo] : [lo, hi]) fitted.push({ series: label, frequency: x, performance: s.regression.intercept + s.regression.slope * Math.log10(x) });
      }
    }
  });
  const ticks = decadesOf([...lines, ...scatter].map((v) => v.frequency));
  const x = {
    field: "frequency",
    type: "quantitative",
    scale: ticks.length > 1 ? { type: "log", domain: [ticks[0], ticks[ticks.length - 1]] } : { type: "log" },
    axis: {
      title: opts.xTitle ?? "Pretraining concept frequency",
      format: "~s",
      grid: true,
      labelFontSize: 12,
      titleFontSize: 14,
      ...(ticks.length > 1 ? { values: ticks } : {}),
    },
  };
  const y = {
    field: "performance",
    type: "quantitative",
    scale: { zero: false, nice: true },
    axis: { title: opts.yTitle ?? "Average zero-shot performance", grid: true, labelFontSize: 12, titleFontSize: 14 },
  };
  const color = colorEncoding(labels);
  const layers: object[] = [];
  if (opts.scatter && scatter.length > 0) {
    layers.push({
      data: { values: scatter },
      mark: { type: "circle", opacity: 0.5, size: 32, aria: false },
      encoding: { x, y, color, tooltip: [{ field: "concept" }, { field: "frequency" }, { field: "performance" }] },
    });
  }
  if (fitted.length > 0) {
    layers.push({
      data: { values: fitted },
      mark: { type: "line", strokeWidth: 2, strokeDash: [6, 4], aria: false },
      encoding: { x, y, color, detail: { field: "series" }, order: { field: "frequency", type: "quantitative" } },
    });
  }
  layers.push({
    data: { values: lines },
    mark: { type: "line", strokeWidth: 2.5, point: { filled: true, size: 60 } },
    encoding: { x, y, color, order: { field: "frequency", type: "quantitative" } },
  });
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: { text: opts.title, fontSize: 15 } } : {}),
    width: opts.width ?? 520,
    height: opts.height ?? 340,
    layer: layers,
  };
}

export interface TailPlotCorpus {
  name: string;
  freq: Map<string, number>;
}

export interface TailPlotOptions {
  title?: string;
  width?: number;
  height?: number;
  /** Most points drawn per curve (evenly spaced ranks beyond it, always keeping the first and last); default 2000. */
  maxPointsPerCurve?: number;
  /** "linear": the paper's long-tail figure — normalised frequency (count / the corpus' largest count) on linear axes, zeros included; default "log". */
  scale?: "log" | "linear";
}

/**
 * The 0-based ranks drawn of a curve of `n` points: all of them up to `maxPoints`, else `maxPoints`
 * evenly spaced ones, the first and last always among them.
 */
function drawnRanks(n: number, maxPoints: number): number[] {
  if (maxPoints === 1 && n > 0) return [0]; // (n - 1) / 0 below
  const step = n > maxPoints ? (n - 1) / (maxPoints - 1) : 1;
  const ranks: number[] = [];
  for (let k = 0; k < Math.min(n, maxPoints); k++) {
    const i = Math.round(k * step);
    if (ranks.length === 0 || ranks[ranks.length - 1] !== i) ranks.push(i);
  }
  return ranks;
}

/** The tail plots' x axis: concept rank. */
function rankAxis(): object {
  return { field: "rank", type: "quantitative", scale: { zero: false, nice: false }, axis: { title: "Concept rank (most frequent first)", format: ",d", labelFontSize: 12, titleFontSize: 14 } };
}

/** The tail plots' colour: one per corpus, in the order given, the legend below. */
function corpusColor(labels: readonly string[]): object {
  return { field: "corpus", type: "nominal", scale: { domain: labels, scheme: "tableau10" }, legend: { title: null, orient: "bottom", direction: "vertical", labelFontSize: 12 } };
}

/** Concept counts sorted in descending order against rank; counts of 0 cannot sit on a log axis and are left out (the legend says how many). */
export function tailPlotSpec(corpora: readonly TailPlotCorpus[], opts: TailPlotOptions = {}): object {
  const maxPoints = opts.maxPointsPerCurve ?? 2000;
  if (opts.scale === "linear") return linearTailPlotSpec(corpora, opts, maxPoints);
  const values: { corpus: string; rank: number; count: number }[] = [];
  const labels: string[] = [];
  for (const c of corpora) {
    const counts = [...c.freq.values()].sort((a, b) => b - a);
    const positive = counts.filter((v) => v > 0);
    const zeros = counts.length - positive.length;
    const n = (v: number) => v.toLocaleString("en-US");
    const label = zeros > 0 ? `${c.name} (${n(zeros)} of ${n(counts.length)} concepts have 0, not shown)` : `${c.name} (${n(counts.length)} ${counts.length === 1 ? "concept" : "concepts"})`;
    labels.push(label);
    for (const i of drawnRanks(positive.length, maxPoints)) values.push({ corpus: label, rank: i + 1, count: positive[i]! });
  }
  const ticks = decadesOf(values.map((v) => v.count));
  return tailSpec(opts, values, labels, {
    field: "count",
    type: "quantitative",
    scale: ticks.length > 1 ? { type: "log", domain: [ticks[0], ticks[ticks.length - 1]] } : { type: "log" },
    axis: {
      title: "Occurrences in the pretraining data",
      format: "~s",
      grid: true,
      labelFontSize: 12,
      titleFontSize: 14,
      ...(ticks.length > 1 ? { values: ticks } : {}),
    },
  });
}

/** A tail plot: one step line per corpus over rank, with the given y encoding. */
function tailSpec(opts: TailPlotOptions, values: readonly object[], labels: readonly string[], y: object): object {
  return {
    $schema: SCHEMA,
    ...(opts.title ? { title: { text: opts.title, fontSize: 15 } } : {}),
    width: opts.width ?? 520,
    height: opts.height ?? 340,
    data: { values },
    mark: { type: "line", strokeWidth: 2, interpolate: "step-after" },
    encoding: { x: rankAxis(), y, color: corpusColor(labels) },
  };
}

/** The paper's long-tail view: count / the corpus' largest count against rank, linear axes, zeros kept. */
function linearTailPlotSpec(corpora: readonly TailPlotCorpus[], opts: TailPlotOptions, maxPoints: number): object {
  const values: { corpus: string; rank: number; frequency: number }[] = [];
  const labels: string[] = [];
  for (const c of corpora) {
    const counts = [...c.freq.values()].sort((a, b) => b - a);
    const top = counts[0] ?? 0;
    const label = `${c.name} (${counts.length.toLocaleString("en-US")} ${counts.length === 1 ? "concept" : "concepts"})`;
    labels.push(label);
    for (const i of drawnRanks(counts.length, maxPoints)) values.push({ corpus: label, rank: i + 1, frequency: top > 0 ? counts[i]! / top : 0 });
  }
  return tailSpec(opts, values, labels, {
    field: "frequency",
    type: "quantitative",
    scale: { domain: [0, 1] },
    axis: { title: "Normalised frequency (count / the largest count)", grid: true, labelFontSize: 12, titleFontSize: 14 },
  });
}
