import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { buildImageIndexFromEmbeddings } from "../../src/image/embedding-tagger.js";
import { ImageIndex } from "../../src/image/image-index.js";
import { countConceptsByMode } from "../../src/image/count-modes.js";
import { computeMisalignment } from "../../src/image/misalignment.js";
import { float32ToFloat16 } from "../../src/matrix/float16.js";
import { writeNpy } from "../../src/matrix/npy.js";
import { encodeSafetensors } from "../../src/matrix/safetensors.js";
import { UserError } from "../../src/errors.js";
import { CONCEPTS, D, assertMargins, expected, expectedTags, plant, writeCaptions, writeConceptList, type Planted } from "./planted.js";

const dir = mkdtempSync(join(tmpdir(), "cf-image-tagger-"));
const N = 240;
const SPLIT = 100; // two shards: rows [0, 100) and [100, 240)
const p: Planted = plant(N);
const conceptsTxt = writeConceptList(dir);
const conceptNpy = join(dir, "concepts.npy");
writeNpy(conceptNpy, p.concepts, [CONCEPTS.length, D]);
const shard0 = join(dir, "img_emb_0.npy");
const shard1 = join(dir, "img_emb_1.npy");
writeNpy(shard0, p.images.slice(0, SPLIT * D), [SPLIT, D]);
writeNpy(shard1, p.images.slice(SPLIT * D), [N - SPLIT, D]);
let text: TextIndex;

test.before(async () => {
  const c0 = join(dir, "captions_0.tsv");
  const c1 = join(dir, "captions_1.tsv");
  writeCaptions(c0, p, 0, SPLIT);
  writeCaptions(c1, p, SPLIT, N);
  await buildTextIndex([c0, c1], { out: join(dir, "text.idx"), workers: 1 });
  text = TextIndex.open(join(dir, "text.idx"));
});
test.after(() => text.close());

function tagsOf(idx: ImageIndex): number[][] {
  const out: number[][] = Array.from({ length: idx.docCount }, () => []);
  CONCEPTS.forEach((c, ci) => {
    for (const doc of idx.images(c)) out[doc]!.push(ci);
  });
  return out;
}

function countsOf(idx: ImageIndex, mode: "text" | "image" | "integrated") {
  const { counts } = countConceptsByMode(CONCEPTS, { mode, text, image: idx });
  return Object.fromEntries(counts.map((c) => [c.concept, c.count]));
}

test("planted ground truth: tags, text, image and integrated counts and misalignment are exact (two shards)", async () => {
  const T = 0.3;
  assertMargins(p, [T]);
  const out = join(dir, "img.idx");
  const r = await buildImageIndexFromEmbeddings({ embeddings: [shard0, shard1], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: T, out });
  assert.equal(r.manifests.length, 1);
  const m = r.manifests[0]!;
  assert.equal(m.docCount, N);
  assert.deepEqual(m.inputs.map((i) => [i.rows, i.firstDoc]), [[SPLIT, 0], [N - SPLIT, SPLIT]]);
  assert.deepEqual(m.concepts, CONCEPTS);
  const idx = ImageIndex.open(out);
  try {
    const want = expectedTags(p, T);
    assert.deepEqual(tagsOf(idx), want);
    const e = expected(p, want);
    assert.deepEqual(countsOf(idx, "text"), e.text);
    assert.deepEqual(countsOf(idx, "image"), e.image);
    assert.deepEqual(countsOf(idx, "integrated"), e.integrated);
    const mis = computeMisalignment(text, idx, CONCEPTS);
    assert.deepEqual(
      { samples: mis.samples, samples_with_both: mis.samples_with_both, misaligned: mis.misaligned, degree: mis.degree, degree_all: mis.degree_all },
      e.misalignment,
    );
    assert.ok(e.misalignment.misaligned > 5 && e.misalignment.samples_with_both > e.misalignment.misaligned, "the fixture has misalignment to find");
    assert.deepEqual(r.conceptCounts[0], CONCEPTS.map((c) => e.image[c]));
    assert.equal(m.stats.tags, Object.values(e.image).reduce((a, b) => a + b, 0));
  } finally {
    idx.close();
  }
});

