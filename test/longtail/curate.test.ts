import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { curateLongTail, listCandidateImages, mapWithConcurrency } from "../../src/longtail/curate.js";
import { parseCsv } from "../../src/corpus/csv.js";
import { UserError } from "../../src/errors.js";
import { syntheticImage, variants, writeFiles } from "./fixtures.js";

let root = "";
let images = "";

before(async () => {
  root = mkdtempSync(join(tmpdir(), "conceptfreq-curate-"));
  images = join(root, "images");
  const a = await syntheticImage(1);
  const v = await variants(a);
  const d2 = await syntheticImage(6);
  writeFiles(images, {
    "cat/a.jpg": a,
    "cat/a_copy.jpg": a,
    "cat/a_small.jpg": v.resizedDown!,
    "cat/a_bright.jpg": v.brightened!,
    "cat/b.png": await syntheticImage(2, 256, 256, "png"),
    "cat/c.webp": await syntheticImage(3, 300, 200, "webp"),
    "cat/broken.jpg": Buffer.from("\xff\xd8\xff\xe0 definitely not a jpeg", "latin1"),
    "cat/tiny.png": await syntheticImage(4, 16, 16, "png"),
    "cat/notes.txt": "not an image",
    "dog/d1.jpg": await syntheticImage(5),
    "dog/d2.jpg": d2,
    "dog/d2_reencoded.jpg": await sharp(d2).jpeg({ quality: 30 }).toBuffer(),
    "dog/d3.jpg": await syntheticImage(7),
    "dog/d4.jpg": await syntheticImage(8),
    "owl/o1.jpg": await syntheticImage(9),
  });
  mkdirSync(join(images, "empty"));
});

