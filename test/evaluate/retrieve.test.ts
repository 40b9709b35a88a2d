import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../../src/analysis/random.js";
import { UserError } from "../../src/errors.js";
import { imageConceptsFromCaptions } from "../../src/evaluate/caption-concepts.js";
import { formatRetrieval, retrieveFiles, retrieveZeroShot } from "../../src/evaluate/retrieve.js";
import { float16ToFloat32, float32ToFloat16 } from "../../src/matrix/float16.js";
import { writeNpy } from "../../src/matrix/npy.js";
import { memoryRows } from "../../src/matrix/rows.js";

const dir = mkdtempSync(join(tmpdir(), "cf-retrieve-"));

const rows = (m: number[][]) => memoryRows(Float32Array.from(m.flat()), m.length, m[0]!.length);

// Three images, two captions each (captions 2i and 2i+1 belong to image i).
const IMAGES = [[1, 0], [0, 1], [-1, 0]];
const TEXTS = [
  [1, 0.1], // image 0
  [0, -1], // image 0
  [1, 0], // image 1 (identical in direction to image 0)
  [0.2, 1], // image 1
  [0, 1], // image 2
  [-1, -1], // image 2
];

test("hand-computed Recall@K in both directions, with ties to the lower index", async () => {
  // i2t ranks of the first own caption: image 0 -> 1 (caption 2 scores 1 > 0.995), image 1 -> 1
  // (caption 4 scores 1 > 0.981), image 2 -> 0.
  // t2i ranks of the own image: caption 0 -> 0; caption 1 -> 0 (ties image 2 at 0, image 0 is lower);
  // caption 2 -> 1; caption 3 -> 0; caption 4 -> 2 (image 1 scores 1, image 0 ties at 0 and is lower);
  // caption 5 -> 0.
  const r = await retrieveZeroShot({ images: rows(IMAGES), texts: rows(TEXTS), captionsPerImage: 2 }, { ks: [1, 2, 5] });
  assert.deepEqual(Array.from(r.i2tRanks), [1, 1, 0]);
  assert.deepEqual(Array.from(r.t2iRanks), [0, 0, 1, 0, 2, 0]);
  assert.deepEqual(r.result, {
    i2t: { "1": { full: 33.33 }, "2": { full: 100 }, "5": { full: 100 } },
    t2i: { "1": { full: 66.67 }, "2": { full: 83.33 }, "5": { full: 100 } },
  });
});

test("conceptwise recall is taken over the queries whose image holds the concept", async () => {
  const concepts = new Map([
    ["dog", Int32Array.from([0, 2])],
    ["cat", Int32Array.from([1])],
  ]);
  const r = await retrieveZeroShot({ images: rows(IMAGES), texts: rows(TEXTS), captionsPerImage: 2, concepts }, { ks: [1] });
  assert.deepEqual(r.result.i2t["1"], { full: 33.33, conceptwise: { cat: 0, dog: 50 } });
  assert.deepEqual(r.result.t2i["1"], { full: 66.67, conceptwise: { cat: 50, dog: 75 } });
  assert.equal(
    formatRetrieval(r),
    JSON.stringify({ i2t: { "1": { full: 33.33, conceptwise: { cat: 0, dog: 50 } } }, t2i: { "1": { full: 66.67, conceptwise: { cat: 50, dog: 75 } } } }, null, 2) + "\n",
  );
});

