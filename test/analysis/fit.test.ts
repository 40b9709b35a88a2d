import { test } from "node:test";
import assert from "node:assert/strict";
import { fitFrequencyPerformance, fitReportToJson, fitSeries, joinPairs } from "../../src/analysis/fit.js";
import { planSeries } from "../../src/analysis/series-args.js";
import { UserError } from "../../src/errors.js";
import { allFinite } from "./reference-data.js";

const m = (o: Record<string, number>) => new Map(Object.entries(o));

test("joinPairs joins by exact name within a pair and pools pairs (the same name twice is two points)", () => {
  const j = joinPairs([
    { freq: m({ cat: 10, dog: 100, Bird: 5 }), perf: m({ cat: 50, dog: 70, bird: 1 }), freqLabel: "f1", perfLabel: "p1" },
    { freq: m({ cat: 20, ant: 3 }), perf: m({ cat: 40, ant: 2 }), freqLabel: "f2", perfLabel: "p2" },
  ]);
  assert.deepEqual(
    j.points.map((p) => [p.concept, p.frequency, p.performance, p.pair]),
    [["cat", 10, 50, 0], ["dog", 100, 70, 0], ["cat", 20, 40, 1], ["ant", 3, 2, 1]],
  );
  assert.deepEqual(j.pairs[0], {
    freq: "f1",
    perf: "p1",
    matched: 2,
    unmatched_performance: { count: 1, first: ["bird"] },
    unmatched_frequency: { count: 1, first: ["Bird"] },
  });
  assert.equal(j.pairs[1]!.unmatched_performance.count, 0);
});

test("joinPairs: --strict turns unmatched names into an error; a pair with no match is always an error", () => {
  const pair = { freq: m({ cat: 1, dog: 2 }), perf: m({ cat: 3, cow: 4 }), freqLabel: "counts.json", perfLabel: "res.json#/m" };
  assert.throws(
    () => joinPairs([pair], { strict: true }),
    (e: unknown) => e instanceof UserError && /--strict: 1 concept of res\.json#\/m has no frequency \("cow"\); 1 concept of counts\.json has no performance \("dog"\)\./.test(e.message),
  );
  assert.throws(
    () => joinPairs([{ freq: m({ Cat: 1 }), perf: m({ cat: 2 }), freqLabel: "f", perfLabel: "p" }]),
    (e: unknown) => e instanceof UserError && /No concept of p has a frequency in f \(names are matched exactly, e\.g\. "cat" vs "Cat"\)/.test(e.message),
  );
  const many: Record<string, number> = {};
  for (let i = 0; i < 9; i++) many[`x${i}`] = i;
  const j = joinPairs([{ freq: m({ a: 1 }), perf: m({ a: 1, ...many }) }], { unmatchedExamples: 3 });
  assert.deepEqual(j.pairs[0]!.unmatched_performance, { count: 9, first: ["x0", "x1", "x2"] });
});

test("performanceScale multiplies performance values", () => {
  const j = joinPairs([{ freq: m({ a: 1 }), perf: m({ a: 0.25 }) }], { performanceScale: 100 });
  assert.equal(j.points[0]!.performance, 25);
  assert.throws(() => joinPairs([], { performanceScale: 0 }), UserError);
});

test("fitSeries returns the regression, the binned view and the points", () => {
  const freq: Record<string, number> = {};
  const perf: Record<string, number> = {};
  for (let i = 0; i < 60; i++) {
    freq[`c${i}`] = Math.round(10 ** (i / 10));
    perf[`c${i}`] = 10 + 5 * (i / 10) + (i % 3);
  }
  const s = fitSeries({ name: "RN50", pairs: [{ freq: m(freq), perf: m(perf) }] }, { bootstrap: 100 });
  assert.equal(s.name, "RN50");
  assert.equal(s.n, 60);
  assert.equal(s.points.length, 60);
  assert.ok(Math.abs(s.regression.slope! - 5) < 0.2);
  assert.equal(s.binned!.method, "paper");
  assert.ok(s.binned!.pearson.r! > 0.95);
  const none = fitSeries({ name: "x", pairs: [{ freq: m(freq), perf: m(perf) }] }, { binning: "none", bootstrap: 0 });
  assert.equal(none.binned, null);
  const q = fitSeries({ name: "x", pairs: [{ freq: m(freq), perf: m(perf) }] }, { binning: "quantile", bins: 6, bootstrap: 0 });
  assert.equal(q.binned!.method, "quantile");
  assert.equal(q.binned!.bins.length, 6);
});

