import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeNpy } from "../../src/matrix/npy.js";
import { deserializePortable } from "../../src/postings/posting-file.js";
import { CONCEPTS, D, assertMargins, expected, expectedTags, plant, writeCaptions, writeConceptList } from "../image/planted.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-image-"));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const N = 120;
const SPLIT = 50;
const T = 0.3;
const p = plant(N, 21);
assertMargins(p, [T, 0.5]);
const concepts = writeConceptList(dir);
const cNpy = join(dir, "concepts.npy");
writeNpy(cNpy, p.concepts, [CONCEPTS.length, D]);
const e0 = join(dir, "img_emb_0.npy");
const e1 = join(dir, "img_emb_1.npy");
writeNpy(e0, p.images.slice(0, SPLIT * D), [SPLIT, D]);
writeNpy(e1, p.images.slice(SPLIT * D), [N - SPLIT, D]);
const c0 = join(dir, "cap_0.tsv");
const c1 = join(dir, "cap_1.tsv");
writeCaptions(c0, p, 0, SPLIT);
writeCaptions(c1, p, SPLIT, N);
const textIdx = join(dir, "text.idx");
const imgIdx = join(dir, "img.idx");
const want = expected(p, expectedTags(p, T));

test("index build, then image-index build prints a summary and writes the index", () => {
  const t = run("index", "build", c0, c1, "--out", textIdx, "--workers", "1");
  assert.equal(t.code, 0, t.stderr);
  const r = run(
    "image-index", "build", "--embeddings", e0, e1, "--concept-embeddings", cNpy, "--concepts", concepts,
    "--threshold", String(T), "--out", imgIdx, "--counts-out", join(dir, "tag-counts.csv"),
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^tagged ${N} images against ${CONCEPTS.length} concepts \\(onnxruntime\\) in `));
  assert.match(r.stderr, /\nthreshold 0\.3: \d+ of 120 images tagged, [\d.]+ tags per image \(\d+ tags\); most tagged: \w+ \d+/);
  assert.equal(r.stdout, "");
  const csv = readFileSync(join(dir, "tag-counts.csv"), "utf8");
  assert.equal(csv, ["concept,t=0.3", ...CONCEPTS.map((c) => `${c},${want.image[c]}`)].join("\n") + "\n");
  const m = JSON.parse(readFileSync(join(imgIdx, "manifest.json"), "utf8"));
  assert.equal(m.format, "conceptfreq-image-index");
  assert.equal(m.docCount, N);
});

test("count --mode text|image|integrated gives the planted counts; CSV; --ids-out for every mode", () => {
  for (const mode of ["text", "image", "integrated"] as const) {
    const ids = join(dir, `ids-${mode}`);
    const r = run("count", "--index", textIdx, "--image-index", imgIdx, "--mode", mode, "--concepts", concepts, "--ids-out", ids);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), want[mode], mode);
    assert.deepEqual(Object.keys(JSON.parse(r.stdout)), CONCEPTS, "list order");
    const index = JSON.parse(readFileSync(join(ids, "index.json"), "utf8"));
    const dogIds = deserializePortable(readFileSync(join(ids, index.files.dog)));
    assert.equal(dogIds.size, want[mode].dog);
  }
  const csv = run("count", "--image-index", imgIdx, "--mode", "image", "--concepts", concepts, "--format", "csv");
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout, "concept,count\n" + CONCEPTS.map((c) => `${c},${want.image[c]}`).join("\n") + "\n");
  // The text-only command is unchanged.
  const plain = run("count", "--index", textIdx, "--concepts", concepts);
  assert.deepEqual(JSON.parse(plain.stdout), want.text);
});

test("--allow-missing counts an unknown concept 0 with a note", () => {
  const list = join(dir, "more.txt");
  writeFileSync(list, "dog\nunicorn\n");
  const bad = run("count", "--index", textIdx, "--image-index", imgIdx, "--mode", "integrated", "--concepts", list);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^conceptfreq: 1 concept\(s\) are not in the image index .*"unicorn".*--allow-missing/);
  const ok = run("count", "--index", textIdx, "--image-index", imgIdx, "--mode", "integrated", "--concepts", list, "--allow-missing");
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { dog: want.integrated.dog, unicorn: 0 });
  assert.match(ok.stderr, /note: 1 concept\(s\) not in the image index counted 0/);
});

test("a threshold sweep builds one index per threshold", () => {
  const out = join(dir, "sweep");
  const r = run("image-index", "build", "--embeddings", e0, e1, "--concept-embeddings", cNpy, "--concepts", concepts, "--threshold", "0.3,0.5", "--out", out);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out).sort(), ["sweep.json", "t=0.3", "t=0.5"]);
  const c = run("count", "--index", textIdx, "--image-index", join(out, "t=0.5"), "--mode", "image", "--concepts", concepts);
  assert.deepEqual(JSON.parse(c.stdout), expected(p, expectedTags(p, 0.5)).image);
});

test("image-index import reads RAM++-style JSONL", () => {
  const jsonl = join(dir, "ram.jsonl");
  const tags = expectedTags(p, T);
  writeFileSync(jsonl, tags.map((t, row) => JSON.stringify({ row, tags: Object.fromEntries(t.map((c) => [CONCEPTS[c]!, 0.8])) })).join("\n") + "\n");
  const out = join(dir, "imported");
  const r = run("image-index", "import", "--tags", jsonl, "--threshold", "0.7", "--concepts", concepts, "--index", textIdx, "--out", out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^imported tags of 120 docs, 12 concepts/);
  assert.ok(readFileSync(join(out, "tags.postings")).equals(readFileSync(join(imgIdx, "tags.postings"))));
});

test("errors: one sentence, exit 2, no stack trace, nothing left behind", () => {
  const short = join(dir, "short.idx");
  assert.equal(run("image-index", "build", "--embeddings", e0, "--concept-embeddings", cNpy, "--concepts", concepts, "--threshold", "0.3", "--out", short).code, 0);
  const badJson = join(dir, "bad.jsonl");
  writeFileSync(badJson, '{"row": 0, "tags": {"dog": 0.9}}\nnot json\n');
  const cases: [string[], RegExp, string?][] = [
    [["count", "--index", textIdx, "--image-index", short, "--mode", "integrated", "--concepts", concepts], /has 120 docs but the image index .* has 50/],
    [["count", "--index", textIdx, "--mode", "image", "--concepts", concepts], /needs the image index \(--image-index\)/],
    [["count", "--image-index", imgIdx, "--mode", "integrated", "--concepts", concepts], /needs the text index \(--index\)/],
    [["count", "--index", textIdx, "--image-index", imgIdx, "--mode", "both", "--concepts", concepts], /expected text, image or integrated/],
    [["count", "--index", textIdx, "--image-index", textIdx, "--mode", "image", "--concepts", concepts], /is not a conceptfreq image index|not an image index/],
    [["image-index", "build", "--embeddings", e0, "--concept-embeddings", cNpy, "--concepts", concepts, "--threshold", "high", "--out", join(dir, "x1")], /not a number/, "x1"],
    [["image-index", "build", "--embeddings", join(dir, "x.f32"), "--concept-embeddings", cNpy, "--concepts", concepts, "--threshold", "0.3", "--out", join(dir, "x2")], /does not exist/, "x2"],
    [["image-index", "build", "--embeddings", e0, "--concept-embeddings", cNpy, "--concepts", concepts, "--threshold", "0.3", "--out", imgIdx], /already exists/],
    [["image-index", "import", "--tags", badJson, "--threshold", "0.5", "--out", join(dir, "x3")], /bad\.jsonl line 2 is not valid JSON/, "x3"],
  ];
  for (const [args, re, out] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    if (out) assert.equal(existsSync(join(dir, out)), false);
  }
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes(".tmp-")), []);
});
