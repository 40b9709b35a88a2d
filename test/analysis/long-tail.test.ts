import { test } from "node:test";
import assert from "node:assert/strict";
import { crossCorpusCorrelation, longTailReport, tailReport, zipfExponent } from "../../src/analysis/long-tail.js";
import { UserError } from "../../src/errors.js";
import { assertClose } from "./close.js";
import { allFinite } from "./reference-data.js";

test("zipfExponent: an exact power law count = 1000 / rank has exponent 1 and r2 1", () => {
  const z = zipfExponent([1000 / 3, 1000, 200, 500, 250, 0, 0]); // order does not matter; zeros are left out
  assertClose(z.exponent, 1, 1e-12);
  assertClose(z.intercept, 3, 1e-12);
  assertClose(z.r2, 1, 1e-12);
  assert.equal(z.n, 5);
});

test("zipfExponent matches scipy.stats.linregress on log10(rank), log10(count)", () => {
  const z = zipfExponent([100, 50, 20, 10, 5, 1, 0, 0]);
  assertClose(z.exponent, 2.3361588417338606, 1e-12);
  assertClose(z.intercept, 2.2290254299412346, 1e-12);
  assertClose(z.r2, 0.8731256965498962, 1e-12);
  assert.equal(z.n, 6);
});

test("zipfExponent: too few positive counts or all equal counts give nulls with reasons", () => {
  const few = zipfExponent([0, 0, 5, 7]);
  assert.equal(few.exponent, null);
  assert.match(few.reason!, /at least 3 .* there are 2/);
  const flat = zipfExponent([4, 4, 4]);
  assert.equal(flat.exponent, 0);
  assert.equal(flat.r2, null);
  assert.match(flat.reason!, /equal/);
  assert.ok(allFinite(few) && allFinite(flat));
});

test("longTailReport: hand-computed shares, concentration, median and rarest", () => {
  const freq = new Map<string, number>(
    Object.entries({ e: 5000, a: 0, b: 5, c: 50, d: 500, f: 0, g: 9, h: 99, i: 999, j: 1000 }),
  );
  const r = longTailReport(freq, { name: "toy", rarest: 4 });
  assert.equal(r.name, "toy");
  assert.equal(r.concepts, 10);
  assert.equal(r.total_occurrences, 7662);
  assert.equal(r.median_count, 74.5); // (50 + 99) / 2
  assert.equal(r.share_zero, 0.2);
  assert.equal(r.share_below_10, 0.4); // 0, 0, 5, 9
  assert.equal(r.share_below_100, 0.6); // + 50, 99
  assert.equal(r.share_below_1000, 0.8); // + 500, 999 (1000 is not below 1,000)
  assert.deepEqual(r.top_1pct, { concepts: 1, share: 5000 / 7662 });
  assert.deepEqual(r.top_10pct, { concepts: 1, share: 5000 / 7662 });
  assert.deepEqual(r.rarest, [
    { concept: "a", count: 0 },
    { concept: "f", count: 0 },
    { concept: "b", count: 5 },
    { concept: "g", count: 9 },
  ]);
  assert.equal(r.zipf.n, 8);
  assert.equal(r.reason, undefined);
});

test("longTailReport: top 1% / 10% round up (30 concepts: top 10% is 3 concepts)", () => {
  const freq = new Map<string, number>();
  for (let i = 1; i <= 30; i++) freq.set(`c${i}`, i);
  const r = longTailReport(freq);
  assert.equal(r.top_10pct.concepts, 3);
  assert.equal(r.top_10pct.share, (30 + 29 + 28) / 465);
  assert.equal(r.top_1pct.concepts, 1);
  assert.equal(r.rarest.length, 10);
});

test("longTailReport: empty and all-zero maps give nulls with a reason; negative counts are a UserError", () => {
  const empty = longTailReport(new Map());
  assert.equal(empty.share_zero, null);
  assert.equal(empty.median_count, null);
  assert.match(empty.reason!, /empty/);
  const zeros = longTailReport(new Map([["a", 0], ["b", 0]]));
  assert.equal(zeros.share_zero, 1);
  assert.equal(zeros.top_1pct.share, null);
  assert.match(zeros.reason!, /0 occurrences/);
  assert.ok(allFinite(empty) && allFinite(zeros));
  assert.throws(() => longTailReport(new Map([["a", -1]])), UserError);
});

test("crossCorpusCorrelation: ln(1 + count) over shared concepts, matching scipy", () => {
  const names = ["p", "q", "r", "s", "t", "u"];
  const a = new Map(names.map((n, i) => [n, [0, 5, 10, 100, 1000, 3][i]!]));
  const b = new Map(names.map((n, i) => [n, [1, 4, 20, 90, 2000, 0][i]!]));
  a.set("only-a", 7);
  b.set("only-b1", 1).set("only-b2", 2);
  const c = new Map([["p", 1], ["q", 1], ["r", 1]]);
  const out = crossCorpusCorrelation([{ name: "A", freq: a }, { name: "B", freq: b }, { name: "C", freq: c }]);
  assert.deepEqual(out.map((k) => [k.a, k.b, k.n, k.only_a, k.only_b]), [
    ["A", "B", 6, 1, 2],
    ["A", "C", 3, 4, 0],
    ["B", "C", 3, 5, 0],
  ]);
  assertClose(out[0]!.pearson.r, 0.9600090961632844, 1e-12);
  assertClose(out[0]!.pearson.p, 0.0023669304103440068, 1e-9);
  assertClose(out[0]!.spearman.r, 0.942857142857143, 1e-12);
  assertClose(out[0]!.spearman.p, 0.004804664723032055, 1e-9);
  assert.equal(out[1]!.pearson.r, null, "C is constant");
  assert.ok(allFinite(out));
});

test("tailReport: one entry per corpus, pairwise correlations, distinct names required", () => {
  const a = new Map([["x", 1], ["y", 2], ["z", 30]]);
  const r = tailReport([{ name: "a", freq: a }], { rarest: 2 });
  assert.equal(r.format, "conceptfreq-tail");
  assert.equal(r.corpora.length, 1);
  assert.deepEqual(r.correlations, []);
  assert.equal(r.corpora[0]!.rarest.length, 2);
  assert.throws(() => tailReport([{ name: "a", freq: a }, { name: "a", freq: a }]), /named "a"/);
  assert.throws(() => tailReport([]), UserError);
});
