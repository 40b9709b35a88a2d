// The library as a user's program sees it: imported by the package's name, through package.json
// `exports` (dist/, so `npm run build` first), never by a path into src/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  TextIndex,
  buildTextIndex,
  mergeTextIndexes,
  countConcepts,
  matchConcept,
  searchConcept,
  readTextManifest,
  verifyTextIndex,
  readConceptList,
  parseConcepts,
  extractRetrievalConcepts,
  formatCounts,
  UserError,
  type TextIndexManifest,
  type ConceptCount,
  type SearchResult,
} from "conceptfreq";

const dir = mkdtempSync(join(tmpdir(), "cf-library-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// Two tiny corpora in CC-3M's shape (caption TAB url); every count below is read off these lines.
const A = [
  "a dog on the beach", // 0
  "two dogs and a cat on a sofa", // 1
  "a sea lion on the rocks", // 2
  "a red car in the street", // 3
];
const B = [
  "a cat sleeping in the sun", // 0 (4 once merged)
  "the sealion and the dog", // 1 (5)
  "an empty road at night", // 2 (6)
];
function tsv(name: string, captions: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, captions.map((c, i) => `${c}\thttp://x.invalid/${name}/${i}.jpg`).join("\n") + "\n");
  return p;
}

test("the package name resolves to the built package through exports", () => {
  const url = import.meta.resolve("conceptfreq");
  assert.match(fileURLToPath(url), /[\\/]dist[\\/]index\.js$/);
});

test("build, count, search, merge and read the manifest through the public API", async () => {
  const a = join(dir, "a.idx");
  const b = join(dir, "b.idx");
  const built: TextIndexManifest = await buildTextIndex([tsv("a.tsv", A)], { out: a, workers: 1 });
  assert.equal(built.docCount, 4);
  await buildTextIndex([tsv("b.tsv", B)], { out: b, workers: 1 });

  const concepts = readConceptList("builtin:cifar10").concepts;
  assert.ok(concepts.includes("dog") && concepts.includes("cat"));

  const index = TextIndex.open(a);
  try {
    const counts: ConceptCount[] = countConcepts(index, ["dog", "cat", "sea lion|sealion", "car", "horse"]);
    assert.deepEqual(
      counts.map((c) => [c.concept, c.count]),
      [["dog", 2], ["cat", 1], ["sea lion|sealion", 1], ["car", 1], ["horse", 0]],
    );
    assert.equal(formatCounts(counts.slice(0, 2), "csv"), "concept,count\ndog,2\ncat,1\n");
    const [dog] = parseConcepts(["dog"]);
    assert.deepEqual([...matchConcept(index, dog!)], [0, 1]);
    const found: SearchResult = searchConcept(index, "dog", { limit: 1 });
    assert.equal(found.count, 2);
    assert.deepEqual(found.examples, [{ doc: 0, caption: A[0] }]);
  } finally {
    index.close();
  }

  const merged = join(dir, "ab.idx");
  const m = mergeTextIndexes([a, b], { out: merged });
  assert.equal(m.docCount, 7);
  const manifest = readTextManifest(merged);
  assert.equal(manifest.docCount, 7);
  assert.deepEqual(
    manifest.inputs.map((i) => i.firstDoc),
    [0, 4],
  );
  assert.equal(verifyTextIndex(merged).docCount, 7);
  const all = TextIndex.open(merged, { verify: true });
  try {
    assert.deepEqual(
      countConcepts(all, ["dog", "cat", "sea lion|sealion"], { keepIds: true }).map((c) => [c.count, [...c.ids!]]),
      [
        [3, [0, 1, 5]],
        [2, [1, 4]],
        [2, [2, 5]],
      ],
    );
    assert.equal(all.captions.caption(5), B[1]);
  } finally {
    all.close();
  }
});

test("retrieval concepts and user errors come through the package too", async () => {
  // 2 images x 2 captions: "dog" is in both images, "cat" in one
  const p = tsv("retrieval.tsv", ["a dog running", "a brown dog", "a dog and a cat", "a cat"]);
  const r = await extractRetrievalConcepts([p], { captionsPerImage: 2, minImages: 1 });
  assert.equal(r.images, 2);
  assert.equal(r.captions, 4);
  assert.deepEqual(
    r.concepts.filter((c) => c.concept === "dog" || c.concept === "cat"),
    [
      { concept: "dog", images: 2 },
      { concept: "cat", images: 1 },
    ],
  );
  assert.throws(() => readTextManifest(join(dir, "nowhere")), UserError);
});
