import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { countConcepts } from "../../src/text-index/count.js";
import { conceptCooccurrence, conceptPairs, pointwiseMutualInformation, readConceptPairs } from "../../src/text-index/cooccur.js";
import * as conceptfreq from "conceptfreq";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cooccur-"));

// A planted corpus of 1,000 captions: what each row mentions is a rule of its number.
const N = 1000;
const has = {
  dog: (i: number) => i % 2 === 0,
  beach: (i: number) => i % 4 === 0,
  cat: (i: number) => i % 5 === 0,
  zebra: (i: number) => i === 3,
  "sea lion": (i: number) => i % 50 === 6,
  sealion: (i: number) => i % 50 === 8,
};
function caption(i: number): string {
  const things = (Object.keys(has) as (keyof typeof has)[]).filter((k) => has[k](i));
  return things.length ? `a photo of a ${things.join(" and a ")}` : `an empty road ${i}`;
}
const tsv = join(dir, "corpus.tsv");
writeFileSync(tsv, Array.from({ length: N }, (_, i) => `${caption(i)}\tu${i}`).join("\n") + "\n");
const idx = join(dir, "idx");
const ready = buildTextIndex([tsv], { out: idx, workers: 1 });

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const rows = (f: (i: number) => boolean) => Array.from({ length: N }, (_, i) => i).filter(f).length;

test("pair counts, expected counts and PMI match the planted corpus, computed by hand", async () => {
  await ready;
  const index = TextIndex.open(idx);
  try {
    const seaLion = (i: number) => has["sea lion"](i) || has.sealion(i);
    const pairs: [string, string][] = [
      ["dog", "beach"], // every beach is a dog row: both 250, PMI ln(250*1000/(500*250)) = ln 2
      ["dog", "cat"], // independent: both 100, PMI ln(100*1000/(500*200)) = 0
      ["zebra", "dog"], // never together: PMI -inf (null), NPMI -1
      ["sea lion|sealion", "dog"], // alternates: the same docs as count (rows 6, 8 mod 50, all even): 40
      ["unicorn", "cat"], // a concept with no docs
    ];
    const out = conceptCooccurrence(index, pairs);
    assert.deepEqual(
      out.map((p) => [p.a, p.b, p.both, p.countA, p.countB, p.docs]),
      [
        ["dog", "beach", 250, 500, 250, N],
        ["dog", "cat", 100, 500, 200, N],
        ["zebra", "dog", 0, 1, 500, N],
        ["sea lion|sealion", "dog", rows((i) => seaLion(i) && has.dog(i)), rows(seaLion), 500, N],
        ["unicorn", "cat", 0, 0, 200, N],
      ],
    );
    assert.equal(out[3]!.both, 40);
    assert.ok(Math.abs(out[0]!.pmi! - Math.log(2)) < 1e-12);
    assert.ok(Math.abs(out[0]!.npmi! - Math.log(2) / Math.log(4)) < 1e-12); // -ln p(ab) = ln(1000/250)
    assert.equal(out[0]!.expected, 125);
    assert.ok(Math.abs(out[1]!.pmi!) < 1e-12);
    assert.equal(out[1]!.expected, 100);
    assert.deepEqual([out[2]!.pmi, out[2]!.npmi, out[2]!.expected], [null, -1, 0.5]);
    // sea lion: 40 docs, all dogs: PMI ln(40*1000/(40*500)) = ln 2
    assert.ok(Math.abs(out[3]!.pmi! - Math.log(2)) < 1e-12);
    assert.deepEqual([out[4]!.pmi, out[4]!.npmi], [null, null]);
    // a concept's count is count's
    const counts = countConcepts(index, ["dog", "beach", "zebra", "sea lion|sealion", "unicorn"]);
    assert.deepEqual([out[0]!.countA, out[0]!.countB, out[2]!.countA, out[3]!.countA, out[4]!.countA], counts.map((c) => c.count));

    // --top: ranked by PMI among pairs seen together >= minCount times, ties in input order
    const top = conceptCooccurrence(index, pairs, { top: 2, minCount: 5 });
    assert.deepEqual(top.map((p) => [p.a, p.b]), [["dog", "beach"], ["sea lion|sealion", "dog"]]);
    const guarded = conceptCooccurrence(index, pairs, { top: 5, minCount: 41 });
    assert.deepEqual(guarded.map((p) => [p.a, p.b]), [["dog", "beach"], ["dog", "cat"]]);
  } finally {
    index.close();
  }
  assert.deepEqual(pointwiseMutualInformation(10, 10, 10, 10), { pmi: 0, npmi: 1 });
  // the library API exports them (and the sampling estimate)
  assert.deepEqual(conceptfreq.pointwiseMutualInformation(250, 500, 250, 1000), pointwiseMutualInformation(250, 500, 250, 1000));
  assert.equal(typeof conceptfreq.conceptCooccurrence, "function");
  assert.deepEqual(conceptfreq.estimateFullCount(5, 0.1), { count: 50, low: 18, high: 113, sampled: 5, rate: 0.1 });
  assert.deepEqual(conceptPairs(["a", "b", "c"]), [["a", "b"], ["a", "c"], ["b", "c"]]);
  assert.deepEqual(conceptPairs(["a", "b"], ["b", "c"]), [["a", "b"], ["a", "c"], ["b", "c"]]);
});

