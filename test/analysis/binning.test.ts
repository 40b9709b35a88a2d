import { test } from "node:test";
import assert from "node:assert/strict";
import { binByQuantile, binLikePaper } from "../../src/analysis/binning.js";
import type { ConceptPoint } from "../../src/analysis/regression.js";
import { UserError } from "../../src/errors.js";
import { assertClose } from "./close.js";
import { PAPER_BINS, PAPER_PEARSON, allFinite, referencePoints } from "./reference-data.js";

const pts = (freq: number[], perf: number[]): ConceptPoint[] => freq.map((frequency, i) => ({ concept: `c${i}`, frequency, performance: perf[i]! }));

test("binLikePaper reproduces numpy/scipy on the reference dataset (12 edges, trim 1,1)", () => {
  const b = binLikePaper(referencePoints());
  assert.equal(b.method, "paper");
  assert.equal(b.bin_count, 12);
  assert.deepEqual(b.trim, [1, 1]);
  assert.equal(b.bins.length, PAPER_BINS.length);
  b.bins.forEach((bin, i) => {
    const [index, n, edge, mean, std] = PAPER_BINS[i]!;
    assert.equal(bin.index, index);
    assert.equal(bin.n, n);
    assertClose(bin.edge, edge, 1e-14, `edge ${i}`);
    assertClose(bin.mean, mean, 1e-14, `mean ${i}`);
    assertClose(bin.std, std, 1e-14, `std ${i}`);
    assert.equal(bin.kept, i > 0 && i < PAPER_BINS.length - 1);
  });
  assertClose(b.pearson.r, PAPER_PEARSON.r, 1e-12, "binned r");
  assertClose(b.pearson.p! / PAPER_PEARSON.p, 1, 1e-6, "binned p");
  assert.ok(allFinite(b));
});

test("a hand-computed paper binning with ties at the edges, x = min and x = max", () => {
  // frequencies e^0..e^4 with 5 edges: edges = ln f = [0, 1, 2, 3, 4]; every x ties with an edge, so
  // concept k goes to index k (edges[k-1] < x <= edges[k]); x = min -> 0, x = max -> 4.
  // Frequencies 0 and 0.5 are clamped to 1 (x = 0) and join index 0.
  const e = Math.E;
  const freq = [1, e, e ** 2, e ** 3, e ** 4, 0, 0.5, Math.exp(2.5)];
  const perf = [10, 20, 30, 40, 50, 14, 12, 35];
  const b = binLikePaper(pts(freq, perf), { bins: 5, trim: [0, 0] });
  // exp(ln(e^k)) is not always e^k bit for bit, so compare indices and stats, edges approximately
  assert.deepEqual(b.bins.map((x) => x.index), [0, 1, 2, 3, 4]);
  assert.deepEqual(b.bins.map((x) => x.n), [3, 1, 1, 2, 1]);
  assert.deepEqual(b.bins.map((x) => x.mean), [12, 20, 30, 37.5, 50]);
  assertClose(b.bins[0]!.std, Math.sqrt(8 / 3), 1e-14); // 10, 14, 12: mean 12, population variance 8/3
  assertClose(b.bins[3]!.std, 2.5, 1e-14); // 40 and 35
  b.bins.forEach((x, k) => assertClose(x.edge, e ** k, 1e-12));
  assert.ok(b.bins.every((x) => x.kept));
  // Pearson of ln(edge) = 0..4 against means [12, 20, 30, 37.5, 50]
  const m = [12, 20, 30, 37.5, 50];
  const mm = m.reduce((a, v) => a + v, 0) / 5;
  const sxy = m.reduce((a, v, k) => a + (k - 2) * (v - mm), 0);
  const syy = m.reduce((a, v) => a + (v - mm) ** 2, 0);
  assertClose(b.pearson.r, sxy / Math.sqrt(10 * syy), 1e-12);
});

test("empty bins are skipped and paper trim counts positions in the fixed array of 12 bins", () => {
  // x = ln f in {0, 0.1, 10}: 12 edges over [0, 10], indices 0, 1, 11 only
  const b = binLikePaper(pts([1, Math.exp(0.1), Math.exp(10)], [1, 2, 3]));
  assert.deepEqual(b.bins.map((x) => x.index), [0, 1, 11]);
  assert.deepEqual(b.bins.map((x) => x.kept), [false, true, false]);
  assert.equal(b.pearson.r, null);
  assert.match((b.pearson as { reason: string }).reason, /after trimming 1,1 of 3 binned points: 1 point/);
  const t = binLikePaper(pts([1, Math.exp(0.1), Math.exp(10)], [1, 2, 3]), { trim: [0, 2] });
  // numpy: bins[0:12-2] keeps positions 0..9, so indices 0 and 1 stay; 11 is dropped
  assert.deepEqual(t.bins.map((x) => x.kept), [true, true, false]);
});

