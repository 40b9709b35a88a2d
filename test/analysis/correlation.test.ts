import { test } from "node:test";
import assert from "node:assert/strict";
import { averageRanks, pearson, spearman, twoSidedP } from "../../src/analysis/correlation.js";
import { assertClose } from "./close.js";

test("pearson: a hand-computed case and scipy's p-value", () => {
  // x mean 3, y mean 4: Sxy = 6, Sxx = 10, Syy = 6  ->  r = 6 / sqrt(60) = 0.7745966692414834
  const c = pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]);
  assertClose(c.r, 6 / Math.sqrt(60), 1e-15, "r");
  assertClose(c.p, 0.1240270626575546, 1e-9, "p (scipy.stats.pearsonr)");
  const small = pearson([1, 2, 3], [1, 2, 4]);
  assertClose(small.r, 0.9819805060619655, 1e-15);
  assertClose(small.p, 0.12103771832367739, 1e-9);
});

test("pearson: perfect correlation has p = 0; degenerate input is null with a reason", () => {
  assert.deepEqual(pearson([1, 2, 3, 4], [3, 5, 7, 9]), { r: 1, p: 0 });
  const few = pearson([1, 2], [3, 4]);
  assert.equal(few.r, null);
  assert.match((few as { reason: string }).reason, /at least 3/);
  assert.match((pearson([1, 1, 1], [1, 2, 3]) as { reason: string }).reason, /x values are all equal/);
  assert.match((pearson([1, 2, 3], [5, 5, 5]) as { reason: string }).reason, /y values are all equal/);
});

test("average ranks for ties (scipy rankdata 'average')", () => {
  assert.deepEqual(averageRanks([3, 1, 3, 2, 3]), [4, 1, 4, 2, 4]);
  assert.deepEqual(averageRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4]);
});

test("spearman with ties matches scipy", () => {
  const s = spearman([1, 2, 2, 3, 4], [1, 3, 2, 2, 5]);
  assertClose(s.r, 0.7631578947368421, 1e-15, "rho");
  assertClose(s.p, 0.13333911953180624, 1e-9, "p");
});

test("twoSidedP is symmetric and bounded", () => {
  assertClose(twoSidedP(0, 5), 1, 1e-15);
  assert.equal(twoSidedP(2.5, 10), twoSidedP(-2.5, 10));
  assert.equal(twoSidedP(Infinity, 3), 0);
});
