import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserializePortable } from "../../src/postings/posting-file.js";
import { RoaringBitmap32 } from "../../src/postings/roaring-bitmap.js";
import { deserializeRoaring64Portable, GlobalIds } from "../../src/corpus-set/global-ids.js";
import { CONCEPTS, ok, run, writeCaptionFiles } from "./fixtures.js";

const root = mkdtempSync(join(tmpdir(), "cf-corpus-img-"));

const inputs = writeCaptionFiles(join(root, "in"), 7);
const single = join(root, "single.idx");
const singleImg = join(root, "single.img");
const corpus = join(root, "c");
const conceptsFile = join(root, "concepts.txt");
writeFileSync(conceptsFile, CONCEPTS.join("\n") + "\n");
const vocabulary = join(root, "vocabulary.txt"); // the tagger's names: the concepts but "unicorn"
writeFileSync(vocabulary, CONCEPTS.filter((c) => c !== "unicorn").join("\n") + "\n");

/** The tagger's (made-up) tags of global doc g: seeded by g, so a shard's rows get the same tags. */
function tagsOf(g: number): Record<string, number> {
  let seed = (g * 2654435761) >>> 0;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const tags: Record<string, number> = {};
  for (const c of CONCEPTS.slice(0, -1)) {
    const p = rand();
    if (p > 0.6) tags[c] = Math.round(p * 1000) / 1000;
  }
  return tags;
}

function idsOf(dir: string, concept: string, wide: boolean): number[] {
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  const bytes = readFileSync(join(dir, index.files[concept]));
  return wide ? deserializeRoaring64Portable(bytes) : [...deserializePortable(bytes)];
}

test("GlobalIds: shard ids shifted by the shard's first doc, across the 2^32 boundary, in Roaring's 64-bit portable format", () => {
  const g = new GlobalIds();
  g.addShard(new RoaringBitmap32([0, 5]), 7);
  g.addShard(new RoaringBitmap32([0, 1, 2, 3, 10]), 2 ** 32 - 3);
  g.addShard(new RoaringBitmap32([4]), 3 * 2 ** 32 + 1);
  const want = [7, 12, 2 ** 32 - 3, 2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 7, 3 * 2 ** 32 + 5];
  assert.deepEqual(g.toArray(), want);
  assert.equal(g.size, want.length);
  const bytes = g.serialize();
  assert.equal(bytes.readBigUInt64LE(0), 3n); // buckets 0, 1, 3
  assert.equal(bytes.readUInt32LE(8), 0);
  assert.deepEqual([...deserializePortable(bytes.subarray(12))], [7, 12, 2 ** 32 - 3, 2 ** 32 - 2, 2 ** 32 - 1]);
  assert.deepEqual(deserializeRoaring64Portable(bytes), want);
  assert.throws(() => deserializeRoaring64Portable(bytes.subarray(0, bytes.length - 1)), /is not a 64-bit Roaring bitmap/);
  assert.deepEqual(deserializeRoaring64Portable(new GlobalIds().serialize()), []);
});