test("mismatched shapes are clear errors", async () => {
  const bad = async (p: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(p, (e: unknown) => e instanceof UserError && pattern.test(e.message));
  await bad(retrieveZeroShot({ images: rows(IMAGES), texts: rows(TEXTS), captionsPerImage: 3 }), /6 text embeddings, but 3 images × 3 captions per image need 9/);
  await bad(retrieveZeroShot({ images: rows(IMAGES), texts: rows([[1, 2, 3]]), captionsPerImage: 1 }), /dimension 2 but the text embeddings have dimension 3/);
  await bad(retrieveZeroShot({ images: rows(IMAGES), texts: rows(TEXTS), captionsPerImage: 2 }, { ks: [0] }), /positive integers/);
});

/** Straightforward reference: all scores in float64, full sort per query. */
function referenceRanks(img: Float32Array, nI: number, txt: Float32Array, cpi: number, d: number) {
  const unit = (a: Float32Array, i: number) => {
    const v = Array.from(a.subarray(i * d, (i + 1) * d));
    const s = Math.sqrt(v.reduce((x, y) => x + y * y, 0));
    return s === 0 ? v : v.map((x) => x / s);
  };
  const I = Array.from({ length: nI }, (_, i) => unit(img, i));
  const T = Array.from({ length: nI * cpi }, (_, t) => unit(txt, t));
  const dot = (a: number[], b: number[]) => a.reduce((s, x, j) => s + x * b[j]!, 0);
  const order = (s: number[]) => s.map((_, j) => j).sort((p, q) => s[q]! - s[p]! || p - q);
  const i2t = I.map((x, i) => order(T.map((t) => dot(x, t))).findIndex((t) => Math.floor(t / cpi) === i));
  const t2i = T.map((t, c) => order(I.map((x) => dot(x, t))).indexOf(Math.floor(c / cpi)));
  return { i2t, t2i };
}

test("larger synthetic case equals a brute-force reference, tiled or not, streamed or cached", async () => {
  const r = mulberry32(99);
  const nI = 45;
  const cpi = 3;
  const d = 12;
  const img = Float32Array.from({ length: nI * d }, () => r() * 2 - 1);
  const txt = new Float32Array(nI * cpi * d);
  for (let t = 0; t < nI * cpi; t++) for (let j = 0; j < d; j++) txt[t * d + j] = img[Math.floor(t / cpi) * d + j]! * 0.5 + (r() * 2 - 1);
  txt.copyWithin(10 * d, 40 * d, 41 * d); // planted duplicates: exact ties between images' captions
  txt.copyWithin(11 * d, 40 * d, 41 * d);
  img.copyWithin(20 * d, 5 * d, 6 * d); // two identical images
  txt.set(img.subarray(0, d), 100 * d); // a caption of image 33 equal to image 0
  const ref = referenceRanks(img, nI, txt, cpi, d);
  const runs = [
    {},
    { textChunkRows: 7, blockRows: 5 },
    { textChunkRows: 16, blockRows: 4, imageCacheBytes: 0 },
    { textChunkRows: 50, backend: "js" as const },
  ];
  for (const opts of runs) {
    const got = await retrieveZeroShot({ images: memoryRows(img, nI, d), texts: memoryRows(txt, nI * cpi, d), captionsPerImage: cpi }, { ...opts, ks: [1, 5, 10, 1000] });
    assert.deepEqual(Array.from(got.i2tRanks), ref.i2t, JSON.stringify(opts));
    assert.deepEqual(Array.from(got.t2iRanks), ref.t2i, JSON.stringify(opts));
    assert.equal(got.result.i2t["1000"]!.full, 100);
  }
});

test("captions give each image the noun lemmas of its captions; --min-images filters", async () => {
  const captions = ["two dogs on a beach", "a dog running on grass", "a cat on a sofa", "the cat sleeps near a dog"];
  const c1 = await imageConceptsFromCaptions(captions, 2, { minImages: 1 });
  assert.deepEqual([...c1.concepts.keys()], ["beach", "cat", "dog", "grass", "sofa"]);
  assert.deepEqual(Array.from(c1.concepts.get("dog")!), [0, 1]);
  assert.deepEqual(Array.from(c1.concepts.get("cat")!), [1]);
  assert.equal(c1.images, 2);
  const c2 = await imageConceptsFromCaptions(captions, 2, { minImages: 2 });
  assert.deepEqual([...c2.concepts.keys()], ["dog"]);
  await assert.rejects(imageConceptsFromCaptions(captions, 3), /4 captions, which is not a whole number of images/);
  await assert.rejects(imageConceptsFromCaptions(captions, 2, { expectedCaptions: 6, source: "c.tsv" }), /c\.tsv has 4 captions but there are 6 text embeddings/);
});

test("retrieveFiles: float16 .npy embeddings and a TSV of captions", async () => {
  const tsv = join(dir, "captions.tsv");
  writeFileSync(tsv, ["a dog on the grass\thttp://x/0", "dog", "a cat on the grass\thttp://x/1", "cat", "a cat and a dog\thttp://x/2", "dog"].join("\n") + "\n");
  writeNpy(join(dir, "img.npy"), float32ToFloat16(IMAGES.flat()), [3, 2], "float16");
  writeNpy(join(dir, "txt.npy"), Float32Array.from(TEXTS.flat()), [6, 2]);
  const r = await retrieveFiles({
    imageEmbeddings: join(dir, "img.npy"),
    textEmbeddings: join(dir, "txt.npy"),
    captionsPerImage: 2,
    captions: tsv,
    minImages: 2,
    ks: [1],
  });
  // dog: images 0 and 2; cat: images 1 and 2; grass: images 0 and 1
  assert.deepEqual(r.concepts, ["cat", "dog", "grass"]);
  assert.deepEqual(r.result.i2t["1"], { full: 33.33, conceptwise: { cat: 50, dog: 50, grass: 0 } });
  assert.deepEqual(r.result.t2i["1"], { full: 66.67, conceptwise: { cat: 50, dog: 75, grass: 75 } });
  writeFileSync(join(dir, "short.tsv"), "a dog\nthe cat\n");
  await assert.rejects(
    retrieveFiles({ imageEmbeddings: join(dir, "img.npy"), textEmbeddings: join(dir, "txt.npy"), captionsPerImage: 2, captions: join(dir, "short.tsv") }),
    /has 2 captions but there are 6 text embeddings/,
  );
  assert.equal(float16ToFloat32(float32ToFloat16([1]))[0], 1);
});
