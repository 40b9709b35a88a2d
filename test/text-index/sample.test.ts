import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { mergeTextIndexes } from "../../src/text-index/merge.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { countConcepts } from "../../src/text-index/count.js";
import { murmur3Words, RowSampler, sampleUniform } from "../../src/text-index/sample.js";
import { estimateFullCount } from "../../src/text-index/sample-estimate.js";
import { binomialCdf } from "../../src/analysis/binomial.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-sample-"));

// A planted corpus: row i mentions a dog when i % 3 == 0, a cat when i % 7 == 0.
const N = 9000;
const caption = (i: number) => (i % 3 === 0 ? (i % 7 === 0 ? "a dog and a cat" : "a dog on a beach") : i % 7 === 0 ? "a cat asleep" : `a road at night ${i}`);
const tsv = join(dir, "corpus.tsv");
writeFileSync(tsv, Array.from({ length: N }, (_, i) => `${caption(i)}\thttp://x.invalid/${i}.jpg`).join("\n") + "\n");
const jsonl = join(dir, "corpus.jsonl");
writeFileSync(jsonl, Array.from({ length: N }, (_, i) => JSON.stringify({ caption: caption(i) })).join("\n") + "\n");
const FILES = ["nouns.postings", "terms.postings", "captions.blocks", "captions.offsets"];

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("the row hash is MurmurHash3_x86_32 of (seed, row) as four little-endian words", () => {
  // Reference values from an independent Python transcription of MurmurHash3_x86_32 (checked on the
  // published vector murmur3("test", 0) = 0xba6bd213), over struct.pack('<IIII', seed lo, seed hi, row lo, row hi).
  assert.equal(murmur3Words(0, 0, 0, 0), 2167721464);
  assert.equal(murmur3Words(0, 0, 1, 0), 223774489);
  assert.equal(murmur3Words(1, 0, 0, 0), 2451737883);
  assert.equal(murmur3Words(42, 0, 123456, 0), 943737363);
  assert.equal(sampleUniform(7, 2 ** 32 + 5), 1707524871 / 2 ** 32);
  assert.equal(sampleUniform(2 ** 40 + 3, 99), 2964509673 / 2 ** 32);
});

test("a sampled build keeps exactly the rows the hash picks, with dense doc ids, whatever the worker count or format", async () => {
  const rate = 0.3;
  const seed = 5;
  const a = join(dir, "w1");
  const b = join(dir, "w2");
  const c = join(dir, "jsonl");
  await buildTextIndex([tsv], { out: a, workers: 1, sample: { rate, seed } });
  await buildTextIndex([tsv], { out: b, workers: 2, spillPostings: 1000, sample: { rate, seed } });
  await buildTextIndex([jsonl], { out: c, workers: 2, sample: { rate, seed } });
  for (const f of FILES) {
    assert.deepEqual(readFileSync(join(a, f)), readFileSync(join(b, f)), f);
    assert.deepEqual(readFileSync(join(a, f)), readFileSync(join(c, f)), `${f} (JSONL)`);
  }
  const kept = Array.from({ length: N }, (_, i) => i).filter((i) => sampleUniform(seed, i) < rate);
  const index = TextIndex.open(a);
  try {
    const m = index.manifest;
    assert.deepEqual(m.sample, { rate, seed, rowsSeen: N, method: "bernoulli-murmur3-row", docIds: "dense-over-sampled-rows" });
    assert.equal(m.docCount, kept.length);
    assert.equal(m.inputs[0]!.rows, kept.length);
    assert.equal(m.inputs[0]!.rowsSeen, N);
    assert.ok(Math.abs(kept.length / N - rate) < 0.02, `kept ${kept.length} of ${N}`);
    // doc j is the j-th kept row
    for (const j of [0, 1, 100, kept.length - 1]) assert.equal(index.captions.caption(j), caption(kept[j]!));
    const [dog, cat] = countConcepts(index, ["dog", "cat"]);
    assert.equal(dog!.count, kept.filter((i) => i % 3 === 0).length);
    assert.equal(cat!.count, kept.filter((i) => i % 7 === 0).length);
  } finally {
    index.close();
  }
  // another seed, another sample
  const d = join(dir, "seed6");
  await buildTextIndex([tsv], { out: d, workers: 1, sample: { rate, seed: 6 } });
  assert.notDeepEqual(readFileSync(join(a, "captions.offsets")), readFileSync(join(d, "captions.offsets")));
  // rate 1 keeps every row: the same index as a full build
  const full = join(dir, "full");
  const all = join(dir, "all");
  await buildTextIndex([tsv], { out: full, workers: 1 });
  await buildTextIndex([tsv], { out: all, workers: 1, sample: { rate: 1, seed: 0 } });
  for (const f of FILES) assert.deepEqual(readFileSync(join(full, f)), readFileSync(join(all, f)), f);
  assert.throws(() => mergeTextIndexes([full, a], { out: join(dir, "merged") }), /cannot merge .*w1: it is a sampled index/);
});

