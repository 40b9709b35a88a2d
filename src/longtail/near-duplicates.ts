/**
 * Near-duplicate resolution over perceptual hashes.
 *
 * Within a class the rule is GREEDY in preference order, not connected components: images are taken
 * largest first (width×height), then by name (code-point order); each image not yet dropped is kept,
 * and every remaining image within the distance of it is dropped as its duplicate. So every dropped
 * image lies within the distance of a kept, larger-or-equal image, and no two kept images are within
 * the distance of each other. (Connected components would also merge chains A~B~C where A and C are
 * far apart, dropping genuinely different images.)
 *
 * Identical hashes are grouped first and the radius search (multi-index hashing, hamming-index.ts)
 * runs over distinct hashes, so thousands of exact copies cost no more than one.
 */
import { HammingIndex } from "./hamming-index.js";
import { compareCodePoints } from "../code-point-order.js";

export interface HashedItem {
  /** Tie-break name (the file name within its class). */
  name: string;
  width: number;
  height: number;
  words: Uint32Array;
  hex: string;
}

export interface DuplicateOf {
  /** Index (into the input array) of the dropped item. */
  item: number;
  /** Index of the kept item it duplicates. */
  of: number;
  distance: number;
}

export interface DedupeResult {
  /** Indices of kept items, ascending. */
  kept: number[];
  /** Dropped items, ascending by item index. */
  duplicates: DuplicateOf[];
}


interface HashGroups {
  /** Distinct hashes in first-seen order. */
  hashes: Uint32Array[];
  /** Item indices per distinct hash. */
  members: number[][];
  /** Distinct-hash index of each item. */
  groupOf: number[];
}

function groupByHash(items: readonly HashedItem[]): HashGroups {
  const byHex = new Map<string, number>();
  const hashes: Uint32Array[] = [];
  const members: number[][] = [];
  const groupOf: number[] = [];
  items.forEach((it, i) => {
    let g = byHex.get(it.hex);
    if (g === undefined) {
      g = hashes.length;
      byHex.set(it.hex, g);
      hashes.push(it.words);
      members.push([]);
    }
    members[g]!.push(i);
    groupOf.push(g);
  });
  return { hashes, members, groupOf };
}

function bitsOf(items: readonly HashedItem[]): number {
  const bits = items[0]!.words.length * 32;
  for (const it of items) if (it.words.length * 32 !== bits) throw new Error("items mix hash sizes");
  return bits;
}

/** Preference order: larger area first, then name. */
function preferenceOrder(items: readonly HashedItem[]): number[] {
  return items
    .map((_, i) => i)
    .sort((a, b) => {
      const ia = items[a]!;
      const ib = items[b]!;
      const d = ib.width * ib.height - ia.width * ia.height;
      return d !== 0 ? d : compareCodePoints(ia.name, ib.name) || a - b;
    });
}

/** Greedy near-duplicate removal within one set of items (see the module comment). */
export function dedupeGreedy(items: readonly HashedItem[], maxDistance: number): DedupeResult {
  if (items.length === 0) return { kept: [], duplicates: [] };
  const groups = groupByHash(items);
  const index = new HammingIndex(groups.hashes, bitsOf(items), maxDistance);
  const exhausted = new Uint8Array(groups.hashes.length);
  const dropped = new Uint8Array(items.length);
  const kept: number[] = [];
  const duplicates: DuplicateOf[] = [];
  for (const i of preferenceOrder(items)) {
    if (dropped[i]) continue;
    kept.push(i);
    for (const { id: g, distance } of index.search(groups.hashes[groups.groupOf[i]!]!)) {
      if (exhausted[g]) continue;
      exhausted[g] = 1;
      for (const j of groups.members[g]!) {
        if (j === i || dropped[j]) continue;
        dropped[j] = 1;
        duplicates.push({ item: j, of: i, distance });
      }
    }
  }
  kept.sort((a, b) => a - b);
  duplicates.sort((a, b) => a.item - b.item);
  return { kept, duplicates };
}

export interface ClassedItem extends HashedItem {
  className: string;
}

export interface CrossClassDuplicate {
  item: number;
  /** The closest item of another class (ties: by class, then name). */
  other: number;
  distance: number;
}

/**
 * Items that have a near-duplicate (within maxDistance) in another class. Both sides of every such
 * pair are returned; each with its closest witness from another class. Ascending by item index.
 */
export function findCrossClassDuplicates(items: readonly ClassedItem[], maxDistance: number): CrossClassDuplicate[] {
  if (items.length === 0) return [];
  const groups = groupByHash(items);
  const index = new HammingIndex(groups.hashes, bitsOf(items), maxDistance);
  const out: CrossClassDuplicate[] = [];
  const better = (a: { item: number; distance: number }, b: { item: number; distance: number }): boolean => {
    if (a.distance !== b.distance) return a.distance < b.distance;
    const ia = items[a.item]!;
    const ib = items[b.item]!;
    return (compareCodePoints(ia.className, ib.className) || compareCodePoints(ia.name, ib.name) || a.item - b.item) < 0;
  };
  for (let g = 0; g < groups.hashes.length; g++) {
    // The closest item of each class among this hash's neighbours (itself included).
    const bestByClass = new Map<string, { item: number; distance: number }>();
    for (const { id: h, distance } of index.search(groups.hashes[g]!)) {
      for (const j of groups.members[h]!) {
        const c = items[j]!.className;
        const cur = bestByClass.get(c);
        const cand = { item: j, distance };
        if (!cur || better(cand, cur)) bestByClass.set(c, cand);
      }
    }
    if (bestByClass.size < 2) continue;
    const ranked = [...bestByClass.values()].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
    for (const i of groups.members[g]!) {
      const mine = items[i]!.className;
      const w = ranked.find((r) => items[r.item]!.className !== mine);
      if (w) out.push({ item: i, other: w.item, distance: w.distance });
    }
  }
  out.sort((a, b) => a.item - b.item);
  return out;
}
