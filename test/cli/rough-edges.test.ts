/** Small things a user meets: names, plurals, bare numbers, empty queries, printed floats. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregateScores, formatTailReport, planSeries, tailReport } from "../../src/index.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-edges-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("fit's default legend names the model from the pointer, not the raw pointer", () => {
  const name = (perf: string) => planSeries([{ kind: "freq", value: "c.json" }, { kind: "perf", value: perf }])[0]!.name;
  assert.equal(name("results.json#/backboneRN50_pretrainedcc3m/classwise"), "backboneRN50_pretrainedcc3m");
  assert.equal(name("out/results.json#/RN50~1cc3m/classwise"), "RN50/cc3m");
  assert.equal(name("runs/vit.csv"), "vit");
  assert.equal(name("scores.json#/score/mean"), "score");
  assert.equal(name("ret.json#/i2t/5/conceptwise"), "i2t/5"); // eval retrieve's recall level is not a name
  assert.equal(name("ret.json#/5/conceptwise"), "5");
});

test("tail text says '1 concept', not '1 concepts'", () => {
  const text = formatTailReport(tailReport([{ name: "tiny", freq: new Map([["dog", 5], ["cat", 1]]) }]));
  assert.doesNotMatch(text, /\b1 concepts\b/);
  assert.match(text, /\(1 concept\)/);
  assert.match(text, /2 concepts/);
});

test("eval aggregate prints the mean of 0.3 and 0.32 as 0.31", async () => {
  const r = await aggregateScores([
    JSON.stringify({ prompt: "a dog", concept: "dog", score: 0.3 }),
    JSON.stringify({ prompt: "a dog", concept: "dog", score: 0.32 }),
  ]);
  assert.equal(r.result.score!.mean.dog, 0.31);
});

test("longtail report takes a bare number as --baseline", () => {
  writeFileSync(join(dir, "wag.json"), JSON.stringify({ full: 21.4 }));
  const r = run("longtail", "report", "--results", "wag.json", "--baseline", "60", "--model", "RN50");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /RN50\s+21\.40\s+60\.00\s+38\.60/);
});

test("search with an empty concept, or one without a countable word, is a user error", () => {
  writeFileSync(join(dir, "c.tsv"), "caption\turl\na dog on a sofa\thttp://x/1\n");
  const b = run("index", "build", "c.tsv", "--out", "idx");
  assert.equal(b.code, 0, b.stderr);
  for (const q of ["", "   ", "123"]) {
    const r = run("search", "--index", "idx", q);
    assert.equal(r.code, 2, `${JSON.stringify(q)}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  assert.equal(run("search", "--index", "idx", "dog").code, 0);
});

test("tail --plot into a directory that does not exist is a user error, and nothing is made", () => {
  writeFileSync(join(dir, "counts.json"), JSON.stringify({ dog: 5, cat: 1 }));
  const r = run("tail", "--freq", "counts.json", "--plot", "no-such-dir/tail.svg");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /directory no-such-dir does not exist/);
  assert.equal(existsSync(join(dir, "no-such-dir")), false);
});

test("fit's series line says '1 concept', not '1 concepts'", () => {
  writeFileSync(join(dir, "f1.json"), JSON.stringify({ dog: 5 }));
  writeFileSync(join(dir, "r1.json"), JSON.stringify({ m: { classwise: { dog: 0.5 } } }));
  const r = run("fit", "--freq", "f1.json", "--perf", "r1.json#/m/classwise");
  assert.match(r.stdout, /^series "m": 1 concept from 1 pair$/m);
  assert.doesNotMatch(r.stdout, /\b1 concepts\b/);
});

test("image-index build --help does not make --dim look required for raw files", () => {
  const help = run("image-index", "build", "--help").stdout.replace(/\s+/g, " ");
  assert.match(help, /--dim <d> embedding dimension of raw \.f16\/\.f32 files \(default: read from the concept embeddings\)/);
  assert.match(help, /raw \.f16\/\.f32: row size from --dim or the concept embeddings/);
  assert.doesNotMatch(help, /with --dim\)/);
});
