import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrapSlope, fitLogLinear, log10Sigmas, type ConceptPoint } from "../../src/analysis/regression.js";
import { readCountIntervals, readValueMap } from "../../src/analysis/value-map.js";
import { mulberry32 } from "../../src/analysis/random.js";
import { UserError } from "../../src/errors.js";

/**
 * A simulated study with a known slope: true log10 counts uniform on [1, 5], performance = 20 + 5 x
 * + N(0, 3); the counts are observed from a 1% sample, so rare concepts' counts are noisy (log10 sd
 * 0.5 / sqrt(sampled count), at most 0.6) and carry their 95% interval.
 */
function simulate(seed: number, n = 40): ConceptPoint[] {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const points: ConceptPoint[] = [];
  for (let i = 0; i < n; i++) {
    const x = 1 + 4 * random();
    const performance = 20 + 5 * x + 3 * normal();
    const s = Math.min(0.6, 0.5 / Math.sqrt(10 ** x / 100));
    const observed = x + s * normal();
    points.push({ concept: `c${i}`, frequency: 10 ** observed, performance, frequency_low: 10 ** (observed - 1.96 * s), frequency_high: 10 ** (observed + 1.96 * s) });
  }
  return points;
}

test("propagating count intervals: the slope interval widens and covers the true slope more often (simulation)", () => {
  const runs = 120;
  let coveredWithout = 0;
  let coveredWith = 0;
  let wider = 0;
  for (let m = 0; m < runs; m++) {
    const points = simulate(1000 + m);
    const a = fitLogLinear(points, { bootstrap: 200, seed: m }).slope_ci95!;
    const b = fitLogLinear(points, { bootstrap: 200, seed: m, countUncertainty: true }).slope_ci95!;
    assert.ok(a.low !== null && b.low !== null);
    if (a.low <= 5 && 5 <= a.high) coveredWithout++;
    if (b.low <= 5 && 5 <= b.high) coveredWith++;
    if (b.high - b.low > a.high - a.low) wider++;
    assert.equal(b.count_uncertainty?.concepts_with_interval, 40);
    assert.equal(a.count_uncertainty, undefined);
  }
  // noisy counts attenuate the naive slope, so its interval misses 5 too often (106 of these 120
  // runs cover it); with propagation coverage is at about the nominal 95% (115 of 120)
  assert.ok(coveredWith >= coveredWithout + runs * 0.05, `coverage ${coveredWith}/${runs} with vs ${coveredWithout}/${runs} without`);
  assert.ok(coveredWith >= runs * 0.9, `coverage with propagation ${coveredWith}/${runs}`);
  assert.ok(coveredWithout < runs * 0.92, `coverage without propagation ${coveredWithout}/${runs}: the simulation no longer shows the problem`);
  assert.ok(wider >= runs * 0.9, `wider in ${wider}/${runs}`);
});

test("without intervals (or zero-width ones) propagation changes nothing; sigmas follow the interval", () => {
  const points = simulate(7).map(({ frequency_low, frequency_high, ...p }) => p);
  const a = fitLogLinear(points, { bootstrap: 300, seed: 3 }).slope_ci95!;
  const b = fitLogLinear(points, { bootstrap: 300, seed: 3, countUncertainty: true }).slope_ci95!;
  assert.deepEqual([b.low, b.high], [a.low, a.high]);
  const s = log10Sigmas([{ concept: "a", frequency: 100, performance: 1, frequency_low: 10, frequency_high: 1000 }, { concept: "b", frequency: 5, performance: 1 }], 1);
  assert.ok(Math.abs(s[0]! - 1 / 1.959963984540054) < 1e-12);
  assert.equal(s[1], 0);
  assert.throws(() => log10Sigmas([{ concept: "a", frequency: 100, performance: 1, frequency_low: 200, frequency_high: 300 }], 1), UserError);
  // the same seed gives the same interval
  const x = [0, 1, 2, 3, 4];
  const y = [1, 3, 2, 5, 4];
  assert.deepEqual(bootstrapSlope(x, y, 100, 9, [0.2, 0.2, 0, 0.1, 0.3]), bootstrapSlope(x, y, 100, 9, [0.2, 0.2, 0, 0.1, 0.3]));
});

test("count maps of {count, low, high} objects: readValueMap takes the count, readCountIntervals the interval", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-intervals-"));
  const p = join(dir, "adjusted.json");
  writeFileSync(p, JSON.stringify({ dog: { count: 120, low: 100, high: 140 }, cat: 7, cow: { count: 3 } }));
  assert.deepEqual([...readValueMap(p)], [["dog", 120], ["cat", 7], ["cow", 3]]);
  assert.deepEqual([...readCountIntervals(p)], [["dog", { low: 100, high: 140 }]]);
  writeFileSync(p, JSON.stringify({ dog: { count: 120, low: 130, high: 140 } }));
  assert.throws(() => readCountIntervals(p), (e: unknown) => e instanceof UserError && /interval of "dog"/.test(e.message));
});

test("fit --count-uncertainty on the CLI: the interval widens and says so; counts without intervals are one sentence", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-cli-uncertainty-"));
  const points = simulate(42, 60);
  const freq: Record<string, { count: number; low: number; high: number }> = {};
  const perf: Record<string, number> = {};
  for (const p of points) {
    freq[p.concept] = { count: p.frequency, low: p.frequency_low!, high: p.frequency_high! };
    perf[p.concept] = p.performance;
  }
  writeFileSync(join(dir, "freq.json"), JSON.stringify(freq));
  writeFileSync(join(dir, "perf.json"), JSON.stringify(perf));
  writeFileSync(join(dir, "plain.json"), JSON.stringify(Object.fromEntries(points.map((p) => [p.concept, p.frequency]))));
  const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "fit", "--perf", join(dir, "perf.json"), "--binning", "none", "--json", ...args], { encoding: "utf8" });
  const a = run("--freq", join(dir, "freq.json"));
  const b = run("--freq", join(dir, "freq.json"), "--count-uncertainty");
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  const ca = JSON.parse(a.stdout).series[0].regression.slope_ci95;
  const cb = JSON.parse(b.stdout);
  assert.equal(cb.options.count_uncertainty, true);
  const ci = cb.series[0].regression.slope_ci95;
  assert.deepEqual(ci.count_uncertainty, { model: "normal-log10", concepts_with_interval: 60 });
  assert.ok(ci.high - ci.low > ca.high - ca.low);
  const c = spawnSync(process.execPath, [CLI, "fit", "--perf", join(dir, "perf.json"), "--freq", join(dir, "plain.json"), "--count-uncertainty"], { encoding: "utf8" });
  assert.equal(c.status, 2);
  assert.match(c.stderr, /^conceptfreq: --count-uncertainty needs counts with intervals[^\n]*\n$/);
});
