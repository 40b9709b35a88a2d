import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importImageTags } from "../../src/image/tag-import.js";
import { ImageIndex } from "../../src/image/image-index.js";
import { writeNpy } from "../../src/matrix/npy.js";
import { float32ToFloat16 } from "../../src/matrix/float16.js";
import { UserError } from "../../src/errors.js";
import { rng } from "./planted.js";

const dir = mkdtempSync(join(tmpdir(), "cf-image-import-"));
const VOCAB = ["dog", "cat", "sea lion", "tree", "car"];
const vocabTxt = join(dir, "vocab.txt");
writeFileSync(vocabTxt, VOCAB.join("\n") + "\n");

/** Planted probabilities: N × C, values on a 1/64 grid (exact in float16 and float32), never within 1/128 of 0.5. */
function planted(n: number, seed = 3): number[][] {
  const r = rng(seed);
  return Array.from({ length: n }, () => VOCAB.map(() => Math.round(r() * 64) / 64).map((x) => (Math.abs(x - 0.5) < 1e-9 ? 0.625 : x)));
}

function want(probs: number[][], t: number, topK?: number): Record<string, number[]> {
  const out: Record<string, number[]> = Object.fromEntries(VOCAB.map((c) => [c, [] as number[]]));
  probs.forEach((row, doc) => {
    let tags = row.map((p, c) => ({ p, c })).filter((x) => x.p >= t);
    tags.sort((a, b) => b.p - a.p || a.c - b.c);
    if (topK !== undefined) tags = tags.slice(0, topK);
    for (const { c } of tags) out[VOCAB[c]!]!.push(doc);
  });
  for (const c of VOCAB) out[c]!.sort((a, b) => a - b);
  return out;
}

function postings(dirPath: string): Record<string, number[]> {
  const idx = ImageIndex.open(dirPath);
  const out = Object.fromEntries(idx.concepts.map((c) => [c, [...idx.images(c)]]));
  idx.close();
  return out;
}

const N = 50;
const probs = planted(N);

test("JSONL rows: probability >= threshold tags; unordered rows; vocabulary from the concept list", async () => {
  const path = join(dir, "tags.jsonl");
  const order = Array.from({ length: N }, (_, i) => (i * 17) % N); // shuffled
  const lines = order.map((row) => JSON.stringify({ row, tags: Object.fromEntries(VOCAB.map((c, j) => [c, probs[row]![j]!])) }));
  lines.splice(3, 0, ""); // blank lines are skipped
  writeFileSync(path, lines.join("\n") + "\n");
  const out = join(dir, "jsonl.idx");
  const r = await importImageTags({ tags: [path], threshold: 0.5, out, concepts: vocabTxt });
  assert.deepEqual(postings(out), want(probs, 0.5));
  assert.equal(r.manifests[0]!.docCount, N);
  assert.equal(r.manifests[0]!.source, "tags");
  assert.deepEqual(r.manifests[0]!.concepts, VOCAB);
});

test("JSONL: tags outside the list are ignored and reported; without a list the vocabulary is every name seen, sorted", async () => {
  const path = join(dir, "ram.jsonl");
  writeFileSync(
    path,
    [
      { row: 0, tags: { dog: 0.9, unicorn: 0.95, cat: 0.1 } },
      { row: 2, tags: ["cat", "unicorn"] },
      { row: 1, tags: { dog: 0.7, cat: 0.7, tree: 0.71 } },
    ]
      .map((o) => JSON.stringify(o))
      .join("\n"),
  );
  const r = await importImageTags({ tags: [path], threshold: 0.7, topK: 2, out: join(dir, "ram.idx"), concepts: vocabTxt, docs: 4 });
  assert.deepEqual([...r.unknownTags], [["unicorn", 2]]);
  const p = postings(join(dir, "ram.idx"));
  // row 1: tree 0.71, then dog and cat tie at 0.7 -> the lower list index (dog) wins the second place
  assert.deepEqual(p, { dog: [0, 1], cat: [2], "sea lion": [], tree: [1], car: [] });
  assert.equal(r.manifests[0]!.docCount, 4);
  const r2 = await importImageTags({ tags: [path], threshold: 0.7, out: join(dir, "ram2.idx") });
  assert.deepEqual(r2.manifests[0]!.concepts, ["cat", "dog", "tree", "unicorn"]);
  assert.deepEqual(postings(join(dir, "ram2.idx")), { cat: [1, 2], dog: [0, 1], tree: [1], unicorn: [0, 2] });
});

