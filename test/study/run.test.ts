import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { importImageTags } from "../../src/image/tag-import.js";
import { fitSeries } from "../../src/analysis/fit.js";
import { tailReport } from "../../src/analysis/long-tail.js";
import { readValueMap } from "../../src/analysis/value-map.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { ImageIndex } from "../../src/image/image-index.js";
import { countConceptsByMode } from "../../src/image/count-modes.js";
import { validateStudyManifest } from "../../src/study/manifest.js";
import { runStudy } from "../../src/study/run.js";
import { runDemo } from "../../src/study/demo.js";

const root = mkdtempSync(join(tmpdir(), "conceptfreq-study-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

const CAPTIONS_A = [
  "a dog on the beach",
  "two dogs and a cat in the park",
  "a cat on a sofa",
  "a red car on a street",
  "a dog in a car",
  "a horse in a field",
  "a sea lion on the rocks",
  "view of the city at night",
  "a dog and a horse",
  "my dog today",
];
const CAPTIONS_B = ["a cat", "a cat and a dog", "three cats on a sofa", "a car", "a horse", "a cat in the snow"];
const CONCEPTS = ["dog", "cat", "car", "horse", "sea lion|sealion", "zebra"];
const RESULTS = {
  m1: { full: 50, classwise: { dog: 80, cat: 60, car: 50, horse: 55, "sea lion|sealion": 30, zebra: 10 } },
  m2: { full: 40, classwise: { dog: 60, cat: 70, car: 40, horse: 35, "sea lion|sealion": 20, zebra: 5 } },
};

async function fixture(name: string): Promise<string> {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "a.txt"), CAPTIONS_A.join("\n") + "\n");
  writeFileSync(join(d, "b.txt"), CAPTIONS_B.join("\n") + "\n");
  await buildTextIndex([join(d, "a.txt")], { out: join(d, "a.idx"), workers: 1, format: "tsv" });
  await buildTextIndex([join(d, "b.txt")], { out: join(d, "b.idx"), workers: 1, format: "tsv" });
  writeFileSync(join(d, "concepts.txt"), CONCEPTS.join("\n") + "\n");
  writeFileSync(join(d, "results.json"), JSON.stringify(RESULTS));
  return d;
}

/** One fixture for the tests that do not change their inputs. */
let shared: Promise<string> | undefined;
function sharedFixture(): Promise<string> {
  shared ??= fixture("shared");
  return shared;
}

function manifestFor(d: string, extra: Record<string, unknown> = {}) {
  return validateStudyManifest(
    {
      name: "test study",
      corpora: [
        { name: "A", index: "a.idx", examples: 2 },
        { name: "B", index: "b.idx" },
      ],
      datasets: [
        {
          name: "toy",
          concepts: "concepts.txt",
          results: [
            { model: "m1", file: "results.json", pointer: "/m1/classwise" },
            { model: "m2", file: "results.json", pointer: "/m2/classwise", corpora: ["B"] },
          ],
        },
      ],
      analyses: { fit: { bootstrap: 200, bins: 4, trim: [0, 0] }, plots: false },
      ...extra,
    },
    join(d, "study.json"),
    d,
  );
}

