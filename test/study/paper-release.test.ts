/**
 * The examples/paper-release manifests, run end to end on a small synthetic copy of the layout of the
 * paper's release (search_counts/, zero_shot_evaluations/, retrieval_evaluations/, t2i_evaluations/):
 * all the release's classification datasets with a few classes each, two of its five corpora, a few
 * models per corpus (and keys of corpora outside the study), text / image / integrated counts, and
 * missing files. One figure's ρ is recomputed here with numpy's semantics spelled out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStudyManifest } from "../../src/study/manifest.js";
import { runStudy } from "../../src/study/run.js";

const root = mkdtempSync(join(tmpdir(), "conceptfreq-release-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));
const release = join(root, "release");
const examples = join(import.meta.dirname, "..", "..", "examples", "paper-release");

const CLASSIFICATION = ["birdsnap", "caltech101", "caltech256", "cifar10", "cifar100", "country211", "cub", "dtd", "eurosat", "fgvcaircraft",
  "flowers102", "food101", "imagenet", "imagenet-r", "imagenet-sketch", "oxfordpets", "stanfordcars", "sun397", "ucf101"];
const CORPORA = ["cc3m", "laion400m"]; // of the five the manifests name; the others' files are missing
const MODELS: Record<string, string[]> = { cc3m: ["RN50", "ViT-B-16"], laion400m: ["RN50", "ViT-B-32"] };

/** A deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(13);

function put(path: string, value: unknown): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, JSON.stringify(value));
}

const METHODS = { text: "lemmatized", image: "rampp0.7", integrated: "integrated_tlemmatized_i0.7" } as const;
/** counts[dataset][corpus][mode][concept] as written, for the independent computation. */
const written: Record<string, Record<string, Record<string, Record<string, number>>>> = {};
/** perf[dataset][key][concept] as written (classwise). */
const perfWritten: Record<string, Record<string, Record<string, number>>> = {};

function countsFor(dataset: string, concepts: string[], opts: { skip?: (corpus: string, mode: string) => boolean; rename?: Record<string, string> } = {}): void {
  written[dataset] = {};
  for (const corpus of CORPORA) {
    written[dataset][corpus] = {};
    for (const [mode, method] of Object.entries(METHODS)) {
      const counts: Record<string, number> = {};
      for (const c of concepts) {
        const base = Math.floor(Math.exp(rand() * 11)) - 1; // 0 .. ~60,000, with zeros
        counts[opts.rename?.[c] ?? c] = mode === "text" ? base : Math.floor(base * (0.3 + 0.5 * rand()));
      }
      written[dataset][corpus][mode] = counts;
      if (opts.skip?.(corpus, mode)) continue;
      put(join(release, "search_counts", `${dataset}_${corpus}_${method}_search_counts.json`), counts);
    }
  }
}

function perfOf(count: number, slope: number, noise: number): number {
  return Math.max(0, Math.min(100, 5 + slope * Math.log10(Math.max(count, 1)) + (rand() - 0.5) * noise));
}