test("the row hash keeps rows independently at the rate: sampled counts spread like Binomial(M, rate)", () => {
  // 2,000 seeds of a 10% sample of 400 planted rows: the mean and variance of the kept count
  const rate = 0.1;
  const M = 400;
  const ks: number[] = [];
  for (let seed = 0; seed < 2000; seed++) {
    const s = new RowSampler(rate, seed);
    let k = 0;
    for (let i = 0; i < M; i++) if (s.keep()) k++;
    ks.push(k);
  }
  const mean = ks.reduce((a, b) => a + b, 0) / ks.length;
  const variance = ks.reduce((a, b) => a + (b - mean) ** 2, 0) / (ks.length - 1);
  assert.ok(Math.abs(mean - M * rate) < 0.3, `mean ${mean}`); // sd of the mean: 0.13
  assert.ok(Math.abs(variance / (M * rate * (1 - rate)) - 1) < 0.1, `variance ${variance}`); // sd of the ratio: ~0.03
});

test("the interval matches exact binomial-thinning bounds computed with scipy", () => {
  // Reference values: scipy.stats.binom, by bisection over integer M:
  //   high = max M with binom.cdf(k, M, r) >= 0.025; low = min M with binom.sf(k - 1, M, r) >= 0.025 (0 for k = 0).
  const cases: [number, number, number, number][] = [
    [0, 0.1, 0, 35],
    [1, 0.1, 1, 53],
    [5, 0.1, 18, 113],
    [37, 0.1, 266, 502],
    [250, 0.01, 22012, 28282],
    [1000, 0.5, 1914, 2090],
    [100000, 0.01, 9938425, 10061862],
    [3, 0.9, 3, 5],
  ];
  for (const [k, r, low, high] of cases) {
    const e = estimateFullCount(k, r);
    assert.deepEqual([e.low, e.high], [low, high], `k=${k} rate=${r}`);
    assert.equal(e.count, Math.round(k / r));
    assert.equal(e.sampled, k);
    assert.equal(e.rate, r);
  }
  assert.deepEqual(estimateFullCount(17, 1), { count: 17, low: 17, high: 17, sampled: 17, rate: 1 });
  // scipy.stats.binom.cdf(37, 500, 0.1) = 0.02743008378402013; binom.cdf(5, 1e6, 1e-5) = 0.06708501704958428
  assert.ok(Math.abs(binomialCdf(37, 500, 0.1) - 0.02743008378402013) < 1e-12);
  assert.ok(Math.abs(binomialCdf(5, 1_000_000, 1e-5) - 0.06708501704958428) < 1e-10);
});

