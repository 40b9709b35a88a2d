import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostingFile, PostingFileWriter, deserializePortable } from "../../src/postings/posting-file.js";
import { RoaringBitmap32 } from "../../src/postings/roaring-bitmap.js";
import { mergePostingRuns } from "../../src/postings/merge-runs.js";

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

test("a posting file larger than the writer's buffer is stitched together from its side file", () => {
  const path = join(dir, "big.postings");
  const w = new PostingFileWriter(path, 1000);
  const terms = Array.from({ length: 3000 }, (_, i) => `t${String(i).padStart(5, "0")}`);
  terms.forEach((t, i) => (i % 2 === 0 ? w.addSorted(t, Uint32Array.of(i, i + 1, 70000 + i)) : w.add(t, new RoaringBitmap32([i * 3]))));
  w.close();
  const f = PostingFile.open(path);
  assert.deepEqual(f.terms(), terms);
  terms.forEach((t, i) => assert.deepEqual([...f.get(t)], i % 2 === 0 ? [i, i + 1, 70000 + i] : [i * 3], t));
  f.close();
  assert.ok(!existsSync(`${path}.data-tmp`), "the side file is removed");
});

test("terms larger than the writer's initial buffer keep the terms written before them", () => {
  const path = join(dir, "grow.postings");
  const w = new PostingFileWriter(path);
  // 120,000 ids in array containers: ~240 KB, past the writer's first buffer
  const big = Uint32Array.from({ length: 120_000 }, (_, i) => Math.floor(i / 4000) * 65536 + (i % 4000) * 16);
  const big2 = Uint32Array.from(big, (x) => x + 1);
  w.addSorted("a", Uint32Array.of(1, 2, 3));
  w.add("b", new RoaringBitmap32([7, 9]));
  w.addSorted("c", big);
  w.add("d", new RoaringBitmap32(big2));
  w.addSorted("e", Uint32Array.of(5));
  w.close();
  const f = PostingFile.open(path);
  assert.deepEqual([...f.get("a")], [1, 2, 3]);
  assert.deepEqual([...f.get("b")], [7, 9]);
  assert.deepEqual(f.get("c").toUint32Array(), big);
  assert.deepEqual(f.get("d").toUint32Array(), big2);
  assert.deepEqual([...f.get("e")], [5]);
  f.close();
});

