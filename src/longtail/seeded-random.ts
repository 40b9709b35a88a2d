/**
 * Seeded sampling for class balancing. The generator is analysis/random.ts's mulberry32, seeded with
 * the 32-bit FNV-1a hash of "seed\0label", so each class draws from its own stream: adding or removing
 * a class never changes which images another class keeps.
 */
import { mulberry32, type Random } from "../analysis/random.js";

/** 32-bit FNV-1a of a string's UTF-16 code units. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform generator on [0, 1), deterministic for a given seed and label (one stream per class). */
export function seededRandom(seed: number | string, label = ""): Random {
  return mulberry32(fnv1a32(`${seed}\u0000${label}`));
}

/**
 * `k` items drawn without replacement (partial Fisher–Yates), returned in their input order.
 * With k ≥ items.length, all items are returned.
 */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, random: () => number): T[] {
  if (k >= items.length) return [...items];
  const idx = items.map((_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (idx.length - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx
    .slice(0, k)
    .sort((x, y) => x - y)
    .map((i) => items[i]!);
}
