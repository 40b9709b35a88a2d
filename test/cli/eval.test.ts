import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { float32ToFloat16 } from "../../src/matrix/float16.js";
import { writeNpy } from "../../src/matrix/npy.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-eval-"));
const p = (name: string) => join(dir, name);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function failsCleanly(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

// Classification fixture: cat (1,0), dog (0,1), bird (-1,0); two templates per class.
writeFileSync(p("classes.txt"), "cat\ndog\nbird\n");
writeNpy(p("w.npy"), new Float32Array([1, 0, 2, 0, 0, 1, 0, 3, -1, 0, -1, 0]), [6, 2]);
writeNpy(p("img.npy"), float32ToFloat16([2, 1, 1, 3, -1, 0.1, 1, 1, 0, 0]), [5, 2], "float16");
writeFileSync(p("labels.txt"), "cat\ndog\ncat\ndog\nbird\n");

test("eval classify writes the paper's result shape; the summary goes to stderr", () => {
  const r = run("eval", "classify", "--image-embeddings", p("img.npy"), "--labels", p("labels.txt"), "--class-embeddings", p("w.npy"), "--classes", p("classes.txt"), "--templates", "2", "--out", p("cls.json"));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.deepEqual(JSON.parse(readFileSync(p("cls.json"), "utf8")), { full: 40, top5: 100, classwise: { cat: 50, dog: 50, bird: 0 } });
  assert.match(r.stderr, /^classify: 5 images, 3 classes × 2 template\(s\), dimension 2: top-1 40%, top-5 100%/);
  const s = run("eval", "classify", "--image-embeddings", p("img.npy"), "--labels", p("labels.txt"), "--class-embeddings", p("w.npy"), "--classes", p("classes.txt"));
  assert.equal(s.code, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).full, 40); // templates inferred: 6 rows / 3 classes
});

test("eval classify: bad input exits 2 with one line and leaves no output file", () => {
  writeNpy(p("img3.npy"), new Float32Array(15), [5, 3]);
  const base = ["eval", "classify", "--labels", p("labels.txt"), "--class-embeddings", p("w.npy"), "--classes", p("classes.txt")];
  failsCleanly(run(...base, "--image-embeddings", p("img3.npy"), "--out", p("no1.json")), /dimension 3 but the class embeddings have dimension 2/);
  assert.equal(existsSync(p("no1.json")), false);
  writeFileSync(p("labels4.txt"), "0\n1\n2\n0\n");
  failsCleanly(run("eval", "classify", "--image-embeddings", p("img.npy"), "--labels", p("labels4.txt"), "--class-embeddings", p("w.npy"), "--classes", p("classes.txt"), "--out", p("no2.json")), /5 image embeddings but 4 labels/);
  assert.equal(existsSync(p("no2.json")), false);
  failsCleanly(run(...base, "--image-embeddings", p("img.npy"), "--templates", "4"), /3 classes × 4 templates need 12/);
  failsCleanly(run(...base, "--image-embeddings", p("missing.npy")), /does not exist/);
  writeFileSync(p("junk.npy"), "junk");
  failsCleanly(run(...base, "--image-embeddings", p("junk.npy")), /not a NumPy \.npy file/);
  const usage = run("eval", "classify", "--labels", p("labels.txt"));
  assert.equal(usage.code, 2);
  const badInt = run(...base, "--image-embeddings", p("img.npy"), "--templates", "zero");
  assert.equal(badInt.code, 2);
});

test("prompts writes class-major prompts for each set", () => {
  const r = run("prompts", "--classes", p("classes.txt"), "--set", "simple");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "a photo of a cat.\na photo of a dog.\na photo of a bird.\n");
  const e = run("prompts", "--classes", p("classes.txt"), "--set", "ensemble", "--out", p("prompts.txt"));
  assert.equal(e.code, 0, e.stderr);
  const lines = readFileSync(p("prompts.txt"), "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 240);
  assert.equal(lines[80], "a bad photo of a dog.");
  assert.match(e.stderr, /3 classes × 80 template\(s\) = 240 prompts \(--templates 80\)/);
  assert.equal(run("prompts", "--classes", p("classes.txt"), "--set", "fancy").code, 2);
  failsCleanly(run("prompts", "--classes", p("nope.txt")), /does not exist/);
});

