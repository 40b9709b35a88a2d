import { test } from "node:test";
import assert from "node:assert/strict";
import { digitizeRight, linspace, mean, median, percentile, std } from "../../src/analysis/numpy-semantics.js";

// Expected values printed by numpy 2.4 (np.linspace, np.digitize(..., right=True), np.std, np.percentile).
test("linspace matches numpy bit for bit, endpoint included", () => {
  assert.deepEqual(linspace(0, 1, 12), [
    0.0, 0.09090909090909091, 0.18181818181818182, 0.2727272727272727, 0.36363636363636365, 0.4545454545454546,
    0.5454545454545454, 0.6363636363636364, 0.7272727272727273, 0.8181818181818182, 0.9090909090909092, 1.0,
  ]);
  assert.deepEqual(linspace(-0.3, 2.7, 5), [-0.3, 0.45, 1.2, 1.95, 2.7]);
  assert.deepEqual(linspace(2, 2, 4), [2, 2, 2, 2]);
  assert.deepEqual(linspace(0, Math.log(94951), 12), [
    0.0, 1.0419196589130768, 2.0838393178261536, 3.12575897673923, 4.167678635652307, 5.209598294565384, 6.25151795347846,
    7.293437612391537, 8.335357271304614, 9.377276930217691, 10.419196589130769, 11.461116248043846,
  ]);
  assert.deepEqual(linspace(3, 7, 1), [3]);
  assert.deepEqual(linspace(3, 7, 0), []);
});

test("digitize(right=True): edges[i-1] < x <= edges[i]; ties go to the lower bin; x = min -> 0, x = max -> last", () => {
  const edges = [0, 1, 2, 3];
  // numpy: np.digitize([-1, 0, 0.5, 1, 1.5, 3, 4], [0, 1, 2, 3], right=True) == [0, 0, 1, 1, 2, 3, 4]
  assert.deepEqual([-1, 0, 0.5, 1, 1.5, 3, 4].map((x) => digitizeRight(x, edges)), [0, 0, 1, 1, 2, 3, 4]);
  assert.equal(digitizeRight(0, edges), 0, "x = min edge goes to bin 0");
  assert.equal(digitizeRight(3, edges), 3, "x = max edge goes to the last edge's index");
  assert.equal(digitizeRight(2, edges), 2, "a tie with an interior edge goes to that edge's index");
  assert.equal(digitizeRight(2 + 1e-12, edges), 3);
  // all edges equal (constant x): everything lands in 0
  assert.equal(digitizeRight(5, [5, 5, 5]), 0);
});

test("std uses ddof=0 by default; mean, median, percentile (linear)", () => {
  assert.equal(std([2, 4, 4, 4, 5, 5, 7, 9]), 2);
  assert.equal(std([1, 2, 3, 4]), 1.118033988749895);
  assert.equal(std([7]), 0);
  assert.equal(std([1, 3], 1), Math.SQRT2);
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.deepEqual([2.5, 97.5, 50, 0, 100].map((q) => percentile([5, 1, 4, 2, 3], q)), [1.1, 4.9, 3.0, 1.0, 5.0]);
  assert.deepEqual([2.5, 97.5].map((q) => percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], q)), [1.225, 9.775]);
});
