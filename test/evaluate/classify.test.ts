import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../../src/analysis/random.js";
import { UserError } from "../../src/errors.js";
import { classifyFiles, classifyZeroShot, formatClassification, type ClassifyInput } from "../../src/evaluate/classify.js";
import { readClassNames, readLabels } from "../../src/evaluate/labels.js";
import { float16ToFloat32, float32ToFloat16 } from "../../src/matrix/float16.js";
import { writeNpy } from "../../src/matrix/npy.js";
import { memoryRows } from "../../src/matrix/rows.js";

const dir = mkdtempSync(join(tmpdir(), "cf-classify-"));

function input(images: number[][], classes: number[][], names: string[], labels: number[], templates?: number): ClassifyInput {
  const d = images[0]!.length;
  return {
    images: memoryRows(Float32Array.from(images.flat()), images.length, d),
    classEmbeddings: { rows: classes.length, cols: d, data: Float32Array.from(classes.flat()) },
    classNames: names,
    labels: Int32Array.from(labels),
    templates,
  };
}

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof UserError && pattern.test(e.message));
}

test("hand-computed case: top-1, ties to the lowest class index, zero vectors, classwise", async () => {
  // cat (1,0), dog (0,1), bird (-1,0)
  const r = await classifyZeroShot(
    input(
      [
        [2, 1], // cat (label cat: right)
        [1, 3], // dog (label dog: right)
        [-1, 0.1], // bird (label cat: wrong)
        [1, 1], // cat and dog tie at 0.707: the lower index, cat, is predicted (label dog: wrong)
        [0, 0], // all scores 0: cat (label bird: wrong)
      ],
      [[1, 0], [0, 1], [-1, 0]],
      ["cat", "dog", "bird"],
      [0, 1, 0, 1, 2],
    ),
  );
  assert.deepEqual(r.result, { full: 40, top5: 100, classwise: { cat: 50, dog: 50, bird: 0 } });
  assert.equal(r.templates, 1);
  assert.deepEqual(r.perClass.map((c) => [c.name, c.images, c.top1Correct]), [["cat", 2, 1], ["dog", 2, 1], ["bird", 1, 0]]);
});

test("hand-computed top-5: seven classes on a circle", async () => {
  // class c at angle 30c degrees; an image at 95 degrees ranks 3, 4, 2, 5, 1, 6, 0.
  const classes = Array.from({ length: 7 }, (_, c) => [Math.cos((c * Math.PI) / 6), Math.sin((c * Math.PI) / 6)]);
  const img = [Math.cos((95 * Math.PI) / 180), Math.sin((95 * Math.PI) / 180)];
  const names = ["a", "b", "c", "d", "e", "f", "g"];
  const r = await classifyZeroShot(input([img, img, img, img], classes, names, [3, 1, 6, 0]));
  // top-1 right for label 3 only; top-5 = {3,4,2,5,1}: right for labels 3 and 1
  assert.equal(r.result.full, 25);
  assert.equal(r.result.top5, 50);
  assert.deepEqual(r.result.classwise, { a: 0, b: 0, d: 100, g: 0 });
  assert.deepEqual(r.classesWithoutImages, ["c", "e", "f"]);
});

test("prompt ensembling normalises each template before averaging (CLIP), class-major rows", async () => {
  // class A: templates (10,0) and (0,1): CLIP mean direction 45°; a raw mean would point at 5.7°.
  // class B: two templates at 30°. An image at 40° is A under CLIP's rule, B under the raw mean.
  const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];
  const r = await classifyZeroShot(input([deg(40)], [[10, 0], [0, 1], deg(30), deg(30)], ["A", "B"], [0], 2));
  assert.equal(r.result.full, 100);
  assert.equal(r.templates, 2);
  // templates inferred from rows ÷ classes
  assert.equal((await classifyZeroShot(input([deg(40)], [[10, 0], [0, 1], deg(30), deg(30)], ["A", "B"], [0]))).templates, 2);
});

test("percentages are rounded to 2 decimals; duplicate class names share one classwise entry", async () => {
  const r = await classifyZeroShot(
    input([[1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0, 1]], [[1, 0], [0, 1], [0, 1]], ["x", "y", "y"], [0, 1, 1, 1, 2, 0]),
  );
  // predictions: 0, 0, 1, 1, 1, 1 (classes 1 and 2 tie: 1). Right: image 0, 2, 3 -> 3/6.
  assert.equal(r.result.full, 50);
  assert.deepEqual(r.result.classwise, { x: 50, y: 50 }); // y covers indices 1 and 2: 2 of 4 right
  const thirds = await classifyZeroShot(input([[1, 0], [0, 1], [0, 1]], [[1, 0], [0, 1]], ["p", "q"], [0, 0, 0]));
  assert.equal(thirds.result.full, 33.33);
});

