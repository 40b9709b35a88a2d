/**
 * The paper-release classification example at the release's scale: a synthetic copy of its layout
 * with 19 datasets (4,670 classes in all, about the release's class counts), 5 corpora × 3
 * count modes (285 count files), 19 result files of 21 models each (10 of them trained on a study
 * corpus), run with `conceptfreq study examples/paper-release/classification.yaml --root DIR` in a
 * fresh process. Prints wall-clock seconds and the process' peak RSS.
 *
 * Run: `npm run bench -- study` (or `node --import tsx bench/study.ts`).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DATASETS: [string, number][] = [
  ["birdsnap", 500], ["caltech101", 101], ["caltech256", 257], ["cifar10", 10], ["cifar100", 100], ["country211", 211], ["cub", 200],
  ["dtd", 47], ["eurosat", 10], ["fgvcaircraft", 100], ["flowers102", 102], ["food101", 101], ["imagenet", 1000], ["imagenet-r", 200],
  ["imagenet-sketch", 1000], ["oxfordpets", 37], ["stanfordcars", 196], ["sun397", 397], ["ucf101", 101],
];
const CORPORA = ["cc3m", "cc12m", "yfcc15m", "laion400m", "laion_aesthetics"];
const METHODS = ["lemmatized", "rampp0.7", "integrated_tlemmatized_i0.7"];
// 21 keys per result file: 10 on study corpora, 11 on others (skipped)
const KEYS = [
  ...["RN50", "RN101"].flatMap((m) => ["cc3m", "cc12m", "yfcc15m", "laion400m"].map((c) => `backbone${m}_pretrained${c}`)),
  "backboneViT-B-16_pretrainedlaion400m", "backboneViT-B-32_pretrainedlaion_aesthetics",
  ...Array.from({ length: 11 }, (_, i) => `backboneViT-${i}_pretrained${i % 2 ? "laion2b" : "datacomp"}`),
];

export async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "conceptfreq-bench-study-"));
  try {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    mkdirSync(join(dir, "search_counts"), { recursive: true });
    mkdirSync(join(dir, "zero_shot_evaluations"), { recursive: true });
    let classes = 0;
    for (const [ds, n] of DATASETS) {
      const names = Array.from({ length: n }, (_, i) => `${ds} class ${i}`);
      classes += n;
      for (const c of CORPORA) {
        for (const m of METHODS) {
          writeFileSync(join(dir, "search_counts", `${ds}_${c}_${m}_search_counts.json`), JSON.stringify(Object.fromEntries(names.map((k) => [k, Math.floor(Math.exp(rand() * 12))]))));
        }
      }
      const doc: Record<string, unknown> = {};
      for (const key of KEYS) doc[key] = { full: 50, classwise: Object.fromEntries(names.map((k) => [k, Math.round(rand() * 1000) / 10])) };
      writeFileSync(join(dir, "zero_shot_evaluations", `${ds}_ensemble_results.json`), JSON.stringify(doc));
    }
    const start = process.hrtime.bigint();
    const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, join(ROOT, "dist/cli/main.js"), "study", join(ROOT, "examples/paper-release/classification.yaml"), "--root", dir, "--out", join(dir, "out"), "--quiet"], { encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`study failed: ${r.stderr}`);
    const rssKiB = Number(r.stderr.trim().split("\n").pop());
    console.log("study: the paper-release classification example at the release's scale (synthetic copy)");
    console.log(`  ${DATASETS.length} datasets, ${classes} classes, ${DATASETS.length * CORPORA.length * METHODS.length} count files, ${DATASETS.length} result files × ${KEYS.length} models`);
    console.log(`  ${seconds.toFixed(1)} s wall clock, peak RSS ${(rssKiB / 1024).toFixed(0)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