function buildRelease(): void {
  // classification: 19 datasets of 8 classes; cifar10's results say "plane", its counts "airplane"
  for (const ds of CLASSIFICATION) {
    const classes = Array.from({ length: 8 }, (_, i) => (ds === "cifar10" && i === 0 ? "plane" : `${ds} class ${i}`));
    countsFor(ds, classes, {
      rename: ds === "cifar10" ? { plane: "airplane" } : {},
      // the release has no CC-3M text counts for imagenet-sketch
      skip: (corpus, mode) => ds === "imagenet-sketch" && corpus === "cc3m" && mode === "text",
    });
    if (ds === "dtd") {
      // the image tagger's vocabulary does not cover DTD's textures: its image counts name other things
      for (const corpus of CORPORA) put(join(release, "search_counts", `dtd_${corpus}_rampp0.7_search_counts.json`), { "not a texture": 3 });
    }
    const doc: Record<string, { full: number; classwise: Record<string, number> }> = {};
    perfWritten[ds] = {};
    for (const corpus of [...CORPORA, "laion2b"]) {
      for (const model of MODELS[corpus] ?? ["ViT-L-14"]) {
        const counts = written[ds]![corpus === "laion2b" ? "laion400m" : corpus]!.text!;
        const classwise: Record<string, number> = {};
        classes.forEach((c) => (classwise[c] = perfOf(counts[c === "plane" ? "airplane" : c]!, model === "RN50" ? 6 : 8, 10)));
        const key = `backbone${model}_pretrained${corpus}`;
        doc[key] = { full: 50, classwise };
        perfWritten[ds]![key] = classwise;
      }
    }
    put(join(release, "zero_shot_evaluations", `${ds}_ensemble_results.json`), doc);
  }
  // retrieval: coco and flickr, recalls in 0..1
  for (const ds of ["coco", "flickr"]) {
    const concepts = Array.from({ length: 30 }, (_, i) => `${ds} concept ${i}`);
    countsFor(ds, concepts);
    for (const dir of ["i2t", "t2i"]) {
      for (const k of [1, 5, 10]) {
        const doc: Record<string, unknown> = {};
        for (const corpus of CORPORA) {
          for (const model of MODELS[corpus]!) {
            const conceptwise: Record<string, number> = {};
            for (const c of concepts) conceptwise[c] = perfOf(written[ds]![corpus]!.text![c]!, 4 + k, 8) / 100;
            doc[`backbone${model}_pretrained${corpus}`] = { full: 0.5, conceptwise };
          }
        }
        put(join(release, "retrieval_evaluations", `${ds}_${dir}_k=${k}_results.json`), doc);
      }
    }
  }
  // text-to-image: one count file per method (t2i_{corpus}), per-prompt score lists
  const t2iConcepts = Array.from({ length: 25 }, (_, i) => `t2i concept ${i}`);
  written.t2i = { laion_aesthetics: {} };
  for (const [mode, method] of Object.entries(METHODS)) {
    const counts: Record<string, number> = {};
    for (const c of t2iConcepts) counts[c] = Math.floor(Math.exp(rand() * 10));
    written.t2i.laion_aesthetics![mode] = counts;
    put(join(release, "search_counts", `t2i_laion_aesthetics_${method}_search_counts.json`), counts);
  }
  for (const metric of ["human_aesthetics", "human_align", "exp_lpips", "exp_psnr", "exp_ssim", "exp_uiqi"]) {
    const doc: Record<string, unknown> = {};
    for (const model of ["SD-v1.5", "DALL·E mini"]) {
      const classwise: Record<string, number[]> = {};
      for (const c of t2iConcepts) classwise[c] = [0, 1, 2].map(() => perfOf(written.t2i.laion_aesthetics!.text![c]!, 3, 6));
      doc[model] = { full: 1, classwise };
    }
    put(join(release, "t2i_evaluations", `t2i_${metric}.json`), doc);
  }
}

