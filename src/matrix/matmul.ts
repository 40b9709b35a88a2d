/**
 * Blocked similarity products S = A · Bᵀ (A: n × d streamed in row blocks, B: m × d held in memory),
 * computed on all cores.
 *
 * The default backend is onnxruntime-node: a one-node MatMul model is built in code (onnx-model.ts)
 * with Bᵀ as a constant initializer, so its multithreaded MLAS kernel packs B once and reuses it for
 * every block. Intra-op threads default to os.availableParallelism() and do not spin between runs
 * (the caller's JavaScript needs the cores between blocks). If onnxruntime-node cannot be loaded, a
 * cache-blocked single-threaded JavaScript kernel is used instead (bench/matmul.ts measures both).
 *
 * Scores are float32 products with float32 accumulation in an order the kernel chooses: each score
 * is within `float32DotErrorBound` of the exact dot product. Callers that need exact decisions
 * (evaluate/) re-score near-ties in float64.
 */
import { availableParallelism } from "node:os";
import type { MatrixRows } from "./rows.js";
import { matmulModel } from "./onnx-model.js";

export type KernelBackend = "onnxruntime" | "js";

export interface KernelOptions {
  /** "auto" (default): onnxruntime when it loads, else the JavaScript kernel. */
  backend?: KernelBackend | "auto";
  /** Threads for onnxruntime (default: os.availableParallelism()). */
  threads?: number;
}

export interface SimilarityKernel {
  readonly backend: KernelBackend;
  /** Rows of B (columns of the result). */
  readonly m: number;
  /** The shared dimension. */
  readonly d: number;
  /** S = A · Bᵀ for the first n rows of `a` (n × d, row-major); returns n × m, row-major. */
  scores(a: Float32Array, n: number): Promise<Float32Array>;
  /** Frees the native session (the kernel cannot be used afterwards). */
  release(): Promise<void>;
}

type Ort = typeof import("onnxruntime-node");
let ortPromise: Promise<Ort | undefined> | undefined;

async function loadOrt(): Promise<Ort | undefined> {
  ortPromise ??= import("onnxruntime-node").then(
    (m) => ((m as { default?: Ort }).default ?? m) as Ort,
    () => undefined,
  );
  return ortPromise;
}

/** Whether the onnxruntime backend is available on this machine. */
export async function onnxruntimeAvailable(): Promise<boolean> {
  return (await loadOrt()) !== undefined;
}

/**
 * Relative error bound of a float32 dot product of length d with float32 accumulation in any order:
 * |computed − exact| ≤ γ_d · Σ|a_k b_k| ≤ γ_d · ‖a‖‖b‖, with γ_d = d·u/(1 − d·u), u = 2⁻²⁴.
 * (The bound also holds with fused multiply-adds.)
 */
export function float32DotErrorBound(d: number): number {
  const u = 2 ** -24;
  return (d * u) / (1 - d * u);
}

function transpose(b: Float32Array, m: number, d: number): Float32Array {
  const bt = new Float32Array(m * d);
  for (let j = 0; j < m; j++) {
    const row = j * d;
    for (let k = 0; k < d; k++) bt[k * m + j] = b[row + k]!;
  }
  return bt;
}

async function onnxKernel(ort: Ort, b: Float32Array, m: number, d: number, threads: number): Promise<SimilarityKernel> {
  const model = matmulModel(transpose(b, m, d), d, m);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  });
  return {
    backend: "onnxruntime",
    m,
    d,
    async scores(a: Float32Array, n: number): Promise<Float32Array> {
      if (n === 0) return new Float32Array(0);
      const input = new ort.Tensor("float32", a.length === n * d ? a : a.subarray(0, n * d), [n, d]);
      const out = await session.run({ A: input });
      return out.S!.data as Float32Array;
    },
    async release(): Promise<void> {
      await session.release();
    },
  };
}