test("the result file keeps class-file order, even for integer-like names", async () => {
  const r = await classifyZeroShot(input([[1, 0], [0, 1]], [[1, 0], [0, 1]], ["10", "2"], [0, 1]));
  const text = formatClassification(r);
  assert.equal(text, '{\n  "full": 100,\n  "top5": 100,\n  "classwise": {\n    "10": 100,\n    "2": 100\n  }\n}\n');
});

test("mismatched shapes and counts are clear errors", async () => {
  const ok = () => input([[1, 0]], [[1, 0], [0, 1]], ["a", "b"], [0]);
  await rejects(classifyZeroShot({ ...ok(), images: memoryRows(new Float32Array(3), 1, 3) }), /dimension 3 but the class embeddings have dimension 2/);
  await rejects(classifyZeroShot({ ...ok(), labels: Int32Array.from([0, 1]) }), /1 image embeddings but 2 labels/);
  await rejects(classifyZeroShot({ ...ok(), classNames: ["a", "b", "c"] }), /2 rows, which is not a whole number of templates for 3 classes/);
  await rejects(classifyZeroShot({ ...ok(), templates: 2 }), /2 classes × 2 templates need 4/);
  await rejects(classifyZeroShot({ ...ok(), labels: Int32Array.from([5]) }), /not a class index/);
  await rejects(
    classifyZeroShot({ ...ok(), images: memoryRows(new Float32Array([1, Infinity]), 1, 2, "img.npy") }),
    /img\.npy has a NaN or infinite value in row 0/,
  );
});

test("labels: .npy integers, JSON indices or names, text indices or names", () => {
  const names = ["cat", "dog", "bird"];
  const p = (n: string, s: string) => {
    writeFileSync(join(dir, n), s);
    return join(dir, n);
  };
  assert.deepEqual(Array.from(readLabels(p("l.txt", "2\n0\n1\n"), names)), [2, 0, 1]);
  assert.deepEqual(Array.from(readLabels(p("n.txt", "dog\r\nbird\ncat\n\n"), names)), [1, 2, 0]);
  assert.deepEqual(Array.from(readLabels(p("l.json", '[1, "bird", 0]'), names)), [1, 2, 0]);
  writeNpy(join(dir, "l.npy"), new BigInt64Array([2n, 2n, 1n]), [3]);
  assert.deepEqual(Array.from(readLabels(join(dir, "l.npy"), names)), [2, 2, 1]);
  writeNpy(join(dir, "l2.npy"), new Int32Array([0, 1]), [2, 1]);
  assert.deepEqual(Array.from(readLabels(join(dir, "l2.npy"), names)), [0, 1]);
  const bad = (file: string, pattern: RegExp) => assert.throws(() => readLabels(file, names), (e: unknown) => e instanceof UserError && pattern.test(e.message));
  bad(p("b1.txt", "0\n3\n"), /line 2 is 3, not a class index in 0\.\.2/);
  bad(p("b2.txt", "cat\nhorse\n"), /line 2 \("horse"\) is not a class name/);
  bad(p("b3.txt", "cat\n\ndog\n"), /Line 2 .* is blank/);
  bad(p("b4.json", "{}"), /JSON array/);
  bad(p("b5.json", "[0,"), /not valid JSON/);
  writeNpy(join(dir, "f.npy"), new Float32Array([0, 1]), [2]);
  bad(join(dir, "f.npy"), /float32 values; labels must be integer/);
  bad(join(dir, "none.txt"), /does not exist/);
  assert.deepEqual(readClassNames(p("c.txt", "\uFEFF cat \ndog\n")), ["cat", "dog"]);
  assert.throws(() => readClassNames(p("e.txt", "\n\n")), /holds no class names/);
});

