import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32, randomIndex } from "../../src/analysis/random.js";

test("mulberry32 gives the reference sequence for a seed (same on every machine)", () => {
  // the values of the well-known JavaScript mulberry32 snippet for seed 0
  const r = mulberry32(0);
  assert.deepEqual([r(), r(), r()], [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]);
  const a = mulberry32(123456789);
  const b = mulberry32(123456789);
  for (let i = 0; i < 100; i++) assert.equal(a(), b());
});

test("values are in [0, 1) and indices in [0, n)", () => {
  const r = mulberry32(7);
  const seen = new Set<number>();
  for (let i = 0; i < 10000; i++) {
    const v = r();
    assert.ok(v >= 0 && v < 1);
    const k = randomIndex(r, 5);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 5);
    seen.add(k);
  }
  assert.equal(seen.size, 5);
});