test("cooccur CLI: TSV, comma and JSON pair files give the same deterministic output", async () => {
  await ready;
  writeFileSync(join(dir, "p.tsv"), "# pairs\ndog\tbeach\n\nzebra\tdog\n");
  writeFileSync(join(dir, "p.txt"), "dog,beach\nzebra,dog\n");
  writeFileSync(join(dir, "p.json"), JSON.stringify([["dog", "beach"], { a: "zebra", b: "dog" }]));
  const outs = ["p.tsv", "p.txt", "p.json"].map((f) => run("cooccur", "--index", idx, "--pairs", join(dir, f)));
  for (const r of outs) assert.equal(r.code, 0, r.stderr);
  assert.equal(outs[0]!.stdout, outs[1]!.stdout);
  assert.equal(outs[0]!.stdout, outs[2]!.stdout);
  assert.equal(outs[0]!.stdout, run("cooccur", "--index", idx, "--pairs", join(dir, "p.tsv")).stdout);
  const json = JSON.parse(outs[0]!.stdout);
  assert.deepEqual(json[1], { a: "zebra", b: "dog", both: 0, countA: 1, countB: 500, docs: N, expected: 0.5, pmi: null, npmi: -1 });
  const tsvOut = run("cooccur", "--index", idx, "--pairs", join(dir, "p.tsv"), "--format", "tsv");
  assert.equal(tsvOut.stdout.split("\n")[0], "a\tb\tboth\tcountA\tcountB\tdocs\texpected\tpmi\tnpmi");
  assert.equal(tsvOut.stdout.split("\n")[2], `zebra\tdog\t0\t1\t500\t${N}\t0.5\t\t-1`);
  // all pairs of a list, and a list against another
  writeFileSync(join(dir, "c.txt"), "dog\nbeach\ncat\n");
  writeFileSync(join(dir, "w.txt"), "cat\n");
  const all = JSON.parse(run("cooccur", "--index", idx, "--concepts", join(dir, "c.txt"), "--all-pairs").stdout);
  assert.deepEqual(all.map((p: { a: string; b: string; both: number }) => [p.a, p.b, p.both]), [["dog", "beach", 250], ["dog", "cat", 100], ["beach", "cat", 50]]);
  const withB = JSON.parse(run("cooccur", "--index", idx, "--concepts", join(dir, "c.txt"), "--with", join(dir, "w.txt")).stdout);
  assert.deepEqual(withB.map((p: { a: string; b: string }) => [p.a, p.b]), [["dog", "cat"], ["beach", "cat"]]);
  assert.deepEqual(readConceptPairs(join(dir, "p.txt")), [["dog", "beach"], ["zebra", "dog"]]);
});