test("JSONL keys with --keys; the threshold sweep", async () => {
  const keys = Array.from({ length: N }, (_, i) => `sample-${i}`);
  const keysTxt = join(dir, "keys.txt");
  writeFileSync(keysTxt, keys.join("\n") + "\n");
  const path = join(dir, "keyed.jsonl");
  writeFileSync(
    path,
    keys
      .map((k, row) => ({ k, row }))
      .reverse()
      .map(({ k, row }) => JSON.stringify({ key: k, tags: Object.fromEntries(VOCAB.map((c, j) => [c, probs[row]![j]!])) }))
      .join("\n") + "\n",
  );
  const out = join(dir, "keyed.idx");
  await importImageTags({ tags: [path], threshold: "0.25,0.75", out, concepts: vocabTxt, docKeys: [keysTxt] });
  assert.deepEqual(postings(join(out, "t=0.25")), want(probs, 0.25));
  assert.deepEqual(postings(join(out, "t=0.75")), want(probs, 0.75));
});

test("probability matrix (.npy float32 and float16, two shards) with its concept list", async () => {
  const flat = Float32Array.from(probs.flat());
  const a = join(dir, "p0.npy");
  const b = join(dir, "p1.npy");
  writeNpy(a, flat.subarray(0, 20 * VOCAB.length), [20, VOCAB.length]);
  writeNpy(b, float32ToFloat16(flat.subarray(20 * VOCAB.length)), [N - 20, VOCAB.length], "float16");
  const out = join(dir, "matrix.idx");
  const r = await importImageTags({ tags: [a, b], threshold: 0.5, topK: 2, out, concepts: vocabTxt });
  assert.deepEqual(postings(out), want(probs, 0.5, 2));
  assert.deepEqual(r.manifests[0]!.inputs, [{ path: a, rows: 20, firstDoc: 0 }, { path: b, rows: N - 20, firstDoc: 20 }]);
});

test("a matrix threshold is compared in the matrix's precision, as NumPy does", async () => {
  const path = join(dir, "precise.npy");
  writeNpy(path, Float32Array.from([0.7, 0.1, 0.2, 0.3, 0.4]), [1, 5]);
  await importImageTags({ tags: [path], threshold: 0.7, out: join(dir, "precise.idx"), concepts: vocabTxt });
  assert.deepEqual(postings(join(dir, "precise.idx")).dog, [0]); // float32(0.7) >= float32(0.7)
});

test("errors: bad lines, repeated rows, rows beyond the docs, column mismatch, missing list", async () => {
  const bad = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const npy = join(dir, "four.npy");
  writeNpy(npy, new Float32Array(8), [2, 4]);
  const cases: [Parameters<typeof importImageTags>[0], RegExp][] = [
    [{ tags: [bad("b1.jsonl", '{"row": 0, "tags": {"dog": 1}}\n{oops\n')], threshold: 0.5, out: join(dir, "x1") }, /b1\.jsonl line 2 is not valid JSON/],
    [{ tags: [bad("b2.jsonl", '{"row": 0, "tags": {}}\n{"row": 0, "tags": {}}\n')], threshold: 0.5, out: join(dir, "x2") }, /line 2 repeats row 0/],
    [{ tags: [bad("b3.jsonl", '{"row": 5, "tags": {}}\n')], threshold: 0.5, out: join(dir, "x3") }, /names row 5 but there are 1 docs .*--docs or --index/],
    [{ tags: [bad("b4.jsonl", '{"key": "a", "tags": {}}\n')], threshold: 0.5, out: join(dir, "x4") }, /pass the doc keys \(--keys\)/],
    [{ tags: [bad("b5.jsonl", '{"row": 0, "tags": {"dog": "high"}}\n')], threshold: 0.5, out: join(dir, "x5") }, /probability of "dog" is not a finite number/],
    [{ tags: [npy], threshold: 0.5, out: join(dir, "x6"), concepts: vocabTxt }, /has 4 columns but the concept list .* has 5 concepts/],
    [{ tags: [npy], threshold: 0.5, out: join(dir, "x7") }, /needs its column names/],
    [{ tags: [bad("b6.jsonl", '{"row": 0, "tags": {"dog": 1}}\n')], threshold: 1.5, out: join(dir, "x8") }, /--threshold 1\.5 is outside 0\.\.1: .* tag nothing/],
  ];
  for (const [opts, re] of cases) {
    await assert.rejects(importImageTags(opts), (e: unknown) => e instanceof UserError && re.test(e.message), String(re));
    assert.equal(existsSync(opts.out), false);
  }
});

test("same input, same bytes", async () => {
  const path = join(dir, "tags.jsonl");
  await importImageTags({ tags: [path], threshold: 0.5, out: join(dir, "again.idx"), concepts: vocabTxt });
  assert.ok(readFileSync(join(dir, "again.idx", "tags.postings")).equals(readFileSync(join(dir, "jsonl.idx", "tags.postings"))));
});