/** S = A · Bᵀ in plain JavaScript: 2 × 4 register blocks over column panels of B that stay in cache. */
export function jsSimilarity(a: Float32Array, n: number, b: Float32Array, m: number, d: number, out = new Float32Array(n * m)): Float32Array {
  const panel = Math.max(4, Math.floor(16384 / Math.max(1, d)) & ~3); // ~64 KiB of B per panel
  for (let j0 = 0; j0 < m; j0 += panel) {
    const j1 = Math.min(m, j0 + panel);
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const a0 = i * d;
      const a1 = a0 + d;
      let j = j0;
      for (; j + 3 < j1; j += 4) {
        const b0 = j * d;
        const b1 = b0 + d;
        const b2 = b1 + d;
        const b3 = b2 + d;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (let k = 0; k < d; k++) {
          const x0 = a[a0 + k]!;
          const x1 = a[a1 + k]!;
          const y0 = b[b0 + k]!;
          const y1 = b[b1 + k]!;
          const y2 = b[b2 + k]!;
          const y3 = b[b3 + k]!;
          s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        }
        const o0 = i * m + j;
        const o1 = o0 + m;
        out[o0] = s00; out[o0 + 1] = s01; out[o0 + 2] = s02; out[o0 + 3] = s03;
        out[o1] = s10; out[o1 + 1] = s11; out[o1 + 2] = s12; out[o1 + 3] = s13;
      }
      for (; j < j1; j++) {
        const b0 = j * d;
        let s0 = 0, s1 = 0;
        for (let k = 0; k < d; k++) {
          s0 += a[a0 + k]! * b[b0 + k]!;
          s1 += a[a1 + k]! * b[b0 + k]!;
        }
        out[i * m + j] = s0;
        out[(i + 1) * m + j] = s1;
      }
    }
    for (; i < n; i++) {
      const a0 = i * d;
      for (let j = j0; j < j1; j++) {
        const b0 = j * d;
        let s = 0;
        for (let k = 0; k < d; k++) s += a[a0 + k]! * b[b0 + k]!;
        out[i * m + j] = s;
      }
    }
  }
  return out;
}

function jsKernel(b: Float32Array, m: number, d: number): SimilarityKernel {
  return {
    backend: "js",
    m,
    d,
    async scores(a: Float32Array, n: number): Promise<Float32Array> {
      return jsSimilarity(a, n, b, m, d);
    },
    async release(): Promise<void> {},
  };
}

/** A kernel computing A · Bᵀ against a fixed B (m × d, row-major). */
export async function createSimilarityKernel(
  b: Float32Array,
  m: number,
  d: number,
  options: KernelOptions = {},
): Promise<SimilarityKernel> {
  if (b.length !== m * d) throw new RangeError(`B has ${b.length} values, not ${m} × ${d}`);
  const backend = options.backend ?? "auto";
  if (backend === "js" || m === 0 || d === 0) return jsKernel(b, m, d);
  const ort = await loadOrt();
  if (ort === undefined) {
    if (backend === "onnxruntime") throw new Error("onnxruntime-node could not be loaded");
    return jsKernel(b, m, d);
  }
  return onnxKernel(ort, b, m, d, options.threads ?? availableParallelism());
}

export interface SimilarityBlockOptions extends KernelOptions {
  /** Rows of A per block (default: about 8M scores per block, at most 4,096 rows). */
  blockRows?: number;
  /** Called on each block of A rows before the product (e.g. to L2-normalise them in place). */
  prepareRows?: (rows: Float32Array, start: number, count: number) => void;
}

/** The default number of A rows per block for a product with m columns. */
export function defaultBlockRows(m: number): number {
  return Math.max(16, Math.min(4096, Math.floor((8 * 1024 * 1024) / Math.max(1, m))));
}

/**
 * Streams S = A · Bᵀ block by block: for each block of A rows, `onBlock(start, scores, rows)` gets the
 * block's first row number, its scores (count × m, row-major; valid until the callback returns) and
 * the (prepared) A rows themselves. Blocks arrive in row order. Resolves to the backend used.
 */
export async function similarityBlocks(
  a: MatrixRows,
  b: Float32Array,
  options: SimilarityBlockOptions,
  onBlock: (start: number, scores: Float32Array, rows: Float32Array) => void | Promise<void>,
): Promise<KernelBackend> {
  const d = a.cols;
  if (d === 0 ? b.length !== 0 : b.length % d !== 0) {
    throw new RangeError(`B has ${b.length} values, not a whole number of rows of ${d}`);
  }
  const m = d === 0 ? 0 : b.length / d;
  const blockRows = options.blockRows ?? defaultBlockRows(m);
  const kernel = await createSimilarityKernel(b, m, d, options);
  try {
    const buffer = new Float32Array(Math.min(blockRows, a.rows) * d);
    for (let start = 0; start < a.rows; start += blockRows) {
      const count = Math.min(blockRows, a.rows - start);
      const rows = a.readRows(start, count, buffer);
      options.prepareRows?.(rows, start, count);
      const scores = await kernel.scores(rows, count);
      await onBlock(start, scores, rows);
    }
    return kernel.backend;
  } finally {
    await kernel.release();
  }
}
