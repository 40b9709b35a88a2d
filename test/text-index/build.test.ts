import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { mergeTextIndexes } from "../../src/text-index/merge.js";
import { TextIndex, verifyTextIndex } from "../../src/text-index/text-index.js";
import { countConcepts } from "../../src/text-index/count.js";
import { fileChecksums, readTextManifest, type TextIndexManifest } from "../../src/text-index/manifest.js";
import { writeFormat4Store } from "./format4.js";

const dir = mkdtempSync(join(tmpdir(), "cf-build-"));

// A planted corpus: caption i mentions animals chosen by i, so every count is known.
const ANIMALS = ["dog", "cat", "horse", "goose", "zebra"];
function caption(i: number): string {
  const parts = ANIMALS.filter((_, k) => i % (k + 2) === 0);
  const text = parts.length ? `a photo of a ${parts.join(" and a ")} in the park` : `an empty road at night`;
  // some captions outside ASCII and the Basic Multilingual Plane (captions travel to workers joined, by length)
  return i % 97 === 0 ? `${text} near the caf\u00e9 in \u6771\u4eac \u{1F600}` : text;
}
// enough rows for several batches per worker, so each worker's docs interleave with the others'
const N = 9000;
const lines = Array.from({ length: N }, (_, i) => `${caption(i)}\thttp://x.invalid/${i}.jpg`);
const tsv = join(dir, "corpus.tsv");
writeFileSync(tsv, lines.join("\n") + "\n");

test("doc ids and postings do not depend on the worker count or on spilling", async () => {
  const a = join(dir, "w1");
  const b = join(dir, "w2");
  const c = join(dir, "w3");
  await buildTextIndex([tsv], { out: a, workers: 1 });
  // spilling often, and forgetting all the analyzer learnt after every spill
  await buildTextIndex([tsv], { out: b, workers: 2, spillPostings: 1000, analyzerMemoryLimit: 0 });
  await buildTextIndex([tsv], { out: c, workers: 3 });
  // every file, the phrase-token dictionary and positions included (their ids are given in doc order)
  for (const f of ["nouns.postings", "terms.postings", "captions.blocks", "captions.offsets", "phrase-tokens.txt", "positions.bin", "positions.offsets"]) {
    assert.deepEqual(readFileSync(join(a, f)), readFileSync(join(b, f)), f);
    assert.deepEqual(readFileSync(join(a, f)), readFileSync(join(c, f)), f);
  }
  const index = TextIndex.open(b);
  assert.equal(index.docCount, N);
  const counts = countConcepts(index, ANIMALS);
  ANIMALS.forEach((animal, k) => {
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i % (k + 2) === 0).length;
    assert.equal(counts[k]!.count, expected, animal);
  });
  assert.equal(index.captions.caption(6), caption(6));
  assert.equal(index.captions.caption(97 * 3), caption(97 * 3));
  index.close();
  // nothing temporary is left beside the output
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes(".tmp-")), []);
});

test("malformed rows keep their doc id, index nothing and are counted by kind", async () => {
  const p = join(dir, "bad.tsv");
  writeFileSync(p, ["a dog in the snow\tu0", "\tu1", "a cat on a sofa\tu2", "x".repeat(50) + " cat\tu3"].join("\n") + "\n");
  const out = join(dir, "bad");
  const m = await buildTextIndex([p], { out, workers: 1, maxCaptionLength: 40 });
  assert.equal(m.docCount, 4);
  assert.deepEqual(m.skipped, { empty_caption: 1, caption_too_long: 1 });
  assert.deepEqual(m.inputs[0]!.skipped, { empty_caption: 1, caption_too_long: 1 });
  const index = TextIndex.open(out);
  const [cat] = countConcepts(index, ["cat"], { keepIds: true });
  assert.deepEqual([...cat!.ids!], [2]); // row 3 of the file is doc 2: the empty row kept id 1
  index.close();
});

test("several inputs continue the doc ids; merge equals one build over both", async () => {
  const p1 = join(dir, "p1.tsv");
  const p2 = join(dir, "p2.tsv");
  writeFileSync(p1, lines.slice(0, 1000).join("\n") + "\n");
  writeFileSync(p2, lines.slice(1000).join("\n") + "\n");
  const both = join(dir, "both");
  const m = await buildTextIndex([p1, p2], { out: both, workers: 2 });
  assert.deepEqual(m.inputs.map((i) => [i.rows, i.firstDoc]), [[1000, 0], [N - 1000, 1000]]);
  await buildTextIndex([p1], { out: join(dir, "i1"), workers: 1 });
  await buildTextIndex([p2], { out: join(dir, "i2"), workers: 1 });
  mergeTextIndexes([join(dir, "i1"), join(dir, "i2")], { out: join(dir, "merged") });
  // every file, the phrase-token dictionary and positions included (their ids are given in doc order)
  for (const f of ["nouns.postings", "terms.postings", "captions.blocks", "captions.offsets", "phrase-tokens.txt", "positions.bin", "positions.offsets"]) {
    assert.deepEqual(readFileSync(join(both, f)), readFileSync(join(dir, "merged", f)), f);
  }
  const merged = TextIndex.open(join(dir, "merged"));
  assert.equal(merged.docCount, N);
  assert.equal(merged.captions.caption(2500), caption(2500));
  merged.close();
});