/** A straightforward reference: float64 throughout, sort every row. */
function reference(img: Float32Array, n: number, w: Float32Array, classes: number, k: number, d: number, labels: Int32Array) {
  const unit = (v: number[]) => {
    const s = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return s === 0 ? v : v.map((x) => x / s);
  };
  const cls: number[][] = [];
  for (let c = 0; c < classes; c++) {
    const mean = new Array<number>(d).fill(0);
    for (let t = 0; t < k; t++) unit(Array.from(w.subarray((c * k + t) * d, (c * k + t + 1) * d))).forEach((x, j) => (mean[j]! += x));
    cls.push(unit(mean));
  }
  let top1 = 0;
  let top5 = 0;
  const perClass = new Map<number, [number, number]>();
  for (let i = 0; i < n; i++) {
    const x = unit(Array.from(img.subarray(i * d, (i + 1) * d)));
    const s = cls.map((c) => c.reduce((a, v, j) => a + v * x[j]!, 0));
    const order = s.map((_, j) => j).sort((p, q) => s[q]! - s[p]! || p - q);
    const hit1 = order[0] === labels[i];
    top1 += hit1 ? 1 : 0;
    top5 += order.slice(0, 5).includes(labels[i]!) ? 1 : 0;
    const pc = perClass.get(labels[i]!) ?? [0, 0];
    perClass.set(labels[i]!, [pc[0] + 1, pc[1] + (hit1 ? 1 : 0)]);
  }
  const pct = (a: number, b: number) => Math.round((a * 10000) / b) / 100;
  const classwise: Record<string, number> = {};
  for (let c = 0; c < classes; c++) if (perClass.has(c)) classwise[`class${c}`] = pct(perClass.get(c)![1], perClass.get(c)![0]);
  return { full: pct(top1, n), top5: pct(top5, n), classwise };
}

test("larger synthetic case (several blocks, planted ties) equals the reference; float16 input too", async () => {
  const r = mulberry32(2024);
  const n = 400;
  const classes = 37;
  const k = 3;
  const d = 24;
  const w = Float32Array.from({ length: classes * k * d }, () => r() * 2 - 1);
  w.copyWithin(5 * k * d, 2 * k * d, 3 * k * d); // class 5 = class 2: every comparison between them ties
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * classes));
  const img = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) img[i * d + j] = w[labels[i]! * k * d + j]! * 0.6 + (r() * 2 - 1);
  img.set(w.subarray(2 * k * d, 2 * k * d + d), 7 * d); // image 7 sits exactly on a class-2 template
  const names = Array.from({ length: classes }, (_, c) => `class${c}`);
  const expected = reference(img, n, w, classes, k, d, labels);
  const got = await classifyZeroShot(
    { images: memoryRows(img, n, d), classEmbeddings: { rows: classes * k, cols: d, data: w }, classNames: names, labels, templates: k },
    { blockRows: 64 },
  );
  assert.deepEqual(got.result, expected);
  const js = await classifyZeroShot(
    { images: memoryRows(img, n, d), classEmbeddings: { rows: classes * k, cols: d, data: w }, classNames: names, labels, templates: k },
    { blockRows: 50, backend: "js" },
  );
  assert.deepEqual(js.result, expected);

  // The same through files, with the images stored as float16: equal to the reference on the
  // float16-rounded values.
  const half = float32ToFloat16(img);
  writeNpy(join(dir, "img16.npy"), half, [n, d], "float16");
  writeNpy(join(dir, "w.npy"), w, [classes * k, d]);
  writeNpy(join(dir, "labels.npy"), labels, [n]);
  writeFileSync(join(dir, "classes.txt"), names.join("\n") + "\n");
  const fromFiles = await classifyFiles({
    imageEmbeddings: join(dir, "img16.npy"),
    labels: join(dir, "labels.npy"),
    classEmbeddings: join(dir, "w.npy"),
    classes: join(dir, "classes.txt"),
    templates: k,
  });
  assert.deepEqual(fromFiles.result, reference(float16ToFloat32(half), n, w, classes, k, d, labels));
});

test("readClassNames takes builtin:NAME in class-index order, duplicates kept (prompts --classes builtin:imagenet, eval classify --classes)", () => {
  const cifar = readClassNames("builtin:cifar10");
  assert.equal(cifar.length, 10);
  assert.deepEqual(cifar.slice(0, 3), ["airplane", "automobile", "bird"]);
  const imagenet = readClassNames("builtin:imagenet");
  assert.equal(imagenet.length, 1000); // the classifier's 1,000 rows, although two names repeat
  assert.equal(new Set(imagenet).size, 999);
  assert.equal(imagenet[0], "tench");
  assert.throws(() => readClassNames("builtin:nosuch"), (e: unknown) => e instanceof UserError && /unknown builtin class list "nosuch"; known: cifar10, cifar100, imagenet\./.test(e.message));
});
