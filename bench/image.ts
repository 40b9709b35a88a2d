/**
 * Image-tagging benchmark: images tagged per second against 4,029 concepts at D = 512 and D = 768
 * (float16 .npy embeddings, the whole `image-index build` path: read, convert, normalise, similarity
 * product, tag selection, bitmaps, index written), the achieved GFLOP/s of the similarity product,
 * and the peak of the same kernel on a large square product, measured on this machine.
 *
 * Embeddings are random Gaussian vectors; the threshold is set at 3.2 standard deviations of a random
 * cosine (3.2/√D), which gives a few tags per image, like a real tagger threshold. The machine may be
 * shared: each figure is the best of several runs, and the peak is measured right before each build.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { buildImageIndexFromEmbeddings, tagBlockRows, createSimilarityKernel, float32ToFloat16, writeNpy } from "../src/index.js";

const CONCEPTS = 4029;

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const a = 2 * Math.PI * next();
    out[i] = r * Math.cos(a);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

/** Best-of-`reps` GFLOP/s of the kernel on an n × n by n × n product. */
async function peak(n: number, reps = 5): Promise<{ gflops: number; backend: string }> {
  const b = randomMatrix(n, n, 1);
  const a = randomMatrix(n, n, 2);
  const kernel = await createSimilarityKernel(b, n, n);
  try {
    await kernel.scores(a, n); // warm-up (packing, thread pool)
    let best = Infinity;
    for (let r = 0; r < reps; r++) {
      const t0 = process.hrtime.bigint();
      await kernel.scores(a, n);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    return { gflops: (2 * n * n * n) / best / 1e9, backend: kernel.backend };
  } finally {
    await kernel.release();
  }
}

/** The kernel alone on the tagger's shape: blocks of images × 4,029 concepts. */
async function kernelOnly(d: number, rows: number, blockRows: number): Promise<number> {
  const c = randomMatrix(CONCEPTS, d, 3);
  const a = randomMatrix(blockRows, d, 4);
  const kernel = await createSimilarityKernel(c, CONCEPTS, d);
  try {
    await kernel.scores(a, blockRows);
    const t0 = process.hrtime.bigint();
    for (let done = 0; done < rows; done += blockRows) await kernel.scores(a, blockRows);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    return (2 * rows * CONCEPTS * d) / s / 1e9;
  } finally {
    await kernel.release();
  }
}

export async function main(): Promise<void> {
  console.log(`image tagging (${availableParallelism()} cores): ${CONCEPTS} concepts, float16 .npy embeddings, full image-index build path`);
  console.log("  (peak: the same kernel on a 2048 x 2048 x 2048 product, the best of 5 runs before and 5 after each build)");
  const dir = mkdtempSync(join(tmpdir(), "cf-bench-image-"));
  try {
    for (const d of [512, 768]) {
      const n = d === 512 ? 60_000 : 40_000;
      const shards = 2;
      const files: string[] = [];
      for (let s = 0; s < shards; s++) {
        const f = join(dir, `img_emb_${d}_${s}.npy`);
        writeNpy(f, float32ToFloat16(randomMatrix(n / shards, d, 10 + s)), [n / shards, d], "float16");
        files.push(f);
      }
      const cFile = join(dir, `concepts_${d}.npy`);
      writeNpy(cFile, randomMatrix(CONCEPTS, d, 5), [CONCEPTS, d]);
      const list = join(dir, "concepts.txt");
      writeFileSync(list, Array.from({ length: CONCEPTS }, (_, i) => `concept ${i}`).join("\n") + "\n");
      const threshold = Math.round((3.2 / Math.sqrt(d)) * 1000) / 1000;
      const p = await peak(2048);
      // Best of two full builds (the machine is shared: the faster run is the less disturbed one).
      let r: Awaited<ReturnType<typeof buildImageIndexFromEmbeddings>> | undefined;
      for (let rep = 0; rep < 2; rep++) {
        const run = await buildImageIndexFromEmbeddings({
          embeddings: files,
          conceptEmbeddings: cFile,
          concepts: list,
          threshold,
          out: join(dir, `idx-${d}-${rep}`),
        });
        if (!r || run.seconds < r.seconds) r = run;
      }
      const after = await peak(2048);
      if (after.gflops > p.gflops) p.gflops = after.gflops;
      const flop = 2 * n * CONCEPTS * d;
      const m = r!.manifests[0]!;
      const block = tagBlockRows(CONCEPTS);
      const kernel = await kernelOnly(d, 32 * block, block);
      const gf = flop / r!.seconds / 1e9;
      console.log(
        `  D = ${d}: ${n} images in ${r!.seconds.toFixed(2)} s = ${Math.round(n / r!.seconds)} images/s (best of 2); ` +
          `${gf.toFixed(1)} GFLOP/s end to end = ${((gf / p.gflops) * 100).toFixed(0)}% of the kernel's peak ${p.gflops.toFixed(1)} GFLOP/s (${p.backend}); ` +
          `kernel alone on ${block}-row blocks: ${kernel.toFixed(1)} GFLOP/s; threshold ${threshold}: ${m.stats.tagsPerImage.toFixed(2)} tags per image`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