test("an index of format 4 (captions DEFLATE with a preset dictionary) still opens and reads; merged, it is format 5", async () => {
  // i2 (the test above) rewritten as format 4 wrote it: only the caption files and the manifest differ
  const v4 = join(dir, "i2-format4");
  cpSync(join(dir, "i2"), v4, { recursive: true });
  const five = TextIndex.open(join(dir, "i2"));
  const captions = Array.from({ length: five.docCount }, (_, d) => five.captions.caption(d));
  five.close();
  const mpath = join(v4, "manifest.json");
  const m = JSON.parse(readFileSync(mpath, "utf8")) as TextIndexManifest;
  assert.equal(m.formatVersion, 5);
  writeFormat4Store(join(v4, m.files.captions), join(v4, m.files.offsets), captions, 16384);
  writeFileSync(mpath, JSON.stringify({ ...m, formatVersion: 4, checksums: fileChecksums(v4, m.files) }));
  assert.equal(verifyTextIndex(v4).docCount, N - 1000);
  const four = TextIndex.open(v4, { verify: true });
  assert.equal(four.manifest.formatVersion, 4);
  captions.forEach((c, d) => assert.equal(four.captions.caption(d), c, `doc ${d}`));
  four.close();
  // merged with a format 5 index, before or after it: a format 5 index, the same bytes as one build over the inputs
  mergeTextIndexes([join(dir, "i1"), v4], { out: join(dir, "merged-5-4") });
  mergeTextIndexes([v4, join(dir, "i1")], { out: join(dir, "merged-4-5") });
  await buildTextIndex([join(dir, "p2.tsv"), join(dir, "p1.tsv")], { out: join(dir, "both-2-1"), workers: 1 });
  for (const [merged, one] of [["merged-5-4", "both"], ["merged-4-5", "both-2-1"]]) {
    // (index verify decompresses every caption block)
    assert.equal(verifyTextIndex(join(dir, merged!)).docCount, N, merged);
    assert.equal(readTextManifest(join(dir, merged!)).formatVersion, 5, merged);
    for (const f of ["captions.blocks", "captions.offsets", "terms.postings", "positions.bin"]) {
      assert.deepEqual(readFileSync(join(dir, merged!, f)), readFileSync(join(dir, one!, f)), `${merged} ${f}`);
    }
  }
});

test("an index built with another analyzer or format version is refused", async () => {
  const out = join(dir, "old");
  await buildTextIndex([tsv], { out, workers: 1 });
  const mpath = join(out, "manifest.json");
  const m = JSON.parse(readFileSync(mpath, "utf8"));
  writeFileSync(mpath, JSON.stringify({ ...m, analyzer: { ...m.analyzer, version: "0-old" } }));
  assert.throws(() => TextIndex.open(out), /built with analyzer .*0-old.*rebuild the index/);
  writeFileSync(mpath, JSON.stringify({ ...m, formatVersion: 99 }));
  assert.throws(() => TextIndex.open(out), /format version 99; this conceptfreq reads versions 4 and 5: rebuild the index\./);
});

test("an existing output is not replaced without force, and a failed build leaves nothing", async () => {
  const out = join(dir, "w1");
  await assert.rejects(buildTextIndex([tsv], { out, workers: 1 }), /already exists/);
  const out2 = join(dir, "never");
  await assert.rejects(buildTextIndex([tsv, join(dir, "missing.tsv")], { out: out2, workers: 1 }), /cannot read/);
  assert.equal(existsSync(out2), false);
});

test("a batch of malformed rows only (no caption for a worker) still has its empty captions stored, between the workers' blocks", async () => {
  const sub = join(dir, "malformed-batch");
  mkdirSync(sub);
  // the reader sends 2,048 rows a batch: rows 2,048-4,095 (the second batch) have an empty caption
  const n = 2048 * 3 + 100;
  const text = (i: number) => `a dog number ${i} by a red barn`;
  writeFileSync(join(sub, "m.tsv"), Array.from({ length: n }, (_, i) => (i >= 2048 && i < 4096 ? `\tu${i}` : `${text(i)}\tu${i}`)).join("\n") + "\n");
  const manifest = await buildTextIndex([join(sub, "m.tsv")], { out: join(sub, "idx"), workers: 2, maxMalformed: 1 });
  assert.equal(manifest.docCount, n);
  assert.equal(Object.values(manifest.skipped).reduce((a, b) => a + b, 0), 2048);
  const index = TextIndex.open(join(sub, "idx"));
  for (const doc of [0, 2047, 2048, 3000, 4095, 4096, n - 1]) assert.equal(index.captions.caption(doc), doc >= 2048 && doc < 4096 ? "" : text(doc), `doc ${doc}`);
  assert.equal(countConcepts(index, ["barn"])[0]!.count, n - 2048);
  index.close();
});