test("float16 .npy, .safetensors and raw .f32 inputs give the same tags", async () => {
  const T = 0.5;
  assertMargins(p, [T]);
  const h0 = join(dir, "h0.npy");
  const h1 = join(dir, "h1.npy");
  writeNpy(h0, float32ToFloat16(p.images.subarray(0, SPLIT * D)), [SPLIT, D], "float16");
  writeNpy(h1, float32ToFloat16(p.images.subarray(SPLIT * D)), [N - SPLIT, D], "float16");
  const st = join(dir, "all.safetensors");
  writeFileSync(st, encodeSafetensors([{ name: "img", dtype: "float16", shape: [N, D], data: float32ToFloat16(p.images) }]));
  const raw = join(dir, "all.f32");
  writeFileSync(raw, new Uint8Array(p.images.buffer, p.images.byteOffset, p.images.byteLength));
  const want = expectedTags(p, T);
  for (const [name, files, dim] of [["f16", [h0, h1], undefined], ["st", [st], undefined], ["raw", [raw], D]] as const) {
    const out = join(dir, `img-${name}.idx`);
    await buildImageIndexFromEmbeddings({ embeddings: [...files], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: T, out, dim });
    const idx = ImageIndex.open(out);
    assert.deepEqual(tagsOf(idx), want, name);
    idx.close();
  }
});

test("threshold sweep: one index per threshold in one pass, each exact", async () => {
  const ts = [0.3, 0.5, 0.86];
  assertMargins(p, ts);
  const out = join(dir, "sweep");
  const r = await buildImageIndexFromEmbeddings({ embeddings: [shard0, shard1], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: "0.5,0.3,0.86", out });
  assert.deepEqual(readdirSync(out).sort(), ["sweep.json", "t=0.3", "t=0.5", "t=0.86"]);
  const sweep = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8"));
  assert.deepEqual(sweep.indexes, ts.map((t) => ({ threshold: t, dir: `t=${t}` })));
  assert.deepEqual(r.manifests.map((m) => m.threshold), ts);
  const sizes: number[] = [];
  for (const t of ts) {
    const idx = ImageIndex.open(join(out, `t=${t}`));
    const want = expectedTags(p, t);
    assert.deepEqual(tagsOf(idx), want, `t=${t}`);
    sizes.push(idx.manifest.stats.tags);
    idx.close();
  }
  assert.ok(sizes[0]! > sizes[1]! && sizes[1]! > sizes[2]! && sizes[2]! > 0, `the sweep is not trivial: ${sizes}`);
  assert.throws(() => ImageIndex.open(out), /threshold sweep; pass one of its image indexes/);
});

test("--top-k keeps the most similar concepts per image", async () => {
  const out = join(dir, "top1");
  await buildImageIndexFromEmbeddings({ embeddings: [shard0, shard1], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: "0.3,0.5", topK: 1, out });
  for (const t of [0.3, 0.5]) {
    const idx = ImageIndex.open(join(out, `t=${t}`));
    assert.deepEqual(tagsOf(idx), expectedTags(p, t, 1));
    assert.equal(idx.manifest.topK, 1);
    idx.close();
  }
});

test("blocks, threads and kernel backend do not change a single byte of the postings", async () => {
  const base = join(dir, "img.idx");
  const variants = [
    { name: "js-block7", backend: "js" as const, blockRows: 7 },
    { name: "ort-block13-1thread", backend: "onnxruntime" as const, blockRows: 13, threads: 1 },
  ];
  for (const v of variants) {
    const out = join(dir, v.name);
    await buildImageIndexFromEmbeddings({ embeddings: [shard0, shard1], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: 0.3, out, ...v });
    assert.ok(readFileSync(join(out, "tags.postings")).equals(readFileSync(join(base, "tags.postings"))), v.name);
  }
});