test("non-ASCII terms keep their place, lone surrogates included (read back as their UTF-8 decoding)", () => {
  const path = join(dir, "utf8.postings");
  const terms = ["a", "caf\u00e9", "na\u00efve", "x\ud83d", "\ude00y"]; // (ascending; the last two would pair up if encoded joined)
  const w = new PostingFileWriter(path);
  terms.forEach((t, i) => w.addSorted(t, Uint32Array.of(i, 100 + i)));
  w.close();
  const f = PostingFile.open(path);
  assert.deepEqual(f.terms(), terms.map((t) => Buffer.from(t, "utf8").toString("utf8")));
  f.terms().forEach((t, i) => assert.deepEqual([...f.get(t)], [i, 100 + i], t));
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

test("merging as id lists and as bitmaps gives the same postings, from files and memory, with offsets", async () => {
  const { unionSorted } = await import("../../src/postings/merge-runs.js");
  const runs: [string, number[]][][] = [
    [["cat", [0, 1, 2, 70000]], ["dog", [5]]],
    [["ant", [3]], ["cat", [4, 65536, 65537]], ["emu", [9]]],
    [["cat", [100000, 100001, 100002, 100003]], ["dog", [6, 7]]],
  ];
  const paths = runs.slice(0, 2).map((terms, k) => {
    const path = join(dir, `lists-${k}.run`);
    const w = new PostingFileWriter(path);
    for (const [term, docs] of terms) w.addSorted(term, Uint32Array.from(docs));
    w.close();
    return path;
  });
  const memory = () => {
    const [terms, lists] = [runs[2]!.map(([t]) => t), runs[2]!.map(([, d]) => d)];
    const starts = Uint32Array.from([0, ...lists.map((_, k) => lists.slice(0, k + 1).flat().length)]);
    return [{ terms, starts, docs: Uint32Array.from(lists.flat()) }];
  };
  mergePostingRuns(paths, join(dir, "as-lists"), [0, 1000], memory());
  mergePostingRuns(paths, join(dir, "as-bitmaps"), [0, 1000], memory(), 0);
  const a = PostingFile.open(join(dir, "as-lists"));
  const b = PostingFile.open(join(dir, "as-bitmaps"));
  assert.deepEqual(a.terms(), ["ant", "cat", "dog", "emu"]);
  assert.deepEqual(b.terms(), a.terms());
  for (const t of a.terms()) {
    assert.deepEqual([...a.get(t)], [...b.get(t)], t);
    assert.equal(a.cardinality(t), b.cardinality(t), t);
  }
  assert.deepEqual([...a.get("cat")], [0, 1, 2, 1004, 66536, 66537, 70000, 100000, 100001, 100002, 100003]);
  assert.deepEqual([...a.get("dog")], [5, 6, 7]);
  a.close();
  b.close();
  // a union keeps one copy of an id found in several lists
  assert.deepEqual([...unionSorted([Uint32Array.of(1, 3, 5), Uint32Array.of(3, 4), Uint32Array.of(0, 5, 9)])], [0, 1, 3, 4, 5, 9]);
  assert.deepEqual([...unionSorted([])], []);
});

test("the build's postings accumulator writes each term's docs, ascending, under terms in text order", async () => {
  const { PostingsAccumulator } = await import("../../src/postings/postings-accumulator.js");
  const texts = ["zebra", "cat", "\u00e9clair", "dog", "unused"];
  // the default chunks, and chunks smaller than a doc's ids (a doc's ids never straddle two)
  for (const chunkSize of [undefined, 2, 3]) {
    const acc = new PostingsAccumulator(chunkSize);
    const expected = new Map<string, number[]>();
    // term ids arrive in any order, docs ascending, some docs add none; enough postings to grow
    for (let doc = 0; doc < 70000; doc++) {
      const ids = doc % 4 === 0 ? [2, 0] : doc % 4 === 1 ? [1] : doc % 4 === 2 ? [3, 1, 0] : [];
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
    for (const [term, docs] of expected) assert.deepEqual([...f.get(term)], docs, `${term} (chunks of ${chunkSize ?? "default"})`);
    f.close();
    // cleared: the next run holds only what was added after the write
    acc.addAll(Int32Array.of(4, 9), 1, 70000); // only the first `count` ids count
    acc.writeRun(path, texts);
    const g = PostingFile.open(path);
    assert.deepEqual(g.terms(), ["unused"]);
    assert.deepEqual([...g.get("unused")], [70000]);
    g.close();
  }
});

test("terms are found by binary search in code-unit order, across the supplementary / U+E000 divide; absent terms anywhere are absent", () => {
  const path = join(dir, "order.postings");
  // code-unit order (JavaScript's <): U+1F600 (surrogates D83D DE00) sorts before U+E000, though its UTF-8 bytes sort after
  const terms = ["", "a", "b\u00e9", "z", "\u{1F600}", "\u{1F600}x", "\ue000", "\uffee"].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).filter(Boolean);
  assert.ok(terms.indexOf("\u{1F600}") < terms.indexOf("\ue000"));
  const w = new PostingFileWriter(path);
  terms.forEach((t, i) => w.addSorted(t, Uint32Array.of(i, 50 + i, 99 + i).subarray(0, 1 + (i % 3))));
  w.close();
  const f = PostingFile.open(path);
  assert.equal(f.termCount, terms.length);
  assert.deepEqual(f.terms(), terms);
  terms.forEach((t, i) => {
    assert.equal(f.cardinality(t), 1 + (i % 3), t);
    assert.deepEqual([...f.get(t)], [i, 50 + i, 99 + i].slice(0, 1 + (i % 3)), t);
  });
  for (const absent of ["", " ", "0", "aa", "b", "zz", "\u{1F601}", "\ue001", "\uffff"]) {
    assert.equal(f.has(absent), false, absent);
    assert.equal(f.cardinality(absent), 0, absent);
    assert.equal(f.get(absent).size, 0, absent);
  }
  f.close();
});

test("a term table out of order (its checksum made right) is refused, naming the term", async () => {
  const { crc32 } = await import("node:zlib");
  const path = join(dir, "unordered.postings");
  const w = new PostingFileWriter(path);
  w.add("bee", new RoaringBitmap32([1]));
  w.add("cat", new RoaringBitmap32([2]));
  w.close();
  const b = readFileSync(path);
  const table = b.indexOf(Buffer.from("bee"));
  b.write("dee", table, "latin1"); // "dee" > "cat": out of order
  const dataOffset = Number(b.readBigUInt64LE(16));
  b.writeUInt32LE(crc32(b.subarray(32, dataOffset), crc32(b.subarray(0, 24))), 24);
  writeFileSync(path, b);
  assert.throws(() => PostingFile.open(path), /its terms are not in ascending order at term 1/);
});
