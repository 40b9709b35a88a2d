// Every ```ts / ```js example of README.md and docs/*.md that imports "conceptfreq" runs as written:
// each is saved to its own temporary project whose node_modules/conceptfreq is this package (so the
// import goes through package.json `exports` to dist/, as a user's does) and run with node (tsx for
// TypeScript); it must exit 0. The data files the examples name are generated here, under those names:
//
//   captions.tsv, more.tsv   CC-3M-shaped captions (caption<TAB>url)
//   x.idx                    a text index of captions.tsv
//   concepts.txt             concept names, one per line (the rows of c.npy)
//   c.npy, img_emb_0.npy     concept and image embeddings (float32; one image row per caption row)
//   counts.json              {concept: count}, as `conceptfreq count` writes it
//   results.json             {"RN50": {"classwise": {concept: accuracy}}}: a results file with a model inside
//   candidates/CLASS/*.jpg   candidate images per class; cat.jpg an image
//
// A new example needing another file adds it to the fixtures below under the name the doc uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { buildTextIndex } from "../../src/text-index/build.js";
import { encodeNpy } from "../../src/matrix/npy.js";
import { syntheticImage } from "../longtail/fixtures.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const tsx = import.meta.resolve("tsx");

/** A project whose `conceptfreq` is this package, seen through its `exports` as an installed one is. */
function exampleProject(dir: string): void {
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules", "conceptfreq"), "dir");
  // verbatimModuleSyntax keeps every import, so tsx fails on a name the package does not export
  // (esbuild would otherwise drop an unused one); the same settings typecheck the examples.
  const compilerOptions = {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    verbatimModuleSyntax: true,
    types: ["node"],
    typeRoots: [join(root, "node_modules", "@types")],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.mts"] }, null, 2));
}

interface Example {
  file: string;
  line: number;
  lang: string;
  code: string;
}

/** The fenced ts/js blocks of a markdown file that import from "conceptfreq". */
function examplesOf(file: string, text: string): Example[] {
  const out: Example[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript|js|javascript|mjs|mts)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const code = lines.slice(start, end).join("\n");
    if (/from\s+["']conceptfreq["']/.test(code)) out.push({ file, line: start + 1, lang: open[1]!, code });
    i = end;
  }
  return out;
}

const docs = ["README.md", ...readdirSync(join(root, "docs")).filter((n) => n.endsWith(".md")).sort().map((n) => `docs/${n}`)];
const examples = docs.flatMap((f) => examplesOf(f, readFileSync(join(root, f), "utf8")));

const CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck", "okapi", "aye-aye"];
const CAPTIONS = [
  "a dog on the beach",
  "two dogs and a cat on a sofa",
  "a cat sleeping in the sun",
  "a red truck in the street",
  "a horse in a field",
  "an airplane over the clouds",
  "a ship in the harbour",
  "a bird and a dog in the garden",
];
const D = 8;

let fixtures: string;

test.before(async () => {
  fixtures = mkdtempSync(join(tmpdir(), "cf-doc-fixtures-"));
  const tsv = (captions: string[], base: number) => captions.map((c, i) => `${c}\thttp://x.invalid/${base + i}.jpg`).join("\n") + "\n";
  writeFileSync(join(fixtures, "captions.tsv"), tsv(CAPTIONS, 0));
  writeFileSync(join(fixtures, "more.tsv"), tsv(["a frog on a leaf", "a deer and a dog"], CAPTIONS.length));
  await buildTextIndex([join(fixtures, "captions.tsv")], { out: join(fixtures, "x.idx"), workers: 1 });
  // concept k is direction k; image i holds the concepts its caption names (so tags agree with captions)
  const concepts = ["dog", "cat", "truck", "horse"];
  writeFileSync(join(fixtures, "concepts.txt"), concepts.join("\n") + "\n");
  const c = new Float32Array(concepts.length * D);
  concepts.forEach((_, k) => (c[k * D + k] = 1));
  writeFileSync(join(fixtures, "c.npy"), encodeNpy(c, [concepts.length, D]));
  const img = new Float32Array(CAPTIONS.length * D);
  CAPTIONS.forEach((caption, i) => {
    img[i * D + D - 1] = 0.5; // a background direction no concept has
    concepts.forEach((name, k) => {
      if (caption.includes(name)) img[i * D + k] = 1;
    });
  });
  writeFileSync(join(fixtures, "img_emb_0.npy"), encodeNpy(img, [CAPTIONS.length, D]));
  // counts and accuracies with a clear log-linear trend
  const counts: Record<string, number> = {};
  const classwise: Record<string, number> = {};
  CLASSES.forEach((name, k) => {
    counts[name] = Math.round(10 ** (k / 2));
    classwise[name] = Math.min(95, 10 + 6 * (k / 2) + (k % 3));
  });
  writeFileSync(join(fixtures, "counts.json"), JSON.stringify(counts, null, 2) + "\n");
  writeFileSync(join(fixtures, "results.json"), JSON.stringify({ RN50: { classwise } }, null, 2) + "\n");
  for (const [k, cls] of ["okapi", "aye-aye"].entries()) {
    mkdirSync(join(fixtures, "candidates", cls), { recursive: true });
    for (let j = 0; j < 3; j++) writeFileSync(join(fixtures, "candidates", cls, `${j}.jpg`), await syntheticImage(100 * k + j, 96, 96));
  }
  writeFileSync(join(fixtures, "cat.jpg"), await syntheticImage(7, 96, 96));
});
test.after(() => rmSync(fixtures, { recursive: true, force: true }));

test("the README and docs have library examples, and this test finds them", () => {
  assert.ok(examples.some((e) => e.file === "README.md"), "README.md has a library example");
  assert.ok(examples.length >= 4, `found ${examples.length} examples`);
});

test("every TypeScript example typechecks against the package's published types", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-doc-types-"));
  try {
    exampleProject(dir);
    const names = new Map<string, Example>();
    examples
      .filter((e) => e.lang.startsWith("t") || e.lang === "mts")
      .forEach((e, i) => {
        const name = `example-${i}.mts`;
        names.set(name, e);
        writeFileSync(join(dir, name), e.code + "\n");
      });
    const r = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { cwd: dir, encoding: "utf8" });
    // name each error by the doc and line it comes from
    const report = r.stdout.replace(/(example-\d+\.mts)\((\d+),(\d+)\)/g, (_, f: string, l: string) => {
      const e = names.get(f)!;
      return `${e.file}:${e.line + Number(l) - 1}`;
    });
    assert.equal(r.status, 0, report + r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const ex of examples) {
  test(`${ex.file}:${ex.line} runs as written`, () => {
    const dir = mkdtempSync(join(tmpdir(), "cf-doc-example-"));
    try {
      cpSync(fixtures, dir, { recursive: true });
      exampleProject(dir);
      const typescript = ex.lang.startsWith("t") || ex.lang === "mts";
      const script = join(dir, typescript ? "example.mts" : "example.mjs");
      writeFileSync(script, ex.code + "\n");
      const args = typescript ? ["--import", tsx, script] : [script];
      const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, `${ex.file}:${ex.line} exited ${r.status}${r.signal ? ` (${r.signal})` : ""}\n${r.stderr}\n${r.stdout}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
