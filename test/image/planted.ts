/**
 * A planted ground truth for the image side: orthonormal concept directions, image embeddings built
 * from chosen concepts (with chosen weights) plus background directions and a little noise, and
 * captions mentioning chosen concepts (partly different from the image's). The right tags, text,
 * image and integrated counts and the misalignment figures are known from the design.
 */
import { mulberry32 } from "../../src/analysis/random.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const CONCEPTS = ["dog", "cat", "car", "tree", "boat", "horse", "bird", "chair", "apple", "truck", "table", "bottle"];
export const D = 48;

/** A small seeded PRNG (mulberry32). */
export const rng = mulberry32;

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** D orthonormal directions (Gram–Schmidt on random vectors), in float64. */
export function orthonormalBasis(seed: number, d = D): Float64Array[] {
  const r = rng(seed);
  const basis: Float64Array[] = [];
  while (basis.length < d) {
    const v = Float64Array.from({ length: d }, () => gaussian(r));
    for (const b of basis) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += v[k]! * b[k]!;
      for (let k = 0; k < d; k++) v[k]! -= dot * b[k]!;
    }
    let n = 0;
    for (let k = 0; k < d; k++) n += v[k]! * v[k]!;
    n = Math.sqrt(n);
    if (n < 1e-6) continue;
    for (let k = 0; k < d; k++) v[k]! /= n;
    basis.push(v);
  }
  return basis;
}

export interface PlantedSample {
  /** Concepts in the image, with their weights (the tag's cosine is weight / norm). */
  image: { concept: number; weight: number }[];
  /** Concepts the caption mentions ([] : a caption with none of them; null: an empty, malformed row). */
  caption: number[] | null;
}

export interface Planted {
  samples: PlantedSample[];
  /** Row-major N × D image embeddings (float32), and C × D concept embeddings. */
  images: Float32Array;
  concepts: Float32Array;
  /** Extra concept rows (per concept k rows) for prompt-ensemble tests: C·k × D. */
  ensemble: (k: number) => Float32Array;
  /** The exact cosine of image i with concept c by design (noise is orthogonal to every concept). */
  cosine: (i: number, c: number) => number;
}

const WEIGHTS = [1, 0.45]; // a main concept and, sometimes, weaker ones
const BACKGROUND = 0.5; // weight of a background direction in every image

/**
 * N samples. Images hold 0–3 concepts; caption concepts overlap the image's with probability ~0.6
 * and otherwise are drawn elsewhere (misaligned), sometimes empty.
 */
export function plant(n: number, seed = 7): Planted {
  const r = rng(seed);
  const C = CONCEPTS.length;
  const basis = orthonormalBasis(seed + 1);
  const bg = basis.slice(C); // directions orthogonal to every concept
  const samples: PlantedSample[] = [];
  const images = new Float32Array(n * D);
  const norms: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * 4); // 0..3 concepts in the image
    const chosen: number[] = [];
    while (chosen.length < k) {
      const c = Math.floor(r() * C);
      if (!chosen.includes(c)) chosen.push(c);
    }
    const image = chosen.map((concept, j) => ({ concept, weight: j === 0 ? WEIGHTS[0]! : WEIGHTS[1]! }));
    let caption: number[] | null;
    const u = r();
    if (i % 37 === 5) caption = null;
    else if (u < 0.6 && chosen.length > 0) caption = [chosen[0]!, ...(r() < 0.3 ? [(chosen[0]! + 1) % C] : [])];
    else if (u < 0.85) caption = [Math.floor(r() * C)];
    else caption = [];
    if (caption) caption = [...new Set(caption)];
    samples.push({ image, caption });
    // Embedding: Σ weight·u_c + BACKGROUND·(a background direction) + tiny noise in background directions.
    const v = new Float64Array(D);
    for (const { concept, weight } of image) for (let q = 0; q < D; q++) v[q]! += weight * basis[concept]![q]!;
    const b = bg[Math.floor(r() * bg.length)]!;
    for (let q = 0; q < D; q++) v[q]! += BACKGROUND * b[q]!;
    for (let t = 0; t < 4; t++) {
      const dir = bg[Math.floor(r() * bg.length)]!;
      const w = 0.02 * gaussian(r);
      for (let q = 0; q < D; q++) v[q]! += w * dir[q]!;
    }
    // Scale varies: the tagger must normalise.
    const scale = 0.5 + 3 * r();
    let norm = 0;
    for (let q = 0; q < D; q++) norm += v[q]! * v[q]!;
    norms.push(Math.sqrt(norm));
    for (let q = 0; q < D; q++) images[i * D + q] = v[q]! * scale;
  }
  const concepts = new Float32Array(C * D);
  for (let c = 0; c < C; c++) for (let q = 0; q < D; q++) concepts[c * D + q] = basis[c]![q]! * (1 + c); // unnormalised on purpose
  const cosine = (i: number, c: number) => {
    const w = samples[i]!.image.find((x) => x.concept === c)?.weight ?? 0;
    return w / norms[i]!;
  };
  const ensemble = (k: number) => {
    // Row t of concept c: u_c + 0.3·(a background direction), distinct per (c, t): the average points along u_c
    // with small background parts that images' own background directions rarely share.
    const out = new Float32Array(C * k * D);
    for (let c = 0; c < C; c++)
      for (let t = 0; t < k; t++) {
        const b = bg[(c * k + t) % bg.length]!;
        for (let q = 0; q < D; q++) out[(c * k + t) * D + q] = basis[c]![q]! + 0.3 * b[q]!;
      }
    return out;
  };
  return { samples, images, concepts, ensemble, cosine };
}

