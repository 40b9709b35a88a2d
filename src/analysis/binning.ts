/**
 * Binned views of performance against frequency.
 *
 * binLikePaper reproduces the procedure behind the paper's log-linear figures (numpy semantics):
 *   x = ln(max(frequency, 1));  edges = linspace(min x, max x, bins);
 *   bin index i = digitize(x, edges, right=True), i.e. edges[i-1] < x <= edges[i] (x = min goes to 0);
 *   for each index that received concepts: mean and population std (ddof 0) of performance, and n;
 *   the points (exp(edges[i]), mean[i]) in index order; trim drops positions 0..trim[0]-1 and the last trim[1]
 *   positions of the fixed array of bins (empty or not, as the notebooks' edges[1:-1]); empty bins are left out;
 *   Pearson r, p of ln(edge) against mean over the kept points.
 * binByQuantile is the statistically sounder view: equal-count bins, each plotted at its median frequency.
 */
import { pearson, type Correlation } from "./correlation.js";
import { digitizeRight, linspace, mean, median, std } from "./numpy-semantics.js";
import type { ConceptPoint } from "./regression.js";
import { UserError } from "../errors.js";

export interface Bin {
  /** The bin's index among all bins (paper: the digitize index; quantile: 0-based rank of the bin). */
  index: number;
  /** Where the bin is plotted on the frequency axis: exp(edges[index]) (paper) or the median frequency (quantile). */
  edge: number;
  /** The bin's frequency range: (low, high] for the paper's bins, [low, high] (min and max frequency) for quantile bins. */
  low: number;
  high: number;
  mean: number;
  /** Population standard deviation (numpy's default ddof=0). */
  std: number;
  n: number;
  /** False for points dropped by --trim. */
  kept: boolean;
}

export interface Binned {
  method: "paper" | "quantile";
  bins: Bin[];
  /** Pearson r and p of ln(edge) against the bin mean, over the kept bins. */
  pearson: Correlation;
  trim: [number, number];
  /** The number of edges (paper) or requested bins (quantile). */
  bin_count: number;
}

export interface BinOptions {
  bins?: number;
  trim?: [number, number];
}

function checkOptions(bins: number, trim: [number, number]): void {
  if (!Number.isInteger(bins) || bins < 2) throw new UserError(`--bins must be an integer of at least 2 (got ${bins}).`);
  for (const t of trim) {
    if (!Number.isInteger(t) || t < 0) throw new UserError(`--trim takes two non-negative integers LO,HI (got ${trim.join(",")}).`);
  }
}

function checkPoints(points: readonly ConceptPoint[]): void {
  for (const p of points) {
    if (!Number.isFinite(p.frequency) || p.frequency < 0) {
      throw new UserError(`The frequency of "${p.concept}" is ${p.frequency}; frequencies must be finite and non-negative.`);
    }
    if (!Number.isFinite(p.performance)) throw new UserError(`The performance of "${p.concept}" is ${p.performance}, not a finite number.`);
  }
}

/** Marks the first lo and last hi bins as not kept and correlates ln(edge) with the mean over the rest. */
function finish(method: Binned["method"], bins: Bin[], trim: [number, number], binCount: number, emptyReason?: string): Binned {
  // paper: trim counts positions in the fixed array of binCount bins (the notebooks' edges[a:-b]), empty or not;
  // quantile: trim counts the non-empty bins produced.
  if (method === "paper") bins.forEach((b) => (b.kept = b.index >= trim[0] && b.index < binCount - trim[1]));
  else bins.forEach((b, i) => (b.kept = i >= trim[0] && i < bins.length - trim[1]));
  const kept = bins.filter((b) => b.kept);
  let corr: Correlation;
  if (emptyReason !== undefined) corr = { r: null, p: null, reason: emptyReason };
  else {
    corr = pearson(
      kept.map((b) => Math.log(b.edge)),
      kept.map((b) => b.mean),
    );
    if (corr.r === null) {
      corr = { r: null, p: null, reason: `after trimming ${trim[0]},${trim[1]} of ${bins.length} binned points: ${corr.reason}` };
    }
  }
  return { method, bins, pearson: corr, trim, bin_count: binCount };
}

/** The paper's binning (see the module comment); defaults: 12 edges, trim 1,1. */
export function binLikePaper(points: readonly ConceptPoint[], opts: BinOptions = {}): Binned {
  const binCount = opts.bins ?? 12;
  const trim = opts.trim ?? [1, 1];
  checkOptions(binCount, trim);
  checkPoints(points);
  if (points.length === 0) return finish("paper", [], trim, binCount, "there are no concepts to bin.");
  const x = points.map((p) => Math.log(Math.max(p.frequency, 1)));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const edges = linspace(lo, hi, binCount);
  const members = new Map<number, number[]>();
  x.forEach((v, i) => {
    const idx = digitizeRight(v, edges);
    let list = members.get(idx);
    if (list === undefined) members.set(idx, (list = []));
    list.push(points[i]!.performance);
  });
  const bins: Bin[] = [...members.keys()]
    .sort((a, b) => a - b)
    .map((index) => {
      const perf = members.get(index)!;
      return {
        index,
        edge: Math.exp(edges[index]!),
        low: index === 0 ? Math.exp(edges[0]!) : Math.exp(edges[index - 1]!),
        high: Math.exp(edges[index]!),
        mean: mean(perf),
        std: std(perf),
        n: perf.length,
        kept: true,
      };
    });
  const why = lo === hi ? oneBin(points.length, " (after max(frequency, 1))") : undefined;
  return finish("paper", bins, trim, binCount, why);
}

/**
 * Equal-count bins over concepts sorted by frequency; concepts with equal frequencies stay in one bin,
 * so bins can differ in size. Each bin is plotted at its median frequency. Defaults: 12 bins, trim 0,0.
 */
export function binByQuantile(points: readonly ConceptPoint[], opts: BinOptions = {}): Binned {
  const binCount = opts.bins ?? 12;
  const trim = opts.trim ?? [0, 0];
  checkOptions(binCount, trim);
  checkPoints(points);
  const n = points.length;
  if (n === 0) return finish("quantile", [], trim, binCount, "there are no concepts to bin.");
  const order = points.map((_, i) => i).sort((a, b) => points[a]!.frequency - points[b]!.frequency || a - b);
  const bins: Bin[] = [];
  let start = 0;
  for (let k = 1; k <= binCount && start < n; k++) {
    let end = k === binCount ? n : Math.floor((k * n) / binCount);
    if (end <= start) continue;
    // keep ties together: extend the bin to the end of its last frequency's run
    while (end < n && points[order[end]!]!.frequency === points[order[end - 1]!]!.frequency) end++;
    const members = order.slice(start, end).map((i) => points[i]!);
    const freq = members.map((p) => p.frequency);
    const perf = members.map((p) => p.performance);
    bins.push({
      index: bins.length,
      edge: Math.max(median(freq), 1),
      low: freq[0]!,
      high: freq[freq.length - 1]!,
      mean: mean(perf),
      std: std(perf),
      n: members.length,
      kept: true,
    });
    start = end;
  }
  const first = points[order[0]!]!.frequency;
  const why = points.every((p) => p.frequency === first) ? oneBin(n, "") : undefined;
  return finish("quantile", bins, trim, binCount, why);
}

/** Why the points fall in one bin: "all 3 concepts have the same frequency…"; "there is 1 concept…" for one. */
function oneBin(n: number, after: string): string {
  return n === 1 ? "there is 1 concept, so it falls in one bin." : `all ${n} concepts have the same frequency${after}, so they fall in one bin.`;
}
