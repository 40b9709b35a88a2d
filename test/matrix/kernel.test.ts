import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../../src/analysis/random.js";
import { UserError } from "../../src/errors.js";
import { dot64, exactTopK, scoreErrorBound } from "../../src/matrix/exact.js";
import { createSimilarityKernel, float32DotErrorBound, jsSimilarity, onnxruntimeAvailable, similarityBlocks } from "../../src/matrix/matmul.js";
import { averageTemplates, l2NormalizeRows } from "../../src/matrix/normalize.js";
import { memoryRows } from "../../src/matrix/rows.js";
import { RunningTopK, ranksBefore, topK } from "../../src/matrix/topk.js";

function randomMatrix(seed: number, n: number, d: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n * d }, () => r() * 2 - 1);
}

function naive(a: Float32Array, n: number, b: Float32Array, m: number, d: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = dot64(a, i * d, b, j * d, d);
  return out;
}

/** Reference ranking: sort all indices by (score desc, index asc). */
function refTop(scores: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: scores.length }, (_, j) => j)
    .sort((x, y) => (scores[y]! - scores[x]!) || x - y)
    .slice(0, k);
}

test("L2 normalisation: unit rows, zero rows stay zero, non-finite values are a UserError naming the row", () => {
  const m = new Float32Array([3, 4, 0, 0, 0, 0, 1, 1, 1]);
  l2NormalizeRows(m, 3, 3);
  assert.deepEqual(Array.from(m.subarray(0, 3)), [0.6000000238418579, 0.800000011920929, 0]);
  assert.deepEqual(Array.from(m.subarray(3, 6)), [0, 0, 0]);
  assert.ok(Math.abs(m[6]! - 1 / Math.sqrt(3)) < 1e-7);
  assert.throws(
    () => l2NormalizeRows(new Float32Array([1, NaN]), 1, 2, { source: "x.npy", firstRow: 41 }),
    (e: unknown) => e instanceof UserError && /x\.npy has a NaN or infinite value in row 41/.test(e.message),
  );
});

test("template averaging: normalise each template, average, renormalise (CLIP prompt ensembling)", () => {
  // class 0: templates (2,0) and (0,5) -> unit (1,0),(0,1) -> mean (.5,.5) -> (1/√2, 1/√2)
  // class 1: templates (0,-1) and (0,-3) -> (0,-1)
  const w = new Float32Array([2, 0, 0, 5, 0, -1, 0, -3]);
  const c = averageTemplates(w, 2, 2, 2);
  assert.ok(Math.abs(c[0]! - Math.SQRT1_2) < 1e-7 && Math.abs(c[1]! - Math.SQRT1_2) < 1e-7);
  assert.deepEqual(Array.from(c.subarray(2)), [0, -1]);
  assert.throws(() => averageTemplates(w, 3, 2, 2), RangeError);
});

test("topK: higher score first, ties to the lower index, NaN last", () => {
  assert.deepEqual(Array.from(topK([1, 3, 3, 2, 3], 3)), [1, 2, 4]);
  assert.deepEqual(Array.from(topK([5, 5, 5], 2)), [0, 1]);
  assert.deepEqual(Array.from(topK([NaN, 1, NaN, 0], 4)), [1, 3, 0, 2]);
  assert.deepEqual(Array.from(topK([1, 2], 5)), [1, 0]);
  assert.deepEqual(Array.from(topK([0, 9, 8, 7, 1], 2, 1, 3)), [0, 1]); // relative to the offset
  assert.equal(ranksBefore(1, 5, 1, 6), true);
  assert.equal(ranksBefore(1, 6, 1, 5), false);
  assert.equal(ranksBefore(0, 9, NaN, 0), true);
  const r = mulberry32(7);
  for (let t = 0; t < 200; t++) {
    const n = 1 + Math.floor(r() * 40);
    const s = Array.from({ length: n }, () => Math.floor(r() * 6)); // many ties
    const k = 1 + Math.floor(r() * 8);
    assert.deepEqual(Array.from(topK(s, k)), refTop(s, k));
  }
});

test("RunningTopK keeps the k best across batches in any order, ties to the lower index", () => {
  const r = mulberry32(11);
  const rows = 5;
  const m = 60;
  const k = 7;
  const scores = Array.from({ length: rows }, () => Array.from({ length: m }, () => Math.floor(r() * 10) / 10));
  const run = new RunningTopK(rows, k);
  // columns arrive as chunks in reverse order, plus single pushes
  for (const [lo, hi] of [[40, 60], [10, 40]] as const) {
    for (let i = 0; i < rows; i++) run.pushRow(i, scores[i]!, lo, hi - lo, lo);
  }
  for (let i = 0; i < rows; i++) for (let j = 9; j >= 0; j--) run.push(i, scores[i]![j]!, j);
  for (let i = 0; i < rows; i++) {
    assert.deepEqual(Array.from(run.indices(i)), refTop(scores[i]!, k));
    assert.deepEqual(Array.from(run.scores(i)), refTop(scores[i]!, k).map((j) => scores[i]![j]!));
  }
  const small = new RunningTopK(1, 3);
  small.push(0, 1, 0);
  assert.deepEqual(Array.from(small.indices(0)), [0]);
});