test("near-threshold scores are decided on float64 cosines, whatever the kernel", async () => {
  // Concept 0 = e0; images with cosine exactly at, just above and just below 0.6 in float64 terms.
  const d = 4;
  const conc = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0]);
  const cn = join(dir, "near-c.npy");
  writeNpy(cn, conc, [2, d]);
  const names = join(dir, "near.txt");
  writeFileSync(names, "alpha\nbeta\n");
  // Image (0.6, 0.8, 0, 0) has norm 1 (in float32 rounding: cosine within 1e-7 of 0.6).
  const rows = Float32Array.from([0.6, 0.8, 0, 0, 0.6, 0, 0.8, 0, 0.59, 0, 0.8071, 0, 0.61, 0, 0.79236, 0]);
  const emb = join(dir, "near-i.npy");
  writeNpy(emb, rows, [4, d]);
  // Reference: float64 cosine of the normalised float32 vectors.
  const ref: number[] = [];
  for (let i = 0; i < 4; i++) {
    const v = Array.from(rows.subarray(i * d, i * d + d));
    const n = Math.hypot(...v);
    const u = Float32Array.from(v.map((x) => x / n));
    ref.push(u[0]!);
  }
  const t = ref[0]!; // a threshold exactly at image 0's cosine
  for (const backend of ["js", "onnxruntime"] as const) {
    const out = join(dir, `near-${backend}`);
    await buildImageIndexFromEmbeddings({ embeddings: [emb], conceptEmbeddings: cn, concepts: names, threshold: t, out, backend });
    const idx = ImageIndex.open(out);
    assert.deepEqual([...idx.images("alpha")], ref.map((c, i) => (c >= t ? i : -1)).filter((i) => i >= 0), backend);
    idx.close();
  }
});