test("the demo study reproduces fitSeries and tailReport called by hand on its count and result files", async () => {
  const demo = await runDemo({ out: join(root, "demo") });
  const results = JSON.parse(readFileSync(demo.results.json, "utf8"));
  assert.equal(results.fits.length, 8, "2 models × (web: text, image, integrated; curated: text)");
  for (const f of results.fits) {
    const freq = readValueMap(join(demo.out, `counts/${f.corpus}/${f.mode}/${f.dataset}.json`));
    const perf = readValueMap(join(demo.demoDir, "inputs", `results.json#/${f.model}/classwise`));
    const byHand = fitSeries({ name: f.model, pairs: [{ freq, perf }] }, { zeroAs: 1, bootstrap: 1000, seed: 0, binning: "paper", bins: 12 });
    assert.deepEqual(f.regression, JSON.parse(JSON.stringify(byHand.regression)), `${f.model} × ${f.corpus} × ${f.mode}: regression`);
    assert.deepEqual(f.binned, JSON.parse(JSON.stringify(byHand.binned)), `${f.model} × ${f.corpus} × ${f.mode}: binned`);
    assert.equal(f.slope, byHand.regression.slope);
    assert.equal(f.binned_r, byHand.binned!.pearson.r);
    assert.equal(f.data_multiplier_per_10_points, byHand.regression.data_multiplier.per_10_points);
  }
  const tail = JSON.parse(readFileSync(join(demo.out, "tail/text.json"), "utf8"));
  const byHand = tailReport(["web", "curated"].map((name) => ({ name, freq: readValueMap(join(demo.out, `counts/${name}/text.json`)) })), { rarest: 10 });
  assert.deepEqual(tail, JSON.parse(JSON.stringify(byHand)));
  assert.equal(tail.correlations.length, 1, "two corpora: one cross-corpus pair");

  // the counts are the index's counts
  const index = TextIndex.open(join(demo.demoDir, "index", "web"));
  const image = ImageIndex.open(join(demo.demoDir, "index", "web-image"));
  try {
    const concepts = readFileSync(join(demo.demoDir, "inputs", "concepts.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
    for (const mode of ["text", "image", "integrated"] as const) {
      const expected = Object.fromEntries(countConceptsByMode(concepts, { mode, text: index, image }).counts.map((c) => [c.concept, c.count]));
      assert.deepEqual(JSON.parse(readFileSync(join(demo.out, `counts/web/${mode}.json`), "utf8")), expected, mode);
    }
  } finally {
    index.close();
    image.close();
  }

  // outputs: every plot as SVG and PNG, a self-contained report, the dashboard data
  for (const svg of demo.plots) {
    assert.match(readFileSync(svg, "utf8"), /^<svg/);
    assert.deepEqual([...readFileSync(svg.replace(/\.svg$/, ".png")).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  }
  assert.equal(demo.plots.length, 4 + 8 + 3, "log-linear per corpus × mode, one per fit, a tail plot per mode");
  const html = readFileSync(demo.report!, "utf8");
  assert.doesNotMatch(html, /<(script|img|link|iframe)[^>]+(src|href)="(https?:)?\/\//i, "nothing is fetched from the network");
  assert.doesNotMatch(html, /<link /);
  assert.match(html, /<table class="sortable" id="results">/);
  assert.equal((html.match(/src="data:image\/svg\+xml;base64,/g) ?? []).length, demo.plots.length);
  for (const m of ["sample-clip-web", "sample-clip-curated"]) assert.ok(html.includes(m));
  const csv = readFileSync(demo.results.csv, "utf8").trim().split("\n");
  assert.equal(csv.length, 9);
  assert.ok(csv[0]!.startsWith("figure,dataset,model,corpus,mode,n,slope,intercept,"));
  assert.ok(existsSync(join(demo.out, "study-data.json")));

  // a second demo run reuses the indexes and every count
  const again = await runDemo({ out: join(root, "demo") });
  assert.deepEqual(again.built, []);
  assert.ok(again.counts.every((c) => c.computed === 0));
  assert.equal(readFileSync(again.results.json, "utf8"), JSON.stringify(results, null, 2) + "\n");
});

test("counts are cached by input identity: only what depends on a changed input is recomputed", async () => {
  const d = await fixture("cache");
  const out = join(d, "out");
  const first = await runStudy(manifestFor(d), { out });
  assert.deepEqual(
    first.counts.map((c) => [c.corpus, c.mode, c.computed]),
    [
      ["A", "text", 6],
      ["B", "text", 6],
    ],
  );
  assert.deepEqual(JSON.parse(readFileSync(join(out, "counts/A/text.json"), "utf8")), { dog: 5, cat: 2, car: 2, horse: 2, "sea lion|sealion": 1, zebra: 0 });
  assert.deepEqual(JSON.parse(readFileSync(join(out, "counts/B/text.json"), "utf8")), { dog: 1, cat: 4, car: 1, horse: 1, "sea lion|sealion": 0, zebra: 0 });
  // m1 is fitted against both corpora, m2 against B only
  assert.deepEqual(
    first.rows.map((r) => `${r.model}/${r.corpus}`),
    ["m1/A", "m1/B", "m2/B"],
  );
  const resultsBefore = readFileSync(join(out, "results.json"), "utf8");

  // same inputs: nothing is counted, outputs are byte-identical
  const second = await runStudy(manifestFor(d), { out });
  assert.ok(second.counts.every((c) => c.computed === 0));
  assert.equal(readFileSync(join(out, "results.json"), "utf8"), resultsBefore);

  // a changed result file: no count is recomputed, the fits change
  writeFileSync(join(d, "results.json"), JSON.stringify({ ...RESULTS, m1: { full: 1, classwise: { ...RESULTS.m1.classwise, dog: 99 } } }));
  const third = await runStudy(manifestFor(d), { out });
  assert.ok(third.counts.every((c) => c.computed === 0));
  assert.notEqual(readFileSync(join(out, "results.json"), "utf8"), resultsBefore);

  // a rebuilt index of corpus B (other captions): B is recounted, A comes from the cache
  writeFileSync(join(d, "b.txt"), [...CAPTIONS_B, "a zebra", "two zebras"].join("\n") + "\n");
  await buildTextIndex([join(d, "b.txt")], { out: join(d, "b.idx"), workers: 1, format: "tsv", force: true });
  const fourth = await runStudy(manifestFor(d), { out });
  assert.deepEqual(
    fourth.counts.map((c) => [c.corpus, c.computed]),
    [
      ["A", 0],
      ["B", 6],
    ],
  );
  assert.equal(JSON.parse(readFileSync(join(out, "counts/B/text.json"), "utf8")).zebra, 2);

  // one more concept: only it is counted
  writeFileSync(join(d, "concepts.txt"), [...CONCEPTS, "sofa"].join("\n") + "\n");
  const fifth = await runStudy(manifestFor(d), { out });
  assert.deepEqual(
    fifth.counts.map((c) => [c.corpus, c.computed]),
    [
      ["A", 1],
      ["B", 1],
    ],
  );
  assert.ok(fifth.warnings.length === 0 || fifth.warnings.every((w) => !w.includes("sofa")));
});

test("the same study into two directories gives byte-identical outputs; example captions are kept", async () => {
  const d = await sharedFixture();
  const withPlots = { analyses: { fit: { bootstrap: 200, bins: 4, trim: [0, 0] } } };
  const a = await runStudy(manifestFor(d, withPlots), { out: join(d, "det1") });
  const b = await runStudy(manifestFor(d, withPlots), { out: join(d, "det2") });
  for (const f of ["results.json", "results.csv", "report.html", "study-data.json", "tail/text.json", "cross-corpus.json", "counts/A/text/toy.json", "plots/loglinear/toy/B.text.svg", "plots/loglinear/toy/B.text.png"]) {
    assert.ok(readFileSync(join(a.out, f)).equals(readFileSync(join(b.out, f))), f);
  }
  const data = JSON.parse(readFileSync(join(a.out, "study-data.json"), "utf8"));
  assert.deepEqual(data.examples.A.dog, [
    { doc: 0, caption: "a dog on the beach" },
    { doc: 1, caption: "two dogs and a cat in the park" },
  ]);
  assert.equal(data.examples.B.dog.length, 1, "B keeps up to 5, it has 1");
  const fit = data.fits.find((f: { id: string }) => f.id === "toy/m1/A/text");
  assert.equal(fit.points.length, 6);
  assert.equal(fit.outliers.length, 6);
  const r = fit.regression;
  for (const p of fit.points) {
    const x = Math.log10(p.frequency === 0 ? 1 : p.frequency);
    assert.ok(Math.abs(p.residual - (p.performance - (r.intercept + r.slope * x))) < 1e-9);
  }
});

test("image modes: a threshold sweep is resolved, unknown tagger concepts are left out with a warning", async () => {
  const d = await sharedFixture();
  // tags for the 10 docs of corpus A; the tagger knows dog, cat, car only
  const rows = [{ dog: 0.9 }, { dog: 0.8, cat: 0.4 }, { cat: 0.9 }, { car: 0.7 }, { dog: 0.35, car: 0.9 }, {}, {}, { car: 0.6 }, { dog: 0.95 }, { cat: 0.55 }];
  writeFileSync(join(d, "tags.jsonl"), rows.map((tags, row) => JSON.stringify({ row, tags })).join("\n") + "\n");
  writeFileSync(join(d, "vocab.txt"), "dog\ncat\ncar\n");
  await importImageTags({ tags: [join(d, "tags.jsonl")], threshold: [0.3, 0.5], out: join(d, "img.sweep"), concepts: join(d, "vocab.txt"), textIndex: join(d, "a.idx") });
  const corpora = [
    { name: "A", index: "a.idx", image: { index: "img.sweep", threshold: 0.5 } },
    { name: "B", index: "b.idx" },
  ];
  const s = await runStudy(manifestFor(d, { corpora }), { out: join(d, "img-out") });
  assert.deepEqual(
    s.counts.map((c) => `${c.corpus}/${c.mode}`),
    ["A/text", "A/image", "A/integrated", "B/text"],
  );
  const image = JSON.parse(readFileSync(join(d, "img-out/counts/A/image.json"), "utf8"));
  assert.deepEqual(image, { dog: 3, cat: 2, car: 3 }, "threshold 0.5; horse, sea lion and zebra are unknown to the tagger");
  const integrated = JSON.parse(readFileSync(join(d, "img-out/counts/A/integrated.json"), "utf8"));
  // text dog docs {0,1,4,8,9}: tagged dog at >= 0.5 -> {0,1,8}
  assert.equal(integrated.dog, 3);
  assert.ok(s.warnings.some((w) => /corpus "A", image mode: 3 concept\(s\) are not in the image tagger's vocabulary/.test(w)));
  const fit = JSON.parse(readFileSync(join(d, "img-out/results.json"), "utf8")).fits.find((f: { corpus: string; mode: string; model: string }) => f.model === "m1" && f.corpus === "A" && f.mode === "image");
  assert.equal(fit.n, 3);

  await assert.rejects(
    runStudy(manifestFor(d, { corpora: [{ name: "A", index: "a.idx", image: { index: "img.sweep" } }, corpora[1]] }), { out: join(d, "img-out2") }),
    { name: "UserError", message: /img\.sweep is a threshold sweep; choose one with image\.threshold \(one of 0\.3, 0\.5\)/ },
  );
  await assert.rejects(
    runStudy(manifestFor(d, { corpora: [{ name: "A", index: "a.idx", image: { index: "img.sweep/t=0.3", threshold: 0.5 } }, corpora[1]] }), { out: join(d, "img-out3") }),
    { name: "UserError", message: /built at threshold 0\.3, not 0\.5/ },
  );
});

test("bad inputs are UserErrors before any output is written", async () => {
  const d = await sharedFixture();
  const missing = validateStudyManifest({ corpora: [{ name: "X", index: "nope.idx" }], datasets: [] }, "study.json", d);
  await assert.rejects(runStudy(missing, { out: join(d, "o1") }), { name: "UserError", message: /corpus "X": the text index .*nope\.idx does not exist/ });
  const badPointer = manifestFor(d);
  badPointer.datasets[0]!.results[0]!.pointer = "/m9/classwise";
  await assert.rejects(runStudy(badPointer, { out: join(d, "o2") }), { name: "UserError", message: /"m9" is not a key/ });
  const noDatasets = validateStudyManifest({ corpora: [{ name: "A", index: "a.idx" }] }, "study.json", d);
  await assert.rejects(runStudy(noDatasets, { out: join(d, "o3") }), { name: "UserError", message: /no datasets/ });
  for (const o of ["o1", "o2", "o3"]) assert.ok(!existsSync(join(d, o)), `${o} not created`);
  assert.deepEqual(readdirSync(d).filter((n) => n.startsWith("o")), []);
});

test("the output directory: a study never writes into or prunes a directory it does not own", async () => {
  const d = await sharedFixture();
  // someone else's directory
  mkdirSync(join(d, "theirs"));
  writeFileSync(join(d, "theirs", "notes.txt"), "mine");
  await assert.rejects(runStudy(manifestFor(d), { out: join(d, "theirs") }), { name: "UserError", message: /theirs exists and is not a study's output directory/ });
  assert.deepEqual(readdirSync(join(d, "theirs")), ["notes.txt"]);

  // a directory holding only the manifest is fine
  mkdirSync(join(d, "own"));
  writeFileSync(join(d, "own", "study.json"), "{}");
  await runStudy({ ...manifestFor(d), source: join(d, "own", "study.json") }, { out: join(d, "own") });
  assert.ok(existsSync(join(d, "own", "results.csv")));

  // files of an earlier run that this run does not write are removed; files the study did not write stay
  const withPlots = { analyses: { fit: { bootstrap: 0, bins: 4, trim: [0, 0] } } };
  await runStudy(manifestFor(d, withPlots), { out: join(d, "prune") });
  assert.ok(existsSync(join(d, "prune", "plots", "tail", "text.svg")));
  writeFileSync(join(d, "prune", "plots", "tail", "keep-me.txt"), "user file");
  await runStudy(manifestFor(d, { analyses: { fit: { bootstrap: 0, bins: 4, trim: [0, 0] }, plots: false, crossCorpus: false } }), { out: join(d, "prune") });
  assert.ok(!existsSync(join(d, "prune", "plots", "tail", "text.svg")));
  assert.ok(!existsSync(join(d, "prune", "plots", "loglinear")));
  assert.ok(!existsSync(join(d, "prune", "cross-corpus.json")));
  assert.ok(existsSync(join(d, "prune", "plots", "tail", "keep-me.txt")));
  assert.ok(existsSync(join(d, "prune", "report.html")));
});