/** The expected tags of each image at a threshold (optionally the k best). */
export function expectedTags(p: Planted, threshold: number, topK?: number): number[][] {
  return p.samples.map((_, i) => {
    const scored = CONCEPTS.map((_, c) => ({ c, s: p.cosine(i, c) })).filter((x) => x.s >= threshold);
    scored.sort((a, b) => b.s - a.s || a.c - b.c);
    return (topK === undefined ? scored : scored.slice(0, topK)).map((x) => x.c).sort((a, b) => a - b);
  });
}

/** Every cosine is at least `margin` away from each threshold (so float16 input and float32 kernels agree). */
export function assertMargins(p: Planted, thresholds: number[], margin = 0.02): void {
  p.samples.forEach((_, i) =>
    CONCEPTS.forEach((_, c) => {
      for (const t of thresholds) {
        const s = p.cosine(i, c);
        if (Math.abs(s - t) < margin) throw new Error(`planted cosine ${s} of image ${i}, concept ${c} is within ${margin} of ${t}`);
      }
    }),
  );
}

export function captionText(s: PlantedSample): string {
  if (s.caption === null) return "";
  if (s.caption.length === 0) return "a photo of the sky";
  return "a photo of " + s.caption.map((c) => `a ${CONCEPTS[c]}`).join(" and ");
}

/** Writes the captions as a TSV (caption, url). */
export function writeCaptions(path: string, p: Planted, from = 0, to = p.samples.length): void {
  const lines = p.samples.slice(from, to).map((s, i) => `${captionText(s)}\thttp://x.invalid/${from + i}`);
  writeFileSync(path, lines.join("\n") + "\n");
}

export function writeConceptList(dir: string): string {
  const path = join(dir, "concepts.txt");
  writeFileSync(path, CONCEPTS.join("\n") + "\n");
  return path;
}

/** Expected counts and misalignment from the design. */
export function expected(p: Planted, tags: number[][]) {
  const C = CONCEPTS.length;
  const text = new Array<number>(C).fill(0);
  const image = new Array<number>(C).fill(0);
  const integrated = new Array<number>(C).fill(0);
  let both = 0;
  let mis = 0;
  p.samples.forEach((s, i) => {
    const t = new Set(s.caption ?? []);
    const g = new Set(tags[i]!);
    for (const c of t) text[c]!++;
    for (const c of g) image[c]!++;
    for (const c of t) if (g.has(c)) integrated[c]!++;
    if (t.size > 0 && g.size > 0) {
      both++;
      if (![...t].some((c) => g.has(c))) mis++;
    }
  });
  const byName = (a: number[]) => Object.fromEntries(CONCEPTS.map((c, i) => [c, a[i]!]));
  return {
    text: byName(text),
    image: byName(image),
    integrated: byName(integrated),
    misalignment: { samples: p.samples.length, samples_with_both: both, misaligned: mis, degree: both ? mis / both : null, degree_all: mis / p.samples.length },
  };
}