test("the JavaScript kernel matches a float64 reference within the float32 error bound", () => {
  for (const [n, m, d] of [[1, 1, 1], [3, 5, 7], [17, 13, 64], [2, 9, 3]] as const) {
    const a = randomMatrix(n * 31 + d, n, d);
    const b = randomMatrix(m * 17 + d, m, d);
    const s = jsSimilarity(a, n, b, m, d);
    const ref = naive(a, n, b, m, d);
    for (let i = 0; i < n * m; i++) assert.ok(Math.abs(s[i]! - ref[i]!) <= float32DotErrorBound(d) * d + 1e-6, `${n}x${m}x${d} at ${i}`);
  }
});

test("the onnxruntime kernel matches the reference; one thread or all give equal decisions", async () => {
  assert.equal(await onnxruntimeAvailable(), true);
  const n = 37;
  const m = 29;
  const d = 48;
  const a = randomMatrix(1, n, d);
  const b = randomMatrix(2, m, d);
  l2NormalizeRows(a, n, d);
  l2NormalizeRows(b, m, d);
  const ref = naive(a, n, b, m, d);
  for (const threads of [1, 2]) {
    const k = await createSimilarityKernel(b, m, d, { backend: "onnxruntime", threads });
    assert.equal(k.backend, "onnxruntime");
    const s = await k.scores(a, n);
    assert.equal(s.length, n * m);
    for (let i = 0; i < n * m; i++) assert.ok(Math.abs(s[i]! - ref[i]!) <= scoreErrorBound(d), `at ${i}`);
    // a shorter block through the same session (dynamic row count)
    const s2 = await k.scores(a.subarray(0, 3 * d), 3);
    assert.equal(s2.length, 3 * m);
    await k.release();
  }
  const js = await createSimilarityKernel(b, m, d, { backend: "js" });
  assert.equal(js.backend, "js");
});

test("similarityBlocks streams every block in order, prepared rows included", async () => {
  const n = 23;
  const m = 6;
  const d = 5;
  const a = randomMatrix(3, n, d);
  const b = randomMatrix(4, m, d);
  for (const backend of ["onnxruntime", "js"] as const) {
    const starts: number[] = [];
    const seen = new Float64Array(n * m);
    const used = await similarityBlocks(
      memoryRows(a, n, d),
      b,
      { blockRows: 4, backend, prepareRows: (rows, _start, count) => rows.subarray(0, count * d).forEach((v, i, arr) => (arr[i] = v * 2)) },
      (start, scores, rows) => {
        starts.push(start);
        assert.equal(rows[0], a[start * d]! * 2);
        seen.set(scores, start * m);
      },
    );
    assert.equal(used, backend);
    assert.deepEqual(starts, [0, 4, 8, 12, 16, 20]);
    const ref = naive(a.map((v) => v * 2), n, b, m, d);
    for (let i = 0; i < n * m; i++) assert.ok(Math.abs(seen[i]! - ref[i]!) < 1e-5);
  }
});

test("exactTopK decides near-ties on float64 scores, whatever the float32 scores say", () => {
  const d = 4;
  // B rows: 0 and 2 identical (an exact tie), 1 slightly lower, 3 far lower.
  const b = new Float32Array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4999999, 0.5, 0.5, 0.5, 0.5, -1, 0, 0, 0]);
  const a = new Float32Array([0.5, 0.5, 0.5, 0.5]);
  const bound = scoreErrorBound(d);
  // Perturbed float32 scores within the bound that would rank 2 and 1 before 0.
  const scores = new Float32Array([1 - bound / 2, 1 - bound / 4, 1, -0.5]);
  const top = exactTopK(scores, 0, 4, 2, a, 0, b, d, bound);
  assert.deepEqual(Array.from(top.indices), [0, 2]);
  assert.equal(top.scores[0], 1);
  const all = exactTopK(scores, 0, 4, 9, a, 0, b, d, bound);
  assert.deepEqual(Array.from(all.indices), [0, 2, 1, 3]);
  // Well separated scores: the float32 order stands.
  const far = exactTopK(new Float32Array([0.1, 0.9, 0.5, 0.3]), 0, 4, 2, a, 0, b, d, bound);
  assert.deepEqual(Array.from(far.indices), [1, 2]);
});

test("exactTopK equals a float64 reference on random normalised data with planted duplicates", async () => {
  const n = 60;
  const m = 40;
  const d = 32;
  const a = randomMatrix(5, n, d);
  const b = randomMatrix(6, m, d);
  b.copyWithin(7 * d, 3 * d, 4 * d); // row 7 = row 3: exact ties
  b.copyWithin(20 * d, 3 * d, 4 * d); // row 20 = row 3
  a.set(b.subarray(3 * d, 4 * d), 0); // query 0 equals B row 3: its top three tie
  l2NormalizeRows(a, n, d);
  l2NormalizeRows(b, m, d);
  const k = await createSimilarityKernel(b, m, d);
  const s = await k.scores(a, n);
  await k.release();
  const ref = naive(a, n, b, m, d);
  for (let i = 0; i < n; i++) {
    const got = exactTopK(s, i * m, m, 5, a, i * d, b, d, scoreErrorBound(d));
    assert.deepEqual(Array.from(got.indices), refTop(ref.subarray(i * m, (i + 1) * m), 5), `row ${i}`);
  }
  const row0 = exactTopK(s, 0, m, 3, a, 0, b, d, scoreErrorBound(d));
  assert.deepEqual(Array.from(row0.indices), [3, 7, 20]);
});
