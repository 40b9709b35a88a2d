import { test } from "node:test";
import assert from "node:assert/strict";
import { selectTags } from "../../src/image/select-tags.js";

function run(scores: number[][], sel: Parameters<typeof selectTags>[3]): number[][][] {
  const m = scores[0]!.length;
  const out: number[][][] = sel.thresholds.map(() => scores.map(() => []));
  selectTags(scores.flat(), scores.length, m, sel, (l, r, c) => out[l]![r]!.push(c));
  return out;
}

test("exact scores: >= threshold, per level, concepts ascending", () => {
  const got = run([[0.1, 0.5, 0.9], [0.5, 0.49, 0.2]], { thresholds: [0.5, 0.8] });
  assert.deepEqual(got, [[[1, 2], [0]], [[2], []]]);
});

test("top-k: higher score first, the lower concept index between equals, then filtered per level", () => {
  const got = run([[0.6, 0.9, 0.6, 0.7]], { thresholds: [0.5, 0.65], topK: 2 });
  assert.deepEqual(got, [[[1, 3]], [[1, 3]]]);
  const ties = run([[0.6, 0.6, 0.6, 0.6]], { thresholds: [0.5], topK: 3 });
  assert.deepEqual(ties, [[[0, 1, 2]]]);
});

test("approximate scores near a threshold are decided by the rescore", () => {
  const exact = [[0.50000003, 0.49999997, 0.7]];
  const approx = [[0.49999999, 0.50000001, 0.7]]; // both wrong sides, within the bound
  const calls: number[] = [];
  const got = run(approx, {
    thresholds: [0.5],
    bound: 1e-6,
    rescore: (row, c) => {
      calls.push(c);
      return exact[row]![c]!;
    },
  });
  assert.deepEqual(got, [[[0, 2]]]);
  assert.deepEqual(calls, [0, 1]); // far scores are not rescored
});

test("approximate top-k near the cut is ranked on rescored values", () => {
  const exact = [[0.8, 0.70000002, 0.70000001, 0.1]];
  const approx = [[0.8, 0.7, 0.70000003, 0.1]];
  const got = run(approx, { thresholds: [0.5], topK: 2, bound: 1e-6, rescore: (r, c) => exact[r]![c]! });
  assert.deepEqual(got, [[[0, 1]]]);
});

test("float32 scores: the integer bit-pattern scan finds exactly the scores >= the bound, NaN and -0 included", () => {
  const f = Float32Array.from([0.3, Math.fround(0.3) - 1e-8, -0.5, -0, NaN, Infinity, 0.30000001, 1e-40, 0.29999998]);
  const lo = 0.3; // not a float32: the bound is the next float32 up from fround(0.3) when that rounds down
  const want = Array.from(f).flatMap((x, j) => (x >= lo ? [j] : []));
  const got: number[] = [];
  selectTags(f, 1, f.length, { thresholds: [lo] }, (_l, _r, c) => got.push(c));
  assert.deepEqual(got, want);
  const got2: number[] = [];
  selectTags(Float64Array.from(f), 1, f.length, { thresholds: [lo] }, (_l, _r, c) => got2.push(c));
  assert.deepEqual(got2, want);
});

test("bit-pattern scan agrees with float comparison on random scores and bounds", () => {
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let trial = 0; trial < 50; trial++) {
    const m = 97;
    const f = Float32Array.from({ length: m * 3 }, () => (rand() - 0.5) * 2);
    const t = rand() * 0.9 + 1e-3;
    for (const topK of [undefined, 2]) {
      const a: number[] = [];
      const b: number[] = [];
      selectTags(f, 3, m, { thresholds: [t, t + 0.1], topK }, (l, r, c) => a.push(l, r, c));
      selectTags(Float64Array.from(f), 3, m, { thresholds: [t, t + 0.1], topK }, (l, r, c) => b.push(l, r, c));
      assert.deepEqual(a, b);
    }
  }
});
