import { test } from "node:test";
import assert from "node:assert/strict";
import { bootstrapSlope, dataMultiplier, fitLogLinear, type ConceptPoint } from "../../src/analysis/regression.js";
import { mulberry32 } from "../../src/analysis/random.js";
import { UserError } from "../../src/errors.js";
import { assertClose } from "./close.js";
import { LINREGRESS, allFinite, referencePoints } from "./reference-data.js";

const pts = (freq: number[], perf: number[]): ConceptPoint[] => freq.map((frequency, i) => ({ concept: `c${i}`, frequency, performance: perf[i]! }));

test("a hand-computed fit: x = log10 f = 0,1,2,3; y = 10,12,15,17", () => {
  // Sxx = 5, Sxy = 12, Syy = 29: slope 2.4, intercept 13.5 - 2.4 * 1.5 = 9.9, r = 12 / sqrt(145)
  const r = fitLogLinear(pts([1, 10, 100, 1000], [10, 12, 15, 17]), { bootstrap: 0 });
  assertClose(r.slope, 2.4, 1e-14, "slope");
  assertClose(r.intercept, 9.9, 1e-14, "intercept");
  assertClose(r.r, 12 / Math.sqrt(145), 1e-14, "r");
  assertClose(r.r2, 144 / 145, 1e-14, "r2");
  assertClose(r.p, 0.003454241755120435, 1e-9, "p (scipy linregress)");
  assertClose(r.slope_stderr, 0.14142135623731078, 1e-12, "stderr (scipy linregress)");
  assert.equal(r.spearman, 1);
  assert.equal(r.n, 4);
  assert.equal(r.slope_ci95, null);
  assertClose(r.data_multiplier.per_point, 10 ** (1 / 2.4), 1e-12);
  assertClose(r.data_multiplier.per_10_points, 10 ** (10 / 2.4), 1e-12);
  assert.equal(r.reason, undefined);
});

test("matches scipy.stats.linregress and spearmanr on the reference dataset (zeros -> 1)", () => {
  const r = fitLogLinear(referencePoints(), { bootstrap: 200 });
  assertClose(r.slope, LINREGRESS.slope, 1e-12, "slope");
  assertClose(r.intercept, LINREGRESS.intercept, 1e-12, "intercept");
  assertClose(r.r, LINREGRESS.r, 1e-12, "r");
  assertClose(r.p! / LINREGRESS.p, 1, 1e-6, "p");
  assertClose(r.slope_stderr, LINREGRESS.stderr, 1e-12, "stderr");
  assertClose(r.spearman, LINREGRESS.spearman, 1e-12, "spearman");
  assertClose(r.spearman_p! / LINREGRESS.spearman_p, 1, 1e-6, "spearman p");
  assert.ok(allFinite(r));
});

test("synthetic data with a known slope and correlation", () => {
  // perf = 20 + 6 log10(f) + uniform noise in [-10, 10]; log10 f uniform in [0, 5]
  // r = 6 sd(x) / sqrt(36 var(x) + var(noise)) = sqrt(75 / (75 + 100/3)) = 0.8321
  const rnd = mulberry32(42);
  const points: ConceptPoint[] = [];
  for (let i = 0; i < 4000; i++) {
    const lf = rnd() * 5;
    points.push({ concept: `c${i}`, frequency: 10 ** lf, performance: 20 + 6 * lf + (rnd() * 2 - 1) * 10 });
  }
  const r = fitLogLinear(points, { bootstrap: 300, seed: 3 });
  assert.ok(Math.abs(r.slope! - 6) < 0.15, `slope ${r.slope}`);
  assert.ok(Math.abs(r.intercept! - 20) < 0.5, `intercept ${r.intercept}`);
  assert.ok(Math.abs(r.r! - Math.sqrt(75 / (75 + 100 / 3))) < 0.015, `r ${r.r}`);
  assert.ok(r.p! < 1e-100);
  const ci = r.slope_ci95!;
  assert.ok(ci.low !== null && ci.low < 6 && 6 < ci.high!, `CI ${ci.low}..${ci.high}`);
  assert.ok(ci.low! < r.slope! && r.slope! < ci.high!);
  // the bootstrap interval is close to the OLS one (slope ± 1.96 stderr)
  assert.ok(Math.abs(ci.high! - ci.low! - 2 * 1.96 * r.slope_stderr!) < 0.1);
});

test("noise-free data: slope, r = 1, p = 0, a degenerate-free bootstrap", () => {
  const r = fitLogLinear(pts([1, 10, 100, 1000, 10000], [5, 8, 11, 14, 17]), { bootstrap: 50, seed: 1 });
  assertClose(r.slope, 3, 1e-14);
  assertClose(r.intercept, 5, 1e-14);
  assertClose(r.r, 1, 1e-14);
  assert.equal(r.p, 0);
  assertClose(r.slope_ci95!.low, 3, 1e-12);
  assertClose(r.slope_ci95!.high, 3, 1e-12);
});

