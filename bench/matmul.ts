/**
 * Similarity-kernel benchmark: achieved GFLOP/s of S = A · Bᵀ (matrix/matmul.ts) on a large square
 * product (2048³) and on the zero-shot classification shape (50,000 images × 1,000 classes × D = 512,
 * streamed in blocks by similarityBlocks), for the onnxruntime backend and, for comparison, the
 * single-threaded JavaScript fallback kernel. Best of 3 timed runs after a warm-up.
 */
import { availableParallelism } from "node:os";
import { createSimilarityKernel, jsSimilarity, similarityBlocks, memoryRows } from "../src/index.js";

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function best<T>(runs: number, fn: () => Promise<T>): Promise<number> {
  await fn(); // warm-up
  let b = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return b;
}

export async function main(): Promise<void> {
  const threads = availableParallelism();
  console.log(`matmul: similarity kernel S = A·Bᵀ (float32), ${threads} threads`);

  const n = 2048;
  const a = randomMatrix(n, n, 1);
  const b = randomMatrix(n, n, 2);
  const kernel = await createSimilarityKernel(b, n, n);
  const tSquare = await best(3, () => kernel.scores(a, n));
  await kernel.release();
  console.log(`  ${kernel.backend} ${n}×${n}×${n}: ${tSquare.toFixed(3)} s, ${((2 * n ** 3) / tSquare / 1e9).toFixed(1)} GFLOP/s`);

  const rows = 50_000;
  const m = 1000;
  const d = 512;
  const imgs = randomMatrix(rows, d, 3);
  const cls = randomMatrix(m, d, 4);
  for (const blockRows of [2048, 4096]) {
    const t = await best(3, () => similarityBlocks(memoryRows(imgs, rows, d), cls, { blockRows }, () => {}));
    console.log(
      `  onnxruntime ${rows}×${m}×${d} in blocks of ${blockRows}: ${t.toFixed(3)} s, ${((2 * rows * m * d) / t / 1e9).toFixed(1)} GFLOP/s (incl. block copies)`,
    );
  }

  const js = 512;
  const ja = randomMatrix(js, js, 5);
  const jb = randomMatrix(js, js, 6);
  const out = new Float32Array(js * js);
  const tJs = await best(3, async () => jsSimilarity(ja, js, jb, js, js, out));
  console.log(`  js fallback (1 thread) ${js}×${js}×${js}: ${tJs.toFixed(3)} s, ${((2 * js ** 3) / tJs / 1e9).toFixed(2)} GFLOP/s`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