test("fitFrequencyPerformance: options echoed, series names distinct, JSON without points unless asked", () => {
  const pairs = [{ freq: m({ a: 1, b: 10, c: 100, d: 1000 }), perf: m({ a: 1, b: 3, c: 2, d: 5 }) }];
  const r = fitFrequencyPerformance([{ name: "s1", pairs }, { name: "s2", pairs }], { bootstrap: 10, seed: 4 });
  assert.deepEqual(r.options, { zero_as: 1, bootstrap: 10, seed: 4, binning: "paper", bins: 12, trim: [1, 1], performance_scale: 1 });
  assert.equal(r.series.length, 2);
  const json = JSON.parse(fitReportToJson(r));
  assert.equal(json.format, "conceptfreq-fit");
  assert.equal(json.series[0].points, undefined);
  assert.equal(JSON.parse(fitReportToJson(r, true)).series[0].points.length, 4);
  assert.ok(allFinite(json));
  assert.equal(fitReportToJson(r), fitReportToJson(fitFrequencyPerformance([{ name: "s1", pairs }, { name: "s2", pairs }], { bootstrap: 10, seed: 4 })));
  assert.deepEqual(fitFrequencyPerformance([{ name: "q", pairs }], { binning: "quantile", bootstrap: 0 }).options.trim, [0, 0]);
  assert.throws(() => fitFrequencyPerformance([{ name: "s", pairs }, { name: "s", pairs }]), /named "s"/);
  assert.throws(() => fitFrequencyPerformance([]), UserError);
});

test("planSeries: --series starts a series; k-th --freq pairs with k-th --perf; one --freq is shared", () => {
  const f = (value: string) => ({ kind: "freq" as const, value });
  const p = (value: string) => ({ kind: "perf" as const, value });
  const s = (value: string) => ({ kind: "series" as const, value });
  assert.deepEqual(planSeries([f("c.json"), p("dir/r.json#/RN50/classwise")]), [
    { name: "RN50", pairs: [{ freq: "c.json", perf: "dir/r.json#/RN50/classwise" }] },
  ]);
  assert.deepEqual(planSeries([s("RN50"), f("a"), f("b"), p("pa"), p("pb"), s("ViT"), f("c"), p("pc"), p("pd")]), [
    { name: "RN50", pairs: [{ freq: "a", perf: "pa" }, { freq: "b", perf: "pb" }] },
    { name: "ViT", pairs: [{ freq: "c", perf: "pc" }, { freq: "c", perf: "pd" }] },
  ]);
  assert.equal(planSeries([f("a"), p("x"), f("b"), p("y")])[0]!.name, "pooled (2 pairs)");
  assert.throws(() => planSeries([]), /Nothing to fit/);
  assert.throws(() => planSeries([s("A")]), /Series "A" has no --freq\/--perf pair/);
  assert.throws(() => planSeries([s("A"), p("x")]), /In series "A", --perf is given without a --freq/);
  assert.throws(() => planSeries([f("x")]), /--freq is given without a --perf/);
  assert.throws(() => planSeries([f("a"), f("b"), p("x"), p("y"), p("z")]), /there are 2 --freq and 3 --perf/);
  assert.throws(() => planSeries([s(" ")]), /non-empty name/);
});