test("trim 3,0 with 7 bins (retrieval setting) drops positions 0..2 even when position 2 is empty", () => {
  // numpy reference (the notebooks' way): x = ln f, edges = linspace(0, 6, 7) = 0..6, idx = digitize(x, edges, right=True)
  // gives [0 1 1 3 3 4 4 6 6 6 5]: position 2 is empty. Kept positions 3..6 have means 13.5, 19, 24, 34.333...;
  // scipy.stats.pearsonr(edges[[3,4,5,6]], means) = (0.9838475972112616, 0.016152402788738307).
  // Trimming the first three NON-EMPTY bins instead (0, 1, 3) would give r = 0.9804262413761281 over 4, 5, 6.
  const x = [0, 0.5, 0.7, 2.2, 2.9, 3.5, 3.9, 5.2, 5.5, 6.0, 4.4];
  const perf = [5, 7, 6, 12, 15, 20, 18, 30, 33, 40, 24];
  const b = binLikePaper(pts(x.map((v) => Math.exp(v)), perf), { bins: 7, trim: [3, 0] });
  assert.deepEqual(b.bins.map((bin) => bin.index), [0, 1, 3, 4, 5, 6]);
  assert.deepEqual(b.bins.filter((bin) => bin.kept).map((bin) => bin.index), [3, 4, 5, 6]);
  assertClose(b.pearson.r, 0.9838475972112616, 1e-12, "binned r");
  assertClose(b.pearson.p!, 0.016152402788738307, 1e-9, "binned p");
});

test("degenerate binning: same frequency everywhere, no points, constant means, bad options", () => {
  const same = binLikePaper(pts([5, 5, 5, 5], [1, 2, 3, 4]));
  assert.equal(same.bins.length, 1);
  assert.equal(same.bins[0]!.index, 0);
  assert.equal(same.pearson.r, null);
  assert.match((same.pearson as { reason: string }).reason, /same frequency/);
  const none = binLikePaper([]);
  assert.deepEqual(none.bins, []);
  assert.match((none.pearson as { reason: string }).reason, /no concepts/);
  const flat = binLikePaper(pts([1, 10, 100, 1000, 10000], [3, 3, 3, 3, 3]), { bins: 5, trim: [0, 0] });
  assert.match((flat.pearson as { reason: string }).reason, /y values are all equal/);
  for (const b of [same, none, flat]) assert.ok(allFinite(b));
  assert.throws(() => binLikePaper(pts([1, 2], [1, 2]), { bins: 1 }), UserError);
  assert.throws(() => binLikePaper(pts([1, 2], [1, 2]), { trim: [-1, 0] }), UserError);
  assert.throws(() => binLikePaper(pts([-3, 2], [1, 2])), UserError);
});

test("binByQuantile: equal-count bins at the median frequency, ties kept together", () => {
  const freq = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const perf = freq.map((f) => f * 2);
  const b = binByQuantile(pts(freq, perf), { bins: 4 });
  assert.equal(b.method, "quantile");
  assert.deepEqual(b.trim, [0, 0]);
  assert.deepEqual(b.bins.map((x) => x.n), [3, 3, 3, 3]);
  assert.deepEqual(b.bins.map((x) => x.edge), [2, 5, 8, 11]);
  assert.deepEqual(b.bins.map((x) => x.mean), [4, 10, 16, 22]);
  assert.deepEqual(b.bins.map((x) => [x.low, x.high]), [[1, 3], [4, 6], [7, 9], [10, 12]]);
  assertClose(b.pearson.r, 0.9712434648649109, 1e-12); // scipy: pearsonr(ln([2, 5, 8, 11]), [4, 10, 16, 22])
  assertClose(b.pearson.p, 0.028756535135089134, 1e-9);
  // ties: six concepts share frequency 3, so the first bin absorbs them
  const tied = binByQuantile(pts([1, 3, 3, 3, 3, 3, 3, 9, 10, 11], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { bins: 5 });
  // boundaries at 2, 4, 6, 8, 10 concepts: the first extends to 7, the next two fall inside it and are skipped
  assert.deepEqual(tied.bins.map((x) => x.n), [7, 1, 2]);
  assert.equal(tied.bins[0]!.edge, 3);
  // zero frequencies plot at 1
  const zeros = binByQuantile(pts([0, 0, 0, 100, 200, 300], [1, 2, 3, 4, 5, 6]), { bins: 2 });
  assert.deepEqual(zeros.bins.map((x) => x.edge), [1, 200]);
});
