import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { countConcepts } from "../../src/text-index/count.js";
import { estimateFullCount } from "../../src/text-index/sample-estimate.js";
import { fitSeries } from "../../src/analysis/fit.js";
import { readCountIntervals, readValueMap } from "../../src/analysis/value-map.js";
import { validateStudyManifest } from "../../src/study/manifest.js";
import { runStudy } from "../../src/study/run.js";
import { UserError } from "../../src/errors.js";

const root = mkdtempSync(join(tmpdir(), "conceptfreq-study17-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

const SOFA_CAPTIONS = [
  "a cat on the couch", // couch
  "a leather sofa in the living room", // sofa
  "a sofa and a couch", // both: counted once
  "a lounge with a view", // lounge: couch's first WordNet synset is {sofa, couch, lounge}
  "a dog on the beach",
  "two dogs on a sofa",
];

function manifest(d: string, raw: Record<string, unknown>) {
  return validateStudyManifest(raw, join(d, "study.json"), d);
}

test("synonyms: wordnet expands a dataset's concepts before counting; the expansion is written, frozen and cached by", async () => {
  const d = join(root, "synonyms");
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "c.txt"), SOFA_CAPTIONS.join("\n") + "\n");
  await buildTextIndex([join(d, "c.txt")], { out: join(d, "c.idx"), workers: 1, format: "tsv" });
  writeFileSync(join(d, "results.json"), JSON.stringify({ m: { couch: 40, dog: 70 } }));
  const raw = (synonyms?: string) => ({
    corpora: [{ name: "A", index: "c.idx", examples: 0 }],
    datasets: [{ name: "toy", results: [{ model: "m", file: "results.json", pointer: "/m" }], ...(synonyms ? { synonyms } : {}) }],
    analyses: { fit: { bootstrap: 0, binning: "quantile", bins: 2 }, plots: false, report: false },
  });
  const out = join(d, "out");

  const plain = await runStudy(manifest(d, raw()), { out });
  assert.deepEqual(JSON.parse(readFileSync(join(out, "counts/A/text/toy.json"), "utf8")), { couch: 2, dog: 2 });
  assert.equal(plain.counts[0]!.computed, 2);

  const wn = await runStudy(manifest(d, raw("wordnet")), { out });
  // couch gains sofa (and lounge); dog has no other name in its first sense that the captions hold
  const counts = JSON.parse(readFileSync(join(out, "counts/A/text/toy.json"), "utf8"));
  assert.deepEqual(counts.couch, { count: 5, alternates: ["couch", "sofa", "lounge"] }); // docs 0-3 and 5
  assert.equal(counts.dog.count, 2);
  assert.ok(counts.dog.alternates.includes("domestic dog"), "dog's first synset lists domestic dog");
  assert.equal(wn.counts[0]!.computed, 2, "the expansion is part of the cache key: both concepts are recounted");
  // the fit uses the expanded count
  const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  const byHand = fitSeries({ name: "m", pairs: [{ freq: new Map([["couch", 5], ["dog", 2]]), perf: new Map([["couch", 40], ["dog", 70]]) }] }, { bootstrap: 0, binning: "quantile", bins: 2 });
  assert.equal(results.fits[0].slope, byHand.regression.slope);
  // the expansion used, in the format count --explain writes
  const frozen = JSON.parse(readFileSync(join(out, "synonyms/A/toy.json"), "utf8"));
  assert.equal(frozen.format, "conceptfreq-synonyms");
  assert.deepEqual(frozen.concepts.couch.alternates, ["couch", "sofa", "lounge"]);
  assert.equal(frozen.concepts.couch.synsets[0].offset, "04263630");
  const data = JSON.parse(readFileSync(join(out, "study-data.json"), "utf8"));
  assert.deepEqual(data.synonyms, [{ corpus: "A", dataset: "toy", file: "synonyms/A/toy.json" }]);

  // freezing: the file given back (edited: without "lounge") counts exactly its alternates; only couch is recounted
  frozen.concepts.couch.alternates = ["couch", "sofa"];
  writeFileSync(join(d, "toy.synonyms.json"), JSON.stringify(frozen));
  const again = await runStudy(manifest(d, raw("toy.synonyms.json")), { out });
  assert.deepEqual(JSON.parse(readFileSync(join(out, "counts/A/text/toy.json"), "utf8")).couch, { count: 4, alternates: ["couch", "sofa"] });
  assert.equal(again.counts[0]!.computed, 1, "dog's alternates are unchanged: from the cache");
  assert.deepEqual(JSON.parse(readFileSync(join(out, "synonyms/A/toy.json"), "utf8")).concepts.couch.alternates, ["couch", "sofa"]);

  // "none" at the dataset level overrides the study's setting; the synonyms/ file is pruned
  const none = await runStudy(manifest(d, { ...raw("none"), synonyms: "wordnet" }), { out });
  assert.deepEqual(JSON.parse(readFileSync(join(out, "counts/A/text/toy.json"), "utf8")), { couch: 2, dog: 2 });
  assert.equal(none.counts[0]!.computed, 0, "the unexpanded counts are still cached");
  assert.throws(() => readFileSync(join(out, "synonyms/A/toy.json")), /ENOENT/);

  // bad input: senses without wordnet, an unknown sense pin
  assert.throws(() => manifest(d, { ...raw("toy.synonyms.json"), senses: "all" }), (e: unknown) => e instanceof UserError && /senses: chooses WordNet senses/.test(e.message));
  writeFileSync(join(d, "results-pin.json"), JSON.stringify({ m: { "couch#n9": 1 } }));
  const pinned = { ...raw("wordnet"), datasets: [{ name: "toy", synonyms: "wordnet", results: [{ model: "m", file: "results-pin.json", pointer: "/m" }] }] };
  await assert.rejects(runStudy(manifest(d, pinned), { out: join(d, "out-pin") }), (e: unknown) => e instanceof UserError && /couch#n9" pins noun sense 9/.test(e.message));
});

/** Concepts with geometric frequencies and a performance linear in log10(frequency) plus a fixed wobble. */
const NOUNS = ["dog", "cat", "car", "horse", "bird", "boat", "tree", "chair", "table", "house", "apple", "clock"];
const FREQ = NOUNS.map((_, i) => Math.round(600 / 1.6 ** i));
const PERF = Object.fromEntries(NOUNS.map((n, i) => [n, 20 + 10 * Math.log10(FREQ[i]!) + (i % 3 === 0 ? 4 : i % 3 === 1 ? -3 : 0)]));

test("a sampled index: counts are estimates with intervals, said so, and countUncertainty widens the slope interval", async () => {
  const d = join(root, "sample");
  mkdirSync(d, { recursive: true });
  const rows: string[] = [];
  NOUNS.forEach((n, i) => {
    for (let k = 0; k < FREQ[i]!; k++) rows.push(`a photo of a ${n} number ${k}`);
  });
  // interleave deterministically so that the sample does not depend on the order of the concepts
  rows.sort((a, b) => (a.length % 7) - (b.length % 7) || (a < b ? -1 : a > b ? 1 : 0));
  writeFileSync(join(d, "c.txt"), rows.join("\n") + "\n");
  const rate = 0.2;
  await buildTextIndex([join(d, "c.txt")], { out: join(d, "s.idx"), workers: 1, format: "tsv", sample: { rate, seed: 3 } });
  writeFileSync(join(d, "results.json"), JSON.stringify({ m: PERF }));
  const raw = (countUncertainty: boolean) => ({
    corpora: [{ name: "S", index: "s.idx", examples: 0 }],
    datasets: [{ name: "toy", results: [{ model: "m", file: "results.json", pointer: "/m" }] }],
    analyses: { fit: { bootstrap: 400, seed: 1, binning: "quantile", bins: 3, countUncertainty }, plots: false, report: false },
  });

  const exact = await runStudy(manifest(d, raw(false)), { out: join(d, "plain") });
  const prop = await runStudy(manifest(d, raw(true)), { out: join(d, "prop") });

  // estimates: round(sampled / rate) with the exact interval of sample-estimate.ts, in count's --format json shape
  const idx = TextIndex.open(join(d, "s.idx"));
  const sampled = Object.fromEntries(countConcepts(idx, NOUNS).map((c) => [c.concept, c.count]));
  idx.close();
  const file = JSON.parse(readFileSync(join(d, "prop", "counts/S/text/toy.json"), "utf8"));
  for (const n of NOUNS) {
    const e = estimateFullCount(sampled[n]!, rate);
    assert.deepEqual(file[n], { count: e.count, low: e.low, high: e.high, sampled: sampled[n], rate }, n);
  }
  assert.ok(NOUNS.some((n) => file[n].low < file[n].count && file[n].count < file[n].high), "intervals are not degenerate");

  // the study says so: a warning, study-data's corpus sample, the results' columns
  for (const s of [exact, prop]) assert.ok(s.warnings.some((w) => /corpus "S", text mode: the text index is a 20% sample of \d+ rows \(seed 3\); its counts are estimates/.test(w)), s.warnings.join("\n"));
  assert.ok(exact.warnings.some((w) => /set analyses\.fit\.countUncertainty: true to propagate them/.test(w)));
  const data = JSON.parse(readFileSync(join(d, "prop", "study-data.json"), "utf8"));
  assert.equal(data.corpora[0].sample.rate, rate);
  assert.equal(data.corpora[0].sample.rowsSeen, rows.length);
  assert.deepEqual(data.countIntervals.S.text.dog, [file.dog.low, file.dog.high]);
  assert.deepEqual(data.fits[0].countIntervals, { intervals: NOUNS.length, estimated: true, propagated: true });
  const csv = readFileSync(join(d, "prop", "results.csv"), "utf8").trim().split("\n");
  assert.ok(csv[0]!.endsWith(",count_intervals,counts_estimated,count_uncertainty"));
  assert.ok(csv[1]!.endsWith(`,${NOUNS.length},true,true`));
  assert.ok(readFileSync(join(d, "plain", "results.csv"), "utf8").trim().split("\n")[1]!.endsWith(`,${NOUNS.length},true,false`));

  // same point estimate; the propagated slope interval is wider, and is exactly fit --count-uncertainty's
  const a = exact.rows[0]!;
  const b = prop.rows[0]!;
  assert.equal(a.slope, b.slope);
  assert.ok(b.slope_ci95_high! - b.slope_ci95_low! > a.slope_ci95_high! - a.slope_ci95_low!, `${b.slope_ci95_low}..${b.slope_ci95_high} vs ${a.slope_ci95_low}..${a.slope_ci95_high}`);
  const freqFile = join(d, "prop", "counts/S/text/toy.json");
  const byHand = fitSeries(
    { name: "m", pairs: [{ freq: readValueMap(freqFile), freqIntervals: readCountIntervals(freqFile), perf: new Map(Object.entries(PERF)) }] },
    { bootstrap: 400, seed: 1, binning: "quantile", bins: 3, countUncertainty: true },
  );
  assert.equal(b.slope_ci95_low, byHand.regression.slope_ci95!.low);
  assert.equal(b.slope_ci95_high, byHand.regression.slope_ci95!.high);
});

test("count files with {count, low, high} (audit apply's output) carry their intervals into the fits", async () => {
  const d = join(root, "audit");
  mkdirSync(d, { recursive: true });
  const adjusted: Record<string, unknown> = {};
  NOUNS.forEach((n, i) => (adjusted[n] = { count: FREQ[i], low: Math.round(FREQ[i]! * 0.5), high: FREQ[i]! * 2, precision: 0.8 }));
  writeFileSync(join(d, "toy_adjusted.json"), JSON.stringify(adjusted));
  writeFileSync(join(d, "results.json"), JSON.stringify({ m: PERF }));
  const raw = (countUncertainty: boolean) => ({
    corpora: [{ name: "F", counts: { text: "{dataset}_adjusted.json" } }],
    datasets: [{ name: "toy", results: [{ model: "m", file: "results.json", pointer: "/m" }] }],
    analyses: { fit: { bootstrap: 300, binning: "quantile", bins: 3, countUncertainty }, plots: false, report: false },
  });
  const exact = await runStudy(manifest(d, raw(false)), { out: join(d, "plain") });
  const prop = await runStudy(manifest(d, raw(true)), { out: join(d, "prop") });
  assert.ok(prop.warnings.some((w) => /corpus "F", text mode: 12 count\(s\) from files carry 95% intervals/.test(w)));
  const written = JSON.parse(readFileSync(join(d, "prop", "counts/F/text/toy.json"), "utf8"));
  assert.deepEqual(written.dog, { count: FREQ[0], low: Math.round(FREQ[0]! * 0.5), high: FREQ[0]! * 2 });
  const a = exact.rows[0]!;
  const b = prop.rows[0]!;
  assert.equal(a.slope, b.slope);
  assert.equal(b.counts_estimated, false);
  assert.equal(b.count_uncertainty, true);
  assert.ok(b.slope_ci95_high! - b.slope_ci95_low! > a.slope_ci95_high! - a.slope_ci95_low!);
});

test("an image sweep.json that is null is a UserError naming it, not a crash", async () => {
  const { resolveImageIndexDir } = await import("../../src/study/counts.js");
  const d = join(root, "sweep");
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "sweep.json"), "null\n");
  assert.throws(() => resolveImageIndexDir({ index: d, threshold: 0.5 }, "A"), (e: unknown) => e instanceof UserError && e.message.includes(d));
});