test("on a planted corpus, the 95% intervals of many seeded samples cover the true count at their exact coverage (>= 95%)", () => {
  // 5,000 rows, every `every`-th a dog; samples with 1,000 seeds, drawn by the sampler the build runs.
  // Exact intervals are conservative: their coverage for a given true count M is
  // sum over k of binom.pmf(k, M, r) * [low(k) <= M <= high(k)], computed with scipy.stats.binom and the
  // scipy bounds of the previous test: M = 625, r = 0.1: 0.96145; M = 20, r = 0.1: 0.98875;
  // M = 625, r = 0.02: 0.96956. The observed share must be within 4 standard errors of it.
  for (const [every, rate, exact] of [[8, 0.1, 0.96145], [250, 0.1, 0.98875], [8, 0.02, 0.96956]] as const) {
    const rows = 5000;
    const truth = Math.ceil(rows / every);
    let covered = 0;
    const seeds = 1000;
    for (let seed = 0; seed < seeds; seed++) {
      const s = new RowSampler(rate, seed);
      let k = 0;
      for (let i = 0; i < rows; i++) if (s.keep() && i % every === 0) k++;
      const e = estimateFullCount(k, rate);
      if (e.low <= truth && truth <= e.high) covered++;
    }
    const coverage = covered / seeds;
    const se = Math.sqrt((exact * (1 - exact)) / seeds);
    assert.ok(Math.abs(coverage - exact) <= 4 * se, `true count ${truth}, rate ${rate}: coverage ${coverage}, exact ${exact}`);
  }
});

test("count on a sampled index prints estimates with intervals and says so; bad sample flags exit 2", () => {
  const idx = join(dir, "cli-sampled");
  const b = run("index", "build", tsv, "--out", idx, "--workers", "1", "--sample", "0.25", "--seed", "3");
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, /^indexed \d+ docs \(a 25% sample of 9000 rows, seed 3\)/);
  const r = run("count", "--index", idx, "--concepts", join(dir, "c.txt"));
  assert.equal(r.code, 2); // the concept file does not exist yet
  writeFileSync(join(dir, "c.txt"), "dog\ncat\nzebra\n");
  const j = run("count", "--index", idx, "--concepts", join(dir, "c.txt"));
  assert.equal(j.code, 0, j.stderr);
  assert.match(j.stderr, /is a 25% sample of 9000 rows \(seed 3\): counts are estimates of the full corpus's/);
  const out = JSON.parse(j.stdout);
  assert.deepEqual(Object.keys(out), ["dog", "cat", "zebra"]);
  const dogK = Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === 0 && sampleUniform(3, i) < 0.25).length;
  assert.deepEqual(out.dog, estimateFullCount(dogK, 0.25));
  assert.ok(out.dog.low <= 3000 && 3000 <= out.dog.high, JSON.stringify(out.dog));
  assert.deepEqual(out.zebra, { count: 0, low: 0, high: estimateFullCount(0, 0.25).high, sampled: 0, rate: 0.25 });
  const csv = run("count", "--index", idx, "--concepts", join(dir, "c.txt"), "--format", "csv");
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout.split("\n")[0], "concept,count,low,high,sampled,rate");
  assert.equal(csv.stdout.split("\n")[1], `dog,${out.dog.count},${out.dog.low},${out.dog.high},${dogK},0.25`);

  for (const [flags, message] of [
    [["--sample", "0"], /sample rate must be a number in \(0, 1\]/],
    [["--sample", "1.5"], /sample rate must be a number in \(0, 1\]/],
    [["--sample", "abc"], /expected a number/],
    [["--seed", "4"], /--seed is the seed of --sample/],
    [["--sample", "0.5", "--seed", "-1"], /non-negative integer/],
    [["--sample", "1e-9"], /^conceptfreq: the sample at rate 1e-9 \(seed 0\) of the 9,000 rows kept none: there is nothing to index/],
  ] as const) {
    const out2 = join(dir, "never");
    const e = run("index", "build", tsv, "--out", out2, ...flags);
    assert.equal(e.code, 2, `${flags.join(" ")}: ${e.stderr}`);
    assert.match(e.stderr, message);
    assert.doesNotMatch(e.stderr, /\n\s+at /);
    assert.equal(existsSync(out2), false);
  }
});