test("eval retrieve: recall in both directions, conceptwise from captions, clear count errors", () => {
  writeNpy(p("ri.npy"), new Float32Array([1, 0, 0, 1, -1, 0]), [3, 2]);
  writeNpy(p("rt.npy"), new Float32Array([1, 0.1, 0, -1, 1, 0, 0.2, 1, 0, 1, -1, -1]), [6, 2]);
  writeFileSync(p("caps.tsv"), ["a dog on the grass", "dog", "a cat on the grass", "cat", "a cat and a dog", "dog"].join("\n") + "\n");
  const r = run("eval", "retrieve", "--image-embeddings", p("ri.npy"), "--text-embeddings", p("rt.npy"), "--captions-per-image", "2", "--captions", p("caps.tsv"), "--min-images", "2", "--recall", "1,5");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    i2t: { "1": { full: 33.33, conceptwise: { cat: 50, dog: 50, grass: 0 } }, "5": { full: 100, conceptwise: { cat: 100, dog: 100, grass: 100 } } },
    t2i: { "1": { full: 66.67, conceptwise: { cat: 50, dog: 75, grass: 75 } }, "5": { full: 100, conceptwise: { cat: 100, dog: 100, grass: 100 } } },
  });
  assert.match(r.stderr, /^retrieve: 3 images, 6 captions, dimension 2: i2t R@1 33\.33%, t2i R@1 66\.67%, 3 concepts in >= 2 images/);
  const plain = run("eval", "retrieve", "--image-embeddings", p("ri.npy"), "--text-embeddings", p("rt.npy"), "--captions-per-image", "2");
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(Object.keys(JSON.parse(plain.stdout).i2t), ["1", "5", "10"]);
  assert.equal(JSON.parse(plain.stdout).i2t["1"].conceptwise, undefined);
  failsCleanly(run("eval", "retrieve", "--image-embeddings", p("ri.npy"), "--text-embeddings", p("rt.npy"), "--captions-per-image", "5", "--out", p("no3.json")), /6 text embeddings, but 3 images × 5 captions per image need 15/);
  assert.equal(existsSync(p("no3.json")), false);
  writeFileSync(p("caps5.tsv"), "a\nb\nc\nd\ne\n");
  failsCleanly(run("eval", "retrieve", "--image-embeddings", p("ri.npy"), "--text-embeddings", p("rt.npy"), "--captions-per-image", "2", "--captions", p("caps5.tsv")), /has 5 captions but there are 6 text embeddings/);
  assert.equal(run("eval", "retrieve", "--image-embeddings", p("ri.npy"), "--text-embeddings", p("rt.npy"), "--captions-per-image", "2", "--recall", "1,x").code, 2);
  writeFileSync(p("caps.lines"), readFileSync(p("caps.tsv")));
  failsCleanly(run("eval", "retrieve", "--image-embeddings", p("ri.npy"), "--text-embeddings", p("rt.npy"), "--captions-per-image", "2", "--captions", p("caps.lines")), /pass --captions-format/);
  const fmt = run("eval", "retrieve", "--image-embeddings", p("ri.npy"), "--text-embeddings", p("rt.npy"), "--captions-per-image", "2", "--captions", p("caps.lines"), "--captions-format", "tsv", "--min-images", "2", "--recall", "1");
  assert.equal(fmt.code, 0, fmt.stderr);
  assert.deepEqual(JSON.parse(fmt.stdout).t2i["1"].conceptwise, { cat: 50, dog: 75, grass: 75 });
});

test("eval aggregate: per-concept mean and max; malformed lines reported, or an error with --strict", () => {
  writeFileSync(
    p("scores.jsonl"),
    [
      JSON.stringify({ prompt: "a dog", concept: "dog", score: 0.2, aesthetic: 5 }),
      JSON.stringify({ prompt: "a dog", concept: "dog", score: 0.4, aesthetic: 6 }),
      "oops",
      JSON.stringify({ prompt: "a cat", concept: "cat", score: 0.3, aesthetic: 4 }),
    ].join("\n") + "\n",
  );
  const r = run("eval", "aggregate", "--scores", p("scores.jsonl"), "--out", p("agg.json"));
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(readFileSync(p("agg.json"), "utf8"));
  assert.deepEqual(Object.keys(out), ["score", "aesthetic"]);
  assert.ok(Math.abs(out.score.mean.dog - 0.3) < 1e-12);
  assert.equal(out.score.max.dog, 0.4);
  assert.deepEqual(out.aesthetic, { mean: { dog: 5.5, cat: 4 }, max: { dog: 6, cat: 4 } });
  assert.match(r.stderr, /1 malformed line\(s\) skipped \(bad_json: 1; first at line 3\)/);
  failsCleanly(run("eval", "aggregate", "--scores", p("scores.jsonl"), "--strict", "--out", p("no4.json")), /line 3 is malformed: it is not valid JSON/);
  assert.equal(existsSync(p("no4.json")), false);
  failsCleanly(run("eval", "aggregate", "--scores", p("none.jsonl")), /does not exist/);
});