test("zeros are mapped to --zero-as before log10", () => {
  const a = fitLogLinear(pts([0, 10, 100], [1, 2, 3]), { bootstrap: 0 });
  assertClose(a.slope, 1, 1e-14); // x = 0, 1, 2
  assert.equal(a.zero_as, 1);
  const b = fitLogLinear(pts([0, 10, 100], [1, 2, 3]), { bootstrap: 0, zeroAs: 0.1 });
  // x = -1, 1, 2: mean 2/3; Sxx = 25/9 + 1/9 + 16/9 = 42/9; Sxy = (-5/3)(-1) + (1/3)(0) + (4/3)(1) = 3
  assertClose(b.slope, 3 / (42 / 9), 1e-14);
  assert.throws(() => fitLogLinear(pts([0, 1, 2], [1, 2, 3]), { zeroAs: 0 }), UserError);
  assert.throws(() => fitLogLinear(pts([-1, 1, 2], [1, 2, 3])), (e: unknown) => e instanceof UserError && /"c0" is -1/.test(e.message));
});

test("the bootstrap is seeded: same seed, same interval; another seed, another interval", () => {
  const p = referencePoints();
  const a = fitLogLinear(p, { bootstrap: 400, seed: 9 });
  const b = fitLogLinear(p, { bootstrap: 400, seed: 9 });
  const c = fitLogLinear(p, { bootstrap: 400, seed: 10 });
  assert.deepEqual(a.slope_ci95, b.slope_ci95);
  assert.notDeepEqual(a.slope_ci95!.low, c.slope_ci95!.low);
  assert.equal(a.slope_ci95!.resamples, 400);
  assert.equal(a.slope_ci95!.seed, 9);
});

test("bootstrap: resamples with one distinct frequency are counted and left out; too few valid ones give a null", () => {
  // a resample misses the single x = 1 point with probability (30/31)^31 = 0.36
  const x = [...new Array(30).fill(0), 1];
  const y = x.map((v, i) => v * 5 + (i % 3));
  const ci = bootstrapSlope(x, y, 200, 0);
  assert.ok(ci.degenerate_resamples > 40 && ci.degenerate_resamples < 110, `${ci.degenerate_resamples}`);
  assert.ok(ci.low !== null);
  const one = bootstrapSlope([0, 1, 2], [1, 2, 3], 1, 0);
  assert.equal(one.low, null);
  assert.match((one as { reason: string }).reason, /resamples had two distinct frequencies/);
});

test("data_multiplier: null with a reason when the slope is <= 0; log10 fields when it overflows", () => {
  const neg = dataMultiplier(-2);
  assert.equal(neg.per_point, null);
  assert.match(neg.reason!, /negative/);
  assert.match(dataMultiplier(0).reason!, /zero/);
  const tiny = dataMultiplier(0.001);
  assert.equal(tiny.per_point, null, "10^1000 does not fit a double");
  assert.equal(tiny.log10_per_point, 1000);
  assert.match(tiny.reason!, /log10_/);
  const ok = dataMultiplier(5);
  assertClose(ok.per_point, 10 ** 0.2, 1e-14);
  assert.equal(ok.per_10_points, 100);
  assert.equal(ok.reason, undefined);
  const r = fitLogLinear(pts([1, 10, 100, 1000], [40, 30, 20, 10]), { bootstrap: 0 });
  assertClose(r.slope, -10, 1e-14);
  assert.equal(r.data_multiplier.per_10_points, null);
});

test("degenerate input: a null with a reason, never NaN", () => {
  const two = fitLogLinear(pts([1, 10], [1, 2]));
  assert.equal(two.slope, null);
  assert.match(two.reason!, /at least 3 concepts.*there are 2/);
  const sameFreq = fitLogLinear(pts([7, 7, 7, 7], [1, 2, 3, 4]));
  assert.equal(sameFreq.slope, null);
  assert.match(sameFreq.reason!, /same frequency/);
  const zeros = fitLogLinear(pts([0, 1, 0], [1, 2, 3])); // 0 -> 1: all x = 0
  assert.match(zeros.reason!, /same frequency/);
  const flat = fitLogLinear(pts([1, 10, 100, 1000], [5, 5, 5, 5]), { bootstrap: 20 });
  assert.equal(flat.slope, 0);
  assert.equal(flat.r, null);
  assert.equal(flat.spearman, null);
  assert.match(flat.reason!, /same performance/);
  assert.match(flat.data_multiplier.reason!, /zero/);
  for (const r of [two, sameFreq, zeros, flat, fitLogLinear([])]) {
    assert.ok(allFinite(r));
    assert.ok(!JSON.stringify(r).includes("NaN"));
  }
  assert.throws(() => fitLogLinear(pts([1, 2, 3], [1, NaN, 3])), UserError);
});
