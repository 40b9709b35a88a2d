/**
 * Zero-shot evaluation benchmark:
 *   - classification of 50,000 images × 1,000 classes at D = 512 (the target: a few seconds),
 *     in memory and end to end from a float16 .npy file through `classifyFiles`;
 *   - retrieval with concept-wise recall over the CC3M validation captions when present
 *     (/work/shared/data/cc3m-val/captions.tsv; random embeddings, 1 caption per image), else over
 *     generated captions; caption analysis and the similarity pass are timed separately;
 *   - aggregation of 1,000,000 JSONL score lines.
 * Embeddings are random (images near their class vector), so the figures measure speed, not accuracy.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import {
  aggregateScoresFile,
  imageConceptsFromCaptions,
  classifyFiles,
  classifyZeroShot,
  retrieveZeroShot,
  float32ToFloat16,
  writeNpy,
  memoryRows,
} from "../src/index.js";

const CC3M = "/work/shared/data/cc3m-val/captions.tsv";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const rssMiB = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

export async function main(): Promise<void> {
  console.log(`eval: zero-shot evaluation from embeddings (${availableParallelism()} cores)`);
  const dir = mkdtempSync(join(tmpdir(), "cf-bench-eval-"));
  try {
    // --- classification ---
    const n = 50_000;
    const classes = 1000;
    const d = 512;
    const r = rng(7);
    const w = Float32Array.from({ length: classes * d }, r);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7919) % classes);
    const img = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) img[i * d + j] = w[labels[i]! * d + j]! * 0.15 + r();
    const names = Array.from({ length: classes }, (_, c) => `class${c}`);
    let t0 = process.hrtime.bigint();
    const rep = await classifyZeroShot({ images: memoryRows(img, n, d), classEmbeddings: { rows: classes, cols: d, data: w }, classNames: names, labels });
    const tMem = seconds(t0);
    console.log(
      `  classify ${n}×${classes}×${d} in memory: ${tMem.toFixed(2)} s (${(n / tMem).toFixed(0)} images/s, ` +
        `${((2 * n * classes * d) / tMem / 1e9).toFixed(1)} effective GFLOP/s; top-1 ${rep.result.full}%, ${rep.backend})`,
    );
    writeNpy(join(dir, "img.npy"), float32ToFloat16(img), [n, d], "float16");
    writeNpy(join(dir, "w.npy"), w, [classes, d]);
    writeNpy(join(dir, "labels.npy"), labels, [n]);
    writeFileSync(join(dir, "classes.txt"), names.join("\n") + "\n");
    t0 = process.hrtime.bigint();
    await classifyFiles({ imageEmbeddings: join(dir, "img.npy"), labels: join(dir, "labels.npy"), classEmbeddings: join(dir, "w.npy"), classes: join(dir, "classes.txt") });
    const tFile = seconds(t0);
    console.log(`  classify ${n}×${classes}×${d} from a float16 .npy (read, convert, normalise, product, exact top-5): ${tFile.toFixed(2)} s`);

    // --- retrieval ---
    let captions: string[];
    let source: string;
    if (existsSync(CC3M)) {
      captions = readFileSync(CC3M, "utf8").split("\n").filter((l) => l !== "").map((l) => l.split("\t")[0]!);
      source = "CC3M validation captions";
    } else {
      const words = ["dog", "cat", "beach", "car", "tree", "house", "person", "city", "flower", "bird"];
      captions = Array.from({ length: 10_000 }, (_, i) => `a ${words[i % 10]} near a ${words[(i * 7) % 10]}`);
      source = "generated captions";
    }
    const nI = captions.length;
    t0 = process.hrtime.bigint();
    const ic = await imageConceptsFromCaptions(captions, 1, { minImages: 10 });
    const tAnalyse = seconds(t0);
    const ri = Float32Array.from({ length: nI * d }, r);
    const rt = new Float32Array(nI * d);
    for (let i = 0; i < nI * d; i++) rt[i] = ri[i]! * 0.2 + r();
    t0 = process.hrtime.bigint();
    const rr = await retrieveZeroShot({ images: memoryRows(ri, nI, d), texts: memoryRows(rt, nI, d), captionsPerImage: 1, concepts: ic.concepts });
    const tRet = seconds(t0);
    console.log(
      `  retrieve ${nI} images × ${nI} captions × ${d} (${source}): caption analysis ${tAnalyse.toFixed(2)} s (${(nI / tAnalyse).toFixed(0)} captions/s), ` +
        `recall pass ${tRet.toFixed(2)} s (${((nI * nI) / tRet / 1e6).toFixed(0)} M pairs/s, both directions); ${ic.concepts.size} concepts in >= 10 images; ` +
        `i2t R@1 ${rr.result.i2t["1"]!.full}%`,
    );

    // --- aggregation ---
    const lines = 1_000_000;
    const parts: string[] = [];
    for (let i = 0; i < lines; i++) {
      parts.push(JSON.stringify({ prompt: `prompt ${i >> 2}`, concept: `concept${(i >> 2) % 5000}`, score: (i % 97) / 97, aesthetic: 4 + (i % 13) / 13 }));
    }
    writeFileSync(join(dir, "scores.jsonl"), parts.join("\n") + "\n");
    t0 = process.hrtime.bigint();
    const ag = await aggregateScoresFile(join(dir, "scores.jsonl"));
    const tAgg = seconds(t0);
    console.log(`  aggregate ${lines} score lines: ${tAgg.toFixed(2)} s (${(lines / tAgg / 1000).toFixed(0)}k lines/s, ${ag.concepts.length} concepts)`);
    console.log(`  peak RSS ${rssMiB()} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
