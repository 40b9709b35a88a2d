import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { importImageTags } from "../../src/image/tag-import.js";
import { ImageIndex } from "../../src/image/image-index.js";
import { countConceptsByMode } from "../../src/image/count-modes.js";
import { computeMisalignment } from "../../src/image/misalignment.js";
import { UserError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "cf-image-count-"));
// doc: caption | image tags
const SAMPLES: [string, string[]][] = [
  ["a dog on the grass", ["dog"]], // 0 aligned
  ["a cat on a sofa", ["dog"]], // 1 misaligned (cat vs dog)
  ["a dog and a cat", ["cat", "tree"]], // 2 aligned (cat)
  ["a sunset over the sea", ["tree"]], // 3 caption has no listed concept
  ["", ["dog"]], // 4 malformed caption (empty): text side empty
  ["a tree in a field", []], // 5 image has no tag
  ["a car next to a tree", ["car"]], // 6 aligned (car)
  ["a sea lion on a rock", ["dog"]], // 7 misaligned ("sea lion" vs dog)
];
const CONCEPTS = ["dog", "cat", "tree", "car", "sea lion"];
let text: TextIndex;
let image: ImageIndex;

test.before(async () => {
  const tsv = join(dir, "c.tsv");
  writeFileSync(tsv, SAMPLES.map(([c], i) => `${c}\tu${i}`).join("\n") + "\n");
  await buildTextIndex([tsv], { out: join(dir, "text"), workers: 1 });
  const jsonl = join(dir, "tags.jsonl");
  writeFileSync(jsonl, SAMPLES.map(([, tags], row) => JSON.stringify({ row, tags: Object.fromEntries(tags.map((t) => [t, 0.9])) })).join("\n") + "\n");
  const vocab = join(dir, "vocab.txt");
  writeFileSync(vocab, ["dog", "cat", "tree", "car", "sea lion", "boat"].join("\n"));
  await importImageTags({ tags: [jsonl], threshold: 0.5, out: join(dir, "img"), concepts: vocab });
  text = TextIndex.open(join(dir, "text"));
  image = ImageIndex.open(join(dir, "img"));
});
test.after(() => {
  text.close();
  image.close();
});

function counts(mode: "text" | "image" | "integrated", concepts = CONCEPTS, allowMissing = false) {
  const r = countConceptsByMode(concepts, { mode, text, image, allowMissing, keepIds: true });
  return { counts: Object.fromEntries(r.counts.map((c) => [c.concept, [...c.ids!]])), missing: r.missing };
}

test("text, image and integrated counts: captions, tagged images, and both for the same sample", () => {
  assert.deepEqual(counts("text").counts, { dog: [0, 2], cat: [1, 2], tree: [5, 6], car: [6], "sea lion": [7] });
  assert.deepEqual(counts("image").counts, { dog: [0, 1, 4, 7], cat: [2], tree: [2, 3], car: [6], "sea lion": [] });
  assert.deepEqual(counts("integrated").counts, { dog: [0], cat: [2], tree: [], car: [6], "sea lion": [] });
  const plain = countConceptsByMode(["dog", "boat"], { mode: "integrated", text, image });
  assert.deepEqual(plain.counts, [{ concept: "dog", count: 1 }, { concept: "boat", count: 0 }]);
});

test("a concept the image index does not know is an error, or 0 with allowMissing", () => {
  assert.throws(
    () => counts("image", ["dog", "unicorn", "Dog"]),
    (e: unknown) => e instanceof UserError && /2 concept\(s\) are not in the image index .*"unicorn", "Dog".*--allow-missing/.test(e.message),
  );
  const r = counts("integrated", ["dog", "unicorn"], true);
  assert.deepEqual(r.counts, { dog: [0], unicorn: [] });
  assert.deepEqual(r.missing, ["unicorn"]);
  // text mode does not look at the image vocabulary
  assert.deepEqual(counts("text", ["unicorn"]).counts, { unicorn: [] });
});

test("misalignment: the paper's definition, computed with three unions", () => {
  const r = computeMisalignment(text, image, CONCEPTS);
  // both sides non-empty: 0, 1, 2, 6, 7 (3: no caption concept; 4: empty caption; 5: no image tag)
  // disjoint among them: 1 (cat / dog), 7 (sea lion / dog)
  assert.equal(r.samples, 8);
  assert.equal(r.samples_with_both, 5);
  assert.equal(r.misaligned, 2);
  assert.equal(r.degree, 2 / 5);
  assert.equal(r.degree_all, 2 / 8);
  assert.deepEqual([...r.misalignedIds], [1, 7]);
  // Only the listed concepts count: without "dog", sample 1's image set is empty, sample 7's too.
  const r2 = computeMisalignment(text, image, ["cat", "tree", "car", "sea lion"]);
  assert.deepEqual([r2.samples_with_both, r2.misaligned, [...r2.misalignedIds]], [2, 0, []]);
  assert.throws(() => computeMisalignment(text, image, ["dog", "unicorn"]), /not in the image index/);
  const r3 = computeMisalignment(text, image, ["dog", "unicorn"], { allowMissing: true });
  assert.deepEqual(r3.missing, ["unicorn"]);
});

test("brute force agrees with the union identity on random tag sets", async () => {
  const { rng } = await import("./planted.js");
  const r = rng(11);
  // Build per-sample caption and image sets directly as bitmaps through a second import.
  const n = SAMPLES.length;
  for (let trial = 0; trial < 5; trial++) {
    const tags = Array.from({ length: n }, () => CONCEPTS.filter(() => r() < 0.35));
    const jsonl = join(dir, `rand${trial}.jsonl`);
    writeFileSync(jsonl, tags.map((t, row) => JSON.stringify({ row, tags: t })).join("\n"));
    const out = join(dir, `rand${trial}`);
    await importImageTags({ tags: [jsonl], threshold: 0.5, out, concepts: join(dir, "vocab.txt") });
    const img = ImageIndex.open(out);
    const got = computeMisalignment(text, img, CONCEPTS);
    img.close();
    const captionSets = counts("text").counts;
    let both = 0;
    let mis = 0;
    for (let s = 0; s < n; s++) {
      const c = CONCEPTS.filter((k) => captionSets[k]!.includes(s));
      const g = tags[s]!;
      if (c.length && g.length) {
        both++;
        if (!c.some((k) => g.includes(k))) mis++;
      }
    }
    assert.deepEqual([got.samples_with_both, got.misaligned], [both, mis], `trial ${trial}`);
  }
});