test("prompt ensembles: --per-concept k rows are normalised, averaged and renormalised", async () => {
  const k = 3;
  const ens = join(dir, "ens.npy");
  const rows = p.ensemble(k);
  writeNpy(ens, rows, [CONCEPTS.length * k, D]);
  // Reference tagger in float64 on the averaged directions.
  const C = CONCEPTS.length;
  const dirs: number[][] = [];
  for (let c = 0; c < C; c++) {
    const mean = new Array<number>(D).fill(0);
    for (let t = 0; t < k; t++) {
      const r = Array.from(rows.subarray((c * k + t) * D, (c * k + t + 1) * D));
      const n = Math.hypot(...r);
      r.forEach((x, q) => (mean[q]! += x / n));
    }
    const n = Math.hypot(...mean);
    dirs.push(mean.map((x) => x / n));
  }
  const T = 0.3;
  const want: number[][] = [];
  for (let i = 0; i < N; i++) {
    const v = Array.from(p.images.subarray(i * D, (i + 1) * D));
    const n = Math.hypot(...v);
    const tags: number[] = [];
    for (let c = 0; c < C; c++) {
      const cos = v.reduce((s, x, q) => s + (x / n) * dirs[c]![q]!, 0);
      assert.ok(Math.abs(cos - T) > 1e-3, "fixture margin");
      if (cos >= T) tags.push(c);
    }
    want.push(tags);
  }
  const out = join(dir, "ens.idx");
  await buildImageIndexFromEmbeddings({ embeddings: [shard0, shard1], conceptEmbeddings: ens, concepts: conceptsTxt, threshold: T, perConcept: k, out });
  const idx = ImageIndex.open(out);
  assert.deepEqual(tagsOf(idx), want);
  assert.equal(idx.manifest.conceptEmbeddings?.perConcept, k);
  idx.close();
  await assert.rejects(
    buildImageIndexFromEmbeddings({ embeddings: [shard0], conceptEmbeddings: ens, concepts: conceptsTxt, threshold: T, out: join(dir, "ens-bad") }),
    /has 36 rows but the concept list has 12 concepts \(use --per-concept/,
  );
});

test("mismatched row counts: opening a text index and an image index of different sizes is a clear error", async () => {
  const out = join(dir, "short.idx");
  await buildImageIndexFromEmbeddings({ embeddings: [shard0], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: 0.3, out });
  const idx = ImageIndex.open(out);
  try {
    assert.throws(
      () => countConceptsByMode(CONCEPTS, { mode: "integrated", text, image: idx }),
      (e: unknown) => e instanceof UserError && /has 240 docs but the image index .* has 100/.test(e.message),
    );
    assert.throws(() => computeMisalignment(text, idx, CONCEPTS), /has 240 docs but the image index/);
    // image mode alone needs no text index
    const alone = countConceptsByMode(CONCEPTS, { mode: "image", image: idx });
    assert.equal(alone.counts.length, CONCEPTS.length);
  } finally {
    idx.close();
  }
});

test("key alignment: shuffled embedding rows with their keys land on the right docs", async () => {
  const keys = Array.from({ length: N }, (_, i) => `k${String(i * 7919 % 100003).padStart(6, "0")}`);
  const docKeys = join(dir, "doc-keys.txt");
  writeFileSync(docKeys, keys.join("\n") + "\n");
  // Reverse the rows; drop one image (its doc gets no tags); add an image no doc has.
  const order = Array.from({ length: N }, (_, i) => N - 1 - i).filter((i) => i !== 3);
  const rows = new Float32Array((order.length + 1) * D);
  order.forEach((src, r) => rows.set(p.images.subarray(src * D, (src + 1) * D), r * D));
  rows.set(p.images.subarray(0, D), order.length * D);
  const emb = join(dir, "shuffled.npy");
  writeNpy(emb, rows, [order.length + 1, D]);
  const rowKeys = join(dir, "row-keys.txt");
  writeFileSync(rowKeys, [...order.map((i) => keys[i]!), "stranger"].join("\n") + "\n");
  const out = join(dir, "keyed.idx");
  await buildImageIndexFromEmbeddings({ embeddings: [emb], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: 0.3, out, docKeys: [docKeys], rowKeys: [rowKeys] });
  const idx = ImageIndex.open(out);
  const want = expectedTags(p, 0.3);
  want[3] = [];
  assert.deepEqual(tagsOf(idx), want);
  assert.deepEqual(idx.manifest.alignment, { by: "key", docKeys: [docKeys], rowKeys: [rowKeys], unmatchedRows: 1, docsWithoutImage: 1 });
  idx.close();
  // A key given to two rows is an error.
  writeFileSync(rowKeys, [...order.map((i) => keys[i]!), keys[0]!].join("\n") + "\n");
  await assert.rejects(
    buildImageIndexFromEmbeddings({ embeddings: [emb], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: 0.3, out: join(dir, "keyed2"), docKeys: [docKeys], rowKeys: [rowKeys] }),
    /is given to a second image row/,
  );
  assert.equal(existsSync(join(dir, "keyed2")), false);
});

test("input errors are UserErrors and leave nothing behind", async () => {
  const bad = join(dir, "bad-dim.npy");
  writeNpy(bad, new Float32Array(5 * 8), [5, 8]);
  const cases: [Parameters<typeof buildImageIndexFromEmbeddings>[0], RegExp][] = [
    [{ embeddings: [bad], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: 0.3, out: join(dir, "e1") }, /dimension 8, not 48/],
    [{ embeddings: [shard0], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: "0.3,x", out: join(dir, "e2") }, /not a number/],
    [{ embeddings: [join(dir, "nope.npy")], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: 0.3, out: join(dir, "e3") }, /does not exist/],
    [{ embeddings: [shard0], conceptEmbeddings: conceptNpy, concepts: conceptsTxt, threshold: 0.3, out: join(dir, "img.idx") }, /already exists/],
  ];
  for (const [opts, re] of cases) {
    await assert.rejects(buildImageIndexFromEmbeddings(opts), (e: unknown) => e instanceof UserError && re.test(e.message));
  }
  for (const n of ["e1", "e2", "e3"]) assert.equal(existsSync(join(dir, n)), false);
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes(".tmp-")), []);
});