test("cooccur CLI: bad input is one sentence and exit 2", async () => {
  await ready;
  writeFileSync(join(dir, "bad.tsv"), "dog\tbeach\ndog\n");
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ a: "dog" }));
  writeFileSync(join(dir, "bad2.json"), JSON.stringify([["dog", 3]]));
  writeFileSync(join(dir, "empty.tsv"), "# nothing\n");
  writeFileSync(join(dir, "c.txt"), "dog\nbeach\ncat\n");
  const outFile = join(dir, "never.json");
  for (const [args, message] of [
    [["--pairs", join(dir, "bad.tsv")], /line 2 is not a pair/],
    [["--pairs", join(dir, "bad.json")], /must hold a JSON array/],
    [["--pairs", join(dir, "bad2.json")], /item 0 is not a pair of two concept names/],
    [["--pairs", join(dir, "empty.tsv")], /holds no pairs/],
    [["--pairs", join(dir, "missing.tsv")], /cannot read pairs file/],
    [[], /needs either --pairs FILE or --concepts FILE/],
    [["--pairs", join(dir, "bad.tsv"), "--concepts", join(dir, "c.txt")], /needs either --pairs FILE or --concepts FILE \(not both\)/],
    [["--concepts", join(dir, "c.txt"), "--max-concepts", "2"], /lists 3 concepts, more than --max-concepts 2/],
    [["--concepts", join(dir, "c.txt"), "--with", join(dir, "c.txt"), "--all-pairs"], /--all-pairs and --with/],
    [["--concepts", join(dir, "c.txt"), "--format", "xml"], /expected json, csv or tsv/],
    [["--concepts", join(dir, "c.txt"), "--top", "0"], /expected a positive integer/],
  ] as const) {
    const r = run("cooccur", "--index", idx, ...args, "--out", outFile);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(existsSync(outFile), false);
  }
  const r = run("cooccur", "--index", join(dir, "no-index"), "--concepts", join(dir, "c.txt"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not a conceptfreq index/);
});

test("cooccur on worker threads: 9,000 pairs dealt out to two threads gives the single-threaded output, for the library and the CLI", async () => {
  await ready;
  const names = ["dog", "beach", "cat", "zebra", "sea lion", "sealion", "road", "unicorn"];
  // 9,000 pairs (two slices of at least MIN_PAIRS), every combination many times over, in a fixed shuffled order
  const pairs: [string, string][] = [];
  for (let k = 0; pairs.length < 9000; k++) pairs.push([names[Math.floor(k / 2) % names.length]!, names[(k * 3 + 1) % names.length]!]);
  assert.equal(conceptfreq.cooccurrenceWorkers(pairs.length, 2), 2);
  const index = TextIndex.open(idx);
  let single;
  try {
    single = conceptCooccurrence(index, pairs);
    assert.deepEqual(conceptCooccurrence(index, pairs, { top: 5, minCount: 10 }), await conceptfreq.cooccurrenceInParallel(idx, pairs, { workers: 2, top: 5, minCount: 10 }));
  } finally {
    index.close();
  }
  assert.deepEqual(await conceptfreq.cooccurrenceInParallel(idx, pairs, { workers: 2 }), single);
  assert.deepEqual(await conceptfreq.cooccurrenceInParallel(idx, pairs, { workers: 1 }), single);
  // a pair the second thread counts: beach (250) and cat (200) meet in 50 captions
  const i = pairs.findIndex(([a, b], j) => j % 2 === 1 && a === "beach" && b === "cat");
  assert.deepEqual([single[i]!.both, single[i]!.countA, single[i]!.countB], [50, 250, 200]);
  writeFileSync(join(dir, "many.tsv"), pairs.map(([a, b]) => `${a}\t${b}`).join("\n") + "\n");
  const one = run("cooccur", "--index", idx, "--pairs", join(dir, "many.tsv"), "--workers", "1", "--format", "csv");
  const two = run("cooccur", "--index", idx, "--pairs", join(dir, "many.tsv"), "--workers", "2", "--format", "csv");
  assert.equal(one.code, 0, one.stderr);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(two.stdout, one.stdout);
  assert.equal(one.stdout.split("\n").length, 9002); // header, 9,000 pairs, final newline
  await assert.rejects(conceptfreq.cooccurrenceInParallel(join(dir, "nope"), pairs, { workers: 2 }), conceptfreq.UserError);
  assert.match(run("cooccur", "--index", idx, "--pairs", join(dir, "many.tsv"), "--workers", "0").stderr, /--workers/);
});