test("setup: one text index + one image index, and a 3-shard corpus with an image index per shard", () => {
  ok(["index", "build", ...inputs, "--out", single, "--workers", "1"]);
  const N = JSON.parse(readFileSync(join(single, "manifest.json"), "utf8")).docCount as number;
  const all = join(root, "tags.jsonl");
  writeFileSync(all, Array.from({ length: N }, (_, row) => JSON.stringify({ row, tags: tagsOf(row) })).join("\n") + "\n");
  ok(["image-index", "import", "--tags", all, "--concepts", vocabulary, "--threshold", "0.7", "--index", single, "--out", singleImg]);

  ok(["corpus", "plan", ...inputs, "--shards", "3", "--out", corpus]);
  ok(["corpus", "run", corpus, "--workers", "1"]);
  const m = JSON.parse(readFileSync(join(corpus, "corpus.json"), "utf8"));
  assert.equal(m.images, undefined);
  const noImages = run(["count", "--index", corpus, "--mode", "image", "--concepts", vocabulary]);
  assert.equal(noImages.code, 2);
  assert.match(noImages.stderr, /^conceptfreq: corpus .* has no image shards; register one per shard with `conceptfreq corpus add-images .*`, then run `conceptfreq corpus finish .*` again\.\n$/);

  // a shard's image index must hold the shard's docs (ids local to the shard)
  const wrong = run(["corpus", "add-images", corpus, "--shard", "0", singleImg]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /^conceptfreq: the image index .* holds \d+ docs, but shard 0 of .* holds \d+; build it over the shard's inputs only/);

  for (const s of m.shards) {
    const tags = join(root, `tags-${s.shard}.jsonl`);
    writeFileSync(tags, Array.from({ length: s.docCount }, (_, row) => JSON.stringify({ row, tags: tagsOf(s.firstDoc + row) })).join("\n") + "\n");
    const out = join(corpus, "images", String(s.shard));
    ok(["image-index", "import", "--tags", tags, "--concepts", vocabulary, "--threshold", "0.7", "--index", join(corpus, "shards", String(s.shard)), "--out", out]);
    if (s.shard === 2) {
      const partial = run(["corpus", "finish", corpus]);
      assert.equal(partial.code, 2);
      assert.match(partial.stderr, /cannot be finished: shard\(s\) 2 have no image index while 2 shard\(s\) have one/);
    }
    const r = ok(["corpus", "add-images", corpus, "--shard", String(s.shard), out]);
    assert.match(r.stderr, new RegExp(`registered an image index for shard ${s.shard} of .*: images/${s.shard} \\(${s.docCount} docs\\); run .conceptfreq corpus finish`));
  }
  ok(["corpus", "finish", corpus]);
  const f = JSON.parse(readFileSync(join(corpus, "corpus.json"), "utf8"));
  assert.deepEqual(f.images, { source: "tags", threshold: 0.7, topK: null, concepts: CONCEPTS.length - 1 });
  for (const s of f.shards) assert.deepEqual(s.image, { dir: `images/${s.shard}`, docCount: s.docCount });
});

test("count --mode text|image|integrated over the corpus equals one text index + one image index, ids too", () => {
  for (const mode of ["text", "image", "integrated"]) {
    for (const match of mode === "image" ? ["paper"] : ["paper", "phrase"]) {
      const idsA = join(root, `ids-c-${mode}-${match}`);
      const idsB = join(root, `ids-s-${mode}-${match}`);
      const a = ok(["count", "--index", corpus, "--mode", mode, "--match", match, "--concepts", conceptsFile, "--allow-missing", "--ids-out", idsA]);
      const b = ok(["count", "--index", single, "--image-index", singleImg, "--mode", mode, "--match", match, "--concepts", conceptsFile, "--allow-missing", "--ids-out", idsB]);
      assert.equal(a.stdout, b.stdout, `${mode} ${match}`);
      assert.equal(a.stderr, b.stderr);
      const counts = JSON.parse(a.stdout);
      assert.ok(counts.dog > 0 && counts["sea lion"] > 0, a.stdout);
      const index = JSON.parse(readFileSync(join(idsA, "index.json"), "utf8"));
      assert.equal(index.serialization, "roaring64-portable");
      for (const c of CONCEPTS) {
        const ga = idsOf(idsA, c, true);
        assert.deepEqual(ga, idsOf(idsB, c, false), `${mode} ${match} ${c}`);
        assert.equal(ga.length, counts[c]);
      }
    }
  }
  // --mode image with the corpus as --image-index (no --index); csv output
  const img = ok(["count", "--image-index", corpus, "--mode", "image", "--concepts", vocabulary, "--format", "csv"]);
  assert.equal(img.stdout, ok(["count", "--image-index", singleImg, "--mode", "image", "--concepts", vocabulary, "--format", "csv"]).stdout);
  const missing = run(["count", "--index", corpus, "--mode", "integrated", "--concepts", conceptsFile]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^conceptfreq: 1 concept\(s\) are not in the image index .* \("unicorn"\)/);
  const other = run(["count", "--index", corpus, "--image-index", singleImg, "--mode", "image", "--concepts", vocabulary]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /is a corpus of shards: count uses its image shards/);
});

test("misalignment over the corpus equals the one-index figures and misaligned ids", () => {
  for (const match of ["paper", "phrase"]) {
    const a = ok(["misalignment", "--index", corpus, "--concepts", vocabulary, "--match", match, "--ids-out", join(root, `mis-c-${match}`)]);
    const b = ok(["misalignment", "--index", single, "--image-index", singleImg, "--concepts", vocabulary, "--match", match, "--ids-out", join(root, `mis-s-${match}`)]);
    assert.equal(a.stdout, b.stdout);
    const r = JSON.parse(a.stdout);
    assert.ok(r.misaligned > 0 && r.samples_with_both > r.misaligned, a.stdout);
    const ga = deserializeRoaring64Portable(readFileSync(join(root, `mis-c-${match}`)));
    assert.deepEqual(ga, [...deserializePortable(readFileSync(join(root, `mis-s-${match}`)))]);
    assert.equal(ga.length, r.misaligned);
  }
  const noImg = run(["misalignment", "--index", single, "--concepts", vocabulary]);
  assert.equal(noImg.code, 2);
  assert.match(noImg.stderr, /needs the image index \(--image-index\)/);
});

test("a corpus.json whose image shards lie is one sentence and exit 2", () => {
  const path = join(corpus, "corpus.json");
  const good = readFileSync(path, "utf8");
  try {
    const m = JSON.parse(good);
    m.shards[1].image.docCount += 1;
    writeFileSync(path, JSON.stringify(m));
    const r = run(["count", "--index", corpus, "--mode", "image", "--concepts", vocabulary]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^conceptfreq: corpus .* is damaged: corpus\.json: shards\[1\]\.image is not the shard's image index/);
    m.shards[1].image.docCount -= 1;
    m.shards[1].image.dir = "images/0"; // another shard's image index
    writeFileSync(path, JSON.stringify(m));
    const r2 = run(["misalignment", "--index", corpus, "--concepts", vocabulary]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /^conceptfreq: corpus .* is damaged: shard 1's image index .* holds \d+ docs, the shard \d+\.\n$/);
  } finally {
    writeFileSync(path, good);
  }
});
