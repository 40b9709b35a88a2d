import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostingFile, PostingFileWriter, RoaringBitmap32, deserializePortable } from "../../src/index/posting-file.js";
import { mergePostingRuns } from "../../src/index/merge-runs.js";

const dir = mkdtempSync(join(tmpdir(), "cf-post-"));

test("a posting file round-trips terms, cardinalities and bitmaps", () => {
  const path = join(dir, "a.postings");
  const w = new PostingFileWriter(path);
  w.add("cat", new RoaringBitmap32([1, 5, 9]));
  w.add("dog", new RoaringBitmap32([2]));
  w.add("zebra", new RoaringBitmap32([...Array(100000).keys()]));
  w.close();
  const f = PostingFile.open(path);
  assert.deepEqual(f.terms(), ["cat", "dog", "zebra"]);
  assert.equal(f.cardinality("cat"), 3);
  assert.equal(f.cardinality("missing"), 0);
  assert.deepEqual([...f.get("cat")], [1, 5, 9]);
  assert.equal(f.get("zebra").size, 100000);
  assert.equal(f.get("missing").size, 0);
  // each stored bitmap is Roaring's portable serialisation, readable on its own
  assert.deepEqual([...deserializePortable(f.raw("dog")!)], [2]);
  f.close();
});

test("terms must be added in ascending order", () => {
  const w = new PostingFileWriter(join(dir, "b.postings"));
  w.add("b", new RoaringBitmap32([1]));
  assert.throws(() => w.add("a", new RoaringBitmap32([1])));
});

test("a file that is not a posting file is refused with a clear message", () => {
  const p = join(dir, "junk.postings");
  writeFileSync(p, "hello world, not postings at all");
  assert.throws(() => PostingFile.open(p), /not a conceptfreq posting file/);
});

test("merging runs unions each term and offsets ids; output bytes are deterministic", () => {
  const r1 = join(dir, "r1");
  const r2 = join(dir, "r2");
  let w = new PostingFileWriter(r1);
  w.add("a", new RoaringBitmap32([0, 2]));
  w.add("c", new RoaringBitmap32([1]));
  w.close();
  w = new PostingFileWriter(r2);
  w.add("a", new RoaringBitmap32([1]));
  w.add("b", new RoaringBitmap32([0]));
  w.close();
  mergePostingRuns([r1, r2], join(dir, "m1"));
  mergePostingRuns([r2, r1], join(dir, "m2"));
  assert.deepEqual(readFileSync(join(dir, "m1")), readFileSync(join(dir, "m2")));
  const m = PostingFile.open(join(dir, "m1"));
  assert.deepEqual([...m.get("a")], [0, 1, 2]);
  assert.deepEqual(m.terms(), ["a", "b", "c"]);
  m.close();
  mergePostingRuns([r1, r2], join(dir, "m3"), [0, 10]);
  const m3 = PostingFile.open(join(dir, "m3"));
  assert.deepEqual([...m3.get("a")], [0, 2, 11]);
  assert.deepEqual([...m3.get("b")], [10]);
  m3.close();
});

test("the build's postings accumulator writes each term's docs, ascending, under terms in text order", async () => {
  const { PostingsAccumulator } = await import("../../src/index/postings-accumulator.js");
  const texts = ["zebra", "cat", "\u00e9clair", "dog", "unused"];
  const acc = new PostingsAccumulator();
  const expected = new Map<string, number[]>();
  // term ids arrive in any order, docs ascending; enough postings to make the log grow
  for (let doc = 0; doc < 70000; doc++) {
    const ids = doc % 3 === 0 ? [2, 0] : doc % 3 === 1 ? [1] : [3, 1, 0];
    acc.addAll(Int32Array.from(ids), ids.length, doc);
    for (const id of ids) {
      if (!expected.has(texts[id]!)) expected.set(texts[id]!, []);
      expected.get(texts[id]!)!.push(doc);
    }
  }
  assert.equal(acc.size, [...expected.values()].reduce((a, l) => a + l.length, 0));
  const path = join(dir, "run.postings");
  assert.equal(acc.writeRun(path, texts), true);
  assert.equal(acc.size, 0);
  assert.equal(acc.writeRun(join(dir, "empty.postings"), texts), false);
  const f = PostingFile.open(path);
  assert.deepEqual(f.terms(), ["cat", "dog", "zebra", "\u00e9clair"]);
  for (const [term, docs] of expected) assert.deepEqual([...f.get(term)], docs, term);
  f.close();
  // cleared: the next run holds only what was added after the write
  acc.addAll(Int32Array.of(4, 9), 1, 70000); // only the first `count` ids count
  acc.writeRun(path, texts);
  const g = PostingFile.open(path);
  assert.deepEqual(g.terms(), ["unused"]);
  g.close();
});