// --- numpy semantics, spelled out (np.linspace, np.digitize(right=True), np.mean, the notebooks' edges[a:-b]) ---
function linspace(lo: number, hi: number, n: number): number[] {
  const step = (hi - lo) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : lo + i * step));
}
/** np.digitize(x, edges, right=True): the i with edges[i-1] < x <= edges[i] (0 below the first edge, n above the last). */
function digitizeRight(x: number, edges: number[]): number {
  let i = 0;
  while (i < edges.length && x > edges[i]!) i++;
  return i;
}
function pearsonR(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
/** The paper's binned ρ of pooled (frequency, performance) points: positions trim[0] .. bins-1-trim[1] of the bins, empty ones left out. */
function paperRho(points: { f: number; p: number }[], bins: number, trim: [number, number]): number {
  const x = points.map((q) => Math.log(Math.max(q.f, 1)));
  const edges = linspace(Math.min(...x), Math.max(...x), bins);
  const sums = new Map<number, { s: number; n: number }>();
  x.forEach((v, i) => {
    const idx = digitizeRight(v, edges);
    const e = sums.get(idx) ?? { s: 0, n: 0 };
    e.s += points[i]!.p;
    e.n++;
    sums.set(idx, e);
  });
  const kept = [...sums.keys()].filter((i) => i >= trim[0] && i < bins - trim[1]).sort((a, b) => a - b);
  return pearsonR(kept.map((i) => edges[i]!), kept.map((i) => sums.get(i)!.s / sums.get(i)!.n));
}

buildRelease();

test("classification.yaml: 19 datasets pooled per model and corpus, LAION-400M trimmed 2,1, soft failures as warnings", async () => {
  const manifest = readStudyManifest(join(examples, "classification.yaml"), { root: release });
  const seen: string[] = [];
  const notes: string[] = [];
  const s = await runStudy(manifest, { out: join(root, "classification"), onWarning: (w) => seen.push(w), onNote: (n) => notes.push(n) });
  assert.deepEqual(seen, s.warnings, "every warning is reported as it arises");
  const results = JSON.parse(readFileSync(join(root, "classification", "results.json"), "utf8"));
  const figure = results.fits.filter((f: { figure: string }) => f.figure === "classification");
  // 2 corpora × 3 modes × 2 models each (keys of laion2b skipped)
  assert.equal(figure.length, 12);
  assert.deepEqual([...new Set(figure.map((f: { model: string }) => f.model))].sort(), ["RN50", "ViT-B-16", "ViT-B-32"]);
  assert.ok(notes.some((n) => /laion2b \(19\)/.test(n)), notes.join("\n"));

  // RN50 on CC-3M, text: 18 datasets pooled (imagenet-sketch has no CC-3M text counts), cifar10's plane joined as airplane
  const rn50 = figure.find((f: { model: string; corpus: string; mode: string }) => f.model === "RN50" && f.corpus === "cc3m" && f.mode === "text");
  assert.equal(rn50.dataset.split("+").length, 18);
  assert.ok(!rn50.dataset.split("+").includes("imagenet-sketch"));
  assert.equal(rn50.n, 18 * 8);
  const points: { f: number; p: number }[] = [];
  for (const ds of CLASSIFICATION.filter((d) => d !== "imagenet-sketch")) {
    for (const [c, p] of Object.entries(perfWritten[ds]!["backboneRN50_pretrainedcc3m"]!)) points.push({ f: written[ds]!.cc3m!.text![c === "plane" ? "airplane" : c]!, p });
  }
  const rho = paperRho(points, 12, [1, 1]);
  assert.ok(Math.abs(rn50.binned_r - rho) < 1e-12, `binned ρ ${rn50.binned_r} vs ${rho} by hand`);
  assert.deepEqual(rn50.binned.trim, [1, 1]);
  const laion = figure.find((f: { model: string; corpus: string; mode: string }) => f.model === "RN50" && f.corpus === "laion400m" && f.mode === "text");
  assert.deepEqual(laion.binned.trim, [2, 1], "the per-corpus override");
  const laionPoints: { f: number; p: number }[] = [];
  for (const ds of CLASSIFICATION) {
    for (const [c, p] of Object.entries(perfWritten[ds]!["backboneRN50_pretrainedlaion400m"]!)) laionPoints.push({ f: written[ds]!.laion400m!.text![c === "plane" ? "airplane" : c]!, p });
  }
  assert.ok(Math.abs(laion.binned_r - paperRho(laionPoints, 12, [2, 1])) < 1e-12);

  // DTD has no concept in the image vocabulary: left out of image and integrated? image only (its integrated counts are fine)
  const rn50image = figure.find((f: { model: string; corpus: string; mode: string }) => f.model === "RN50" && f.corpus === "cc3m" && f.mode === "image");
  assert.ok(!rn50image.dataset.split("+").includes("dtd"));
  assert.ok(s.warnings.some((w) => w === 'corpus "cc3m", image mode, dataset "dtd": no concept of the dataset has a count; the dataset is left out of this corpus and mode.'), s.warnings.join("\n"));
  assert.ok(s.warnings.some((w) => /^corpus "cc3m", text mode, dataset "imagenet-sketch": no count file search_counts\/imagenet-sketch_cc3m_lemmatized_search_counts\.json|no count file .*imagenet-sketch_cc3m_lemmatized/.test(w)));
  assert.ok(s.warnings.some((w) => /corpus "cc12m", text mode, dataset "cifar10": no count file/.test(w)), "corpora whose files are missing are warned about");
  assert.equal(new Set(s.warnings).size, s.warnings.length, "each warning once");

  // per-dataset fits stay, with the figure column empty
  const csv = readFileSync(join(root, "classification", "results.csv"), "utf8").split("\n");
  assert.ok(csv[0]!.startsWith("figure,dataset,model,corpus,mode,"));
  assert.ok(csv.some((l) => l.startsWith(",cifar10,RN50,cc3m,text,8,")));
  assert.ok(existsSync(join(root, "classification", "plots", "figures", "classification", "cc3m.text.svg")));
  const html = readFileSync(join(root, "classification", "report.html"), "utf8");
  assert.match(html, /<select id="figure-picker">/);
  const data = JSON.parse(readFileSync(join(root, "classification", "study-data.json"), "utf8"));
  assert.deepEqual(data.figures.map((f: { name: string }) => f.name), ["classification"]);
});

test("retrieval.yaml: COCO + Flickr pooled per direction and k, recalls scaled to points, 7 bins trimmed 3,0", async () => {
  const manifest = readStudyManifest(join(examples, "retrieval.yaml"), { root: release });
  manifest.analyses.plots = false;
  const s = await runStudy(manifest, { out: join(root, "retrieval") });
  const results = JSON.parse(readFileSync(join(root, "retrieval", "results.json"), "utf8"));
  const figures = [...new Set(results.fits.map((f: { figure: string }) => f.figure).filter(Boolean))];
  assert.deepEqual(figures, ["i2t_k=1", "i2t_k=5", "i2t_k=10", "t2i_k=1", "t2i_k=5", "t2i_k=10"]);
  const f = results.fits.find((x: { figure: string; model: string; corpus: string; mode: string }) => x.figure === "t2i_k=5" && x.model === "ViT-B-16" && x.corpus === "cc3m" && x.mode === "text");
  assert.equal(f.dataset, "coco_t2i_k=5+flickr_t2i_k=5");
  assert.equal(f.n, 60);
  assert.deepEqual([f.binned.bin_count, ...f.binned.trim], [7, 3, 0]);
  const doc = (ds: string) => JSON.parse(readFileSync(join(release, "retrieval_evaluations", `${ds}_t2i_k=5_results.json`), "utf8"))["backboneViT-B-16_pretrainedcc3m"].conceptwise;
  const points = ["coco", "flickr"].flatMap((ds) => Object.entries(doc(ds) as Record<string, number>).map(([c, r]) => ({ f: written[ds]!.cc3m!.text![c]!, p: r * 100 })));
  assert.ok(Math.abs(f.binned_r - paperRho(points, 7, [3, 0])) < 1e-12);
  assert.ok(s.warnings.every((w) => /no count file/.test(w)), s.warnings.join("\n"));
});

test("t2i.yaml: per-prompt score lists averaged, one count file for every metric, via the CLI with --root", async () => {
  const { spawnSync } = await import("node:child_process");
  const cli = join(import.meta.dirname, "..", "..", "dist", "cli", "main.js");
  const r = spawnSync(process.execPath, [cli, "study", join(examples, "t2i.yaml"), "--root", release, "--out", join(root, "t2i")], { encoding: "utf8", cwd: root });
  assert.equal(r.status, 0, r.stderr);
  // counts read from files are neither computed nor cached, and the summary says which they are
  assert.match(r.stderr, /^counts: 0 corpus × mode computed, 0 from the cache, \d+ read from count files; /m);
  const results = JSON.parse(readFileSync(join(root, "t2i", "results.json"), "utf8"));
  const f = results.fits.find((x: { figure: string; model: string; mode: string }) => x.figure === "human_align" && x.model === "DALL·E mini" && x.mode === "text");
  assert.equal(f.n, 25);
  const lists = JSON.parse(readFileSync(join(release, "t2i_evaluations", "t2i_human_align.json"), "utf8"))["DALL·E mini"].classwise as Record<string, number[]>;
  const points = Object.entries(lists).map(([c, l]) => ({ f: written.t2i!.laion_aesthetics!.text![c]!, p: (l[0]! + l[1]! + l[2]!) / 3 }));
  assert.ok(Math.abs(f.binned_r - paperRho(points, 7, [3, 0])) < 1e-12);
  assert.ok(existsSync(join(root, "t2i", "plots", "figures", "human_align", "laion_aesthetics.text.svg")));
});

test("bad inputs fail before anything is written, all at once, paths as given", async () => {
  const broken = join(root, "broken");
  mkdirSync(join(broken, "zero_shot_evaluations"), { recursive: true });
  const manifest = readStudyManifest(join(examples, "classification.yaml"), { root: broken });
  const out = join(root, "broken-out");
  const cwd = process.cwd();
  process.chdir(root);
  try {
    await assert.rejects(runStudy(manifest, { out }), (e: Error) => {
      assert.match(e.message, /^19 problems with the study's inputs:\n/);
      assert.match(e.message, /dataset "cifar10": the result file broken\/zero_shot_evaluations\/cifar10_ensemble_results\.json does not exist\./);
      return true;
    });
  } finally {
    process.chdir(cwd);
  }
  assert.ok(!existsSync(out), "nothing written, not even cache/");
});
