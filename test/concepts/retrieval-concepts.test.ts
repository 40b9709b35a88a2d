/** The retrieval-concept rule has one implementation: extraction from files and from embeddings' captions agree. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractRetrievalConcepts } from "../../src/concepts/extract.js";
import { imageConceptsFromCaptions } from "../../src/evaluate/caption-concepts.js";

const dir = mkdtempSync(join(tmpdir(), "cf-retrieval-concepts-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

// three images, two captions each: dog in all three, cat in two (once in both captions of image 0), ball in one
const captions = [
  ["a dog and a cat", "the cat sleeps"],
  ["a dog with a ball", "dog running"],
  ["a dog", "a cat on a mat"],
];

test("K consecutive rows, rows sharing a key and the embeddings' caption list give the same concepts", async () => {
  writeFileSync(join(dir, "k.tsv"), captions.flat().map((c, i) => `${c}\thttp://x/${i}\n`).join(""));
  // keyed rows interleaved: the key, not the position, groups them
  const keyed = [0, 1, 2, 0, 1, 2].map((img, i) => `${captions[img]![i < 3 ? 0 : 1]}\timg${img}\n`).join("");
  writeFileSync(join(dir, "key.tsv"), keyed);
  const byK = await extractRetrievalConcepts([join(dir, "k.tsv")], { captionsPerImage: 2, minImages: 2 });
  const byKey = await extractRetrievalConcepts([join(dir, "key.tsv")], { keyColumn: "1", minImages: 2 });
  assert.deepEqual(byK.concepts, [
    { concept: "dog", images: 3 },
    { concept: "cat", images: 2 },
  ]);
  assert.deepEqual(byKey.concepts, byK.concepts);
  assert.equal(byK.images, 3);
  assert.equal(byKey.images, 3);
  const ic = await imageConceptsFromCaptions(captions.flat(), 2, { minImages: 2 });
  assert.deepEqual([...ic.concepts].map(([c, ids]) => [c, [...ids]]), [
    ["cat", [0, 2]],
    ["dog", [0, 1, 2]],
  ]);
  assert.ok(ic.conceptsSeen >= 4, "ball and mat were seen before the filter");
});