function readCsv(path: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(readFileSync(path, "utf8"));
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

test("listing: classes and images in code-point order, other files ignored", () => {
  const { classes, candidates, ignored } = listCandidateImages(images);
  assert.deepEqual(classes, ["cat", "dog", "empty", "owl"]);
  assert.deepEqual(
    candidates.filter((c) => c.className === "cat").map((c) => c.name),
    ["a.jpg", "a_bright.jpg", "a_copy.jpg", "a_small.jpg", "b.png", "broken.jpg", "c.webp", "tiny.png"],
  );
  assert.equal(ignored.get("cat"), 1);
});

test("curate: unreadable, tiny and duplicate images are dropped and reported; classes balanced", async () => {
  const out = join(root, "out-basic");
  const r = await curateLongTail({ images, out, minPerClass: 2, seed: 1 });
  const summary = Object.fromEntries(r.classes.map((c) => [c.className, c]));
  assert.deepEqual(
    { ...summary.cat, droppedBecause: undefined },
    { className: "cat", found: 8, ignored: 1, unreadable: 1, tiny: 1, crossClass: 0, duplicates: 3, sampledOut: 0, kept: 3, droppedBecause: undefined },
  );
  assert.equal(summary.dog!.duplicates, 1);
  assert.equal(summary.dog!.sampledOut, 1);
  assert.equal(summary.dog!.kept, 3);
  assert.match(summary.owl!.droppedBecause!, /fewer than --min-per-class 2/);
  assert.match(summary.empty!.droppedBecause!, /0 usable/);
  assert.equal(r.perClass, 3);

  const manifest = readCsv(join(out, "manifest.csv"));
  assert.deepEqual(
    manifest.filter((m) => m.class === "cat").map((m) => m.path),
    ["../images/cat/a.jpg", "../images/cat/b.png", "../images/cat/c.webp"],
  );
  assert.equal(manifest.length, 6);
  const c = manifest.find((m) => m.path.endsWith("c.webp"))!;
  assert.deepEqual([c.width, c.height, c.hash.length], ["300", "200", 16]);
  assert.equal(readFileSync(join(out, "classes.txt"), "utf8"), "cat\ndog\n");
  assert.equal(readFileSync(join(out, "labels.txt"), "utf8"), "0\n0\n0\n1\n1\n1\n");

  const excluded = readCsv(join(out, "excluded.csv"));
  const reason = (p: string): string | undefined => excluded.find((x) => x.path === `../images/${p}`)?.reason;
  assert.equal(reason("cat/broken.jpg"), "unreadable");
  assert.equal(reason("cat/tiny.png"), "tiny");
  assert.equal(reason("cat/a_copy.jpg"), "duplicate");
  assert.equal(reason("cat/a_small.jpg"), "duplicate");
  assert.equal(reason("cat/a_bright.jpg"), "duplicate");
  assert.equal(reason("dog/d2_reencoded.jpg"), "duplicate");
  assert.equal(reason("owl/o1.jpg"), "class-dropped");
  assert.match(excluded.find((x) => x.path.endsWith("a_copy.jpg"))!.detail, /duplicate of \.\.\/images\/cat\/a\.jpg at distance 0/);
  assert.equal(excluded.filter((x) => x.reason === "sampled-out").length, 1);
  assert.equal(manifest.length + excluded.length, 14, "every candidate image (not notes.txt) is accounted for");

  const meta = JSON.parse(readFileSync(join(out, "curate.json"), "utf8"));
  assert.equal(meta.format, "conceptfreq-longtail-curate");
  assert.equal(meta.version, 1);
  assert.equal(meta.perClass, 3);
  const summaryCsv = readCsv(join(out, "summary.csv"));
  assert.equal(summaryCsv.find((s) => s.class === "owl")!.status.startsWith("dropped"), true);
});

test("balancing with a seed gives byte-identical outputs twice; per-class cap and --no-balance", async () => {
  const run = async (name: string, opts: object): Promise<string> => {
    await curateLongTail({ images, out: join(root, name), minPerClass: 2, seed: 42, ...opts });
    return readFileSync(join(root, name, "manifest.csv"), "utf8");
  };
  const m1 = await run("out-seed-1", {});
  const m2 = await run("out-seed-2", {});
  assert.equal(m1, m2);
  for (const f of ["excluded.csv", "summary.csv", "classes.txt", "labels.txt", "curate.json"]) {
    assert.equal(readFileSync(join(root, "out-seed-1", f), "utf8"), readFileSync(join(root, "out-seed-2", f), "utf8"), f);
  }
  const capped = await run("out-cap", { perClass: 2 });
  assert.equal(parseCsv(capped).length - 1, 4);
  const all = await run("out-all", { balance: false, minPerClass: 1 });
  assert.equal(parseCsv(all).length - 1, 3 + 4 + 1);
});

test("--cross-class drops an image found in two classes from both", async () => {
  const imgs = join(root, "images-cross");
  const a = await syntheticImage(1);
  writeFiles(imgs, {
    "cat/a.jpg": a,
    "cat/b.jpg": await syntheticImage(2),
    "dog/looks_like_a.png": await sharp(a).resize(200, 200).png().toBuffer(),
    "dog/d.jpg": await syntheticImage(5),
  });
  const out = join(root, "out-cross");
  const r = await curateLongTail({ images: imgs, out, crossClass: true, balance: false });
  assert.deepEqual(
    r.manifest.map((m) => m.path),
    ["../images-cross/cat/b.jpg", "../images-cross/dog/d.jpg"],
  );
  const cross = readCsv(join(out, "excluded.csv")).filter((x) => x.reason === "cross-class-duplicate");
  assert.deepEqual(
    cross.map((x) => x.path),
    ["../images-cross/cat/a.jpg", "../images-cross/dog/looks_like_a.png"],
  );
  assert.match(cross[0]!.detail, /matches \.\.\/images-cross\/dog\/looks_like_a\.png \(class dog\) at distance \d+/);
  // Without --cross-class both stay.
  const plain = await curateLongTail({ images: imgs, out: join(root, "out-cross-off"), balance: false });
  assert.equal(plain.manifest.length, 4);
});

test("--copy and --link place kept files under out/<class>/; a later run with force replaces the earlier output, stale copies gone", async () => {
  const out = join(root, "out-copy");
  const r = await curateLongTail({ images, out, minPerClass: 2, seed: 1, files: "copy" });
  assert.equal(r.manifest[0]!.path, "cat/a.jpg");
  for (const m of r.manifest) assert.ok(statSync(join(out, m.path)).isFile());
  assert.deepEqual(readFileSync(join(out, "cat/a.jpg")), readFileSync(join(images, "cat/a.jpg")));
  await assert.rejects(curateLongTail({ images, out, minPerClass: 2, seed: 1, perClass: 1, files: "copy" }), /already exists; use --force/);
  await curateLongTail({ images, out, minPerClass: 2, seed: 1, perClass: 1, files: "copy", force: true });
  const now = readCsv(join(out, "manifest.csv"));
  assert.equal(now.length, 2);
  assert.equal(existsSync(join(out, "cat/c.webp")), now.some((m) => m.path === "cat/c.webp"));

  const linked = join(root, "out-link");
  await curateLongTail({ images, out: linked, minPerClass: 2, seed: 1, files: "link" });
  const st = lstatSync(join(linked, "cat/a.jpg"));
  assert.ok(st.isFile() || st.isSymbolicLink());
  assert.deepEqual(readFileSync(join(linked, "cat/a.jpg")), readFileSync(join(images, "cat/a.jpg")));
});

test("user errors: missing folder, no classes, output inside the images, bad settings, nothing left", async () => {
  await assert.rejects(curateLongTail({ images: join(root, "nope"), out: join(root, "x") }), UserError);
  const flat = join(root, "flat");
  writeFiles(flat, { "a.jpg": await syntheticImage(1) });
  await assert.rejects(curateLongTail({ images: flat, out: join(root, "x") }), /no class sub-folders/);
  await assert.rejects(curateLongTail({ images, out: join(images, "out") }), /must not be the images folder or inside it/);
  await assert.rejects(curateLongTail({ images, out: join(root, "x"), hashBits: 128 }), /--hash-bits/);
  await assert.rejects(curateLongTail({ images, out: join(root, "x"), balance: false, perClass: 3 }), /--no-balance/);
  await assert.rejects(curateLongTail({ images, out: join(root, "x"), minPerClass: 100 }), /no class has at least 100/);
  assert.equal(existsSync(join(root, "x")), false, "nothing written on an error");
});

test("256-bit hashes are written as 64 hex digits", async () => {
  const r = await curateLongTail({ images, out: join(root, "out-256"), hashBits: 256, balance: false });
  assert.ok(r.manifest.every((m) => m.hash.length === 64));
  assert.equal(r.hashBits, 256);
});

test("mapWithConcurrency keeps order and never exceeds the limit", async () => {
  let inFlight = 0;
  let peak = 0;
  const out = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (x) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    return x * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
  assert.equal(peak, 2);
});

test("force replaces only an earlier curate output: a foreign folder, a file, the cwd and the input are refused", async () => {
  const base = join(root, "force");
  mkdirSync(base);
  const earlier = join(base, "earlier");
  await curateLongTail({ images, out: earlier, minPerClass: 2, seed: 1 });
  const before = readFileSync(join(earlier, "manifest.csv"), "utf8");
  await curateLongTail({ images, out: earlier, minPerClass: 2, seed: 1, perClass: 1, force: true });
  assert.notEqual(readFileSync(join(earlier, "manifest.csv"), "utf8"), before);
  assert.deepEqual(readdirSync(base), ["earlier"], "no temporary folder left");

  const foreign = join(base, "thesis");
  mkdirSync(foreign);
  writeFileSync(join(foreign, "thesis.tex"), "\\documentclass{article}");
  await assert.rejects(curateLongTail({ images, out: foreign, force: true }), /thesis is not a curate output conceptfreq wrote; --force replaces only conceptfreq's own outputs\./);
  assert.equal(readFileSync(join(foreign, "thesis.tex"), "utf8"), "\\documentclass{article}");
  const file = join(base, "file.txt");
  writeFileSync(file, "keep me");
  await assert.rejects(curateLongTail({ images, out: file, force: true }), /is a file, not a curate output/);
  assert.equal(readFileSync(file, "utf8"), "keep me");
  await assert.rejects(curateLongTail({ images, out: root, force: true }), /holds the input/);
  const cwd = process.cwd();
  process.chdir(foreign);
  try {
    await assert.rejects(curateLongTail({ images, out: ".", force: true }), /is the current directory or holds it/);
  } finally {
    process.chdir(cwd);
  }
  assert.ok(existsSync(join(images, "cat/a.jpg")));
  // an empty folder may be replaced
  const empty = join(base, "empty");
  mkdirSync(empty);
  await curateLongTail({ images, out: empty, minPerClass: 2, seed: 1, force: true });
  assert.ok(existsSync(join(empty, "curate.json")));
});
