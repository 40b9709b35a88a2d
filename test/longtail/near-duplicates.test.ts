import { test } from "node:test";
import assert from "node:assert/strict";
import { dedupeGreedy, findCrossClassDuplicates, type ClassedItem, type HashedItem } from "../../src/longtail/near-duplicates.js";
import { hashToHex, hammingDistance } from "../../src/longtail/phash.js";
import { seededRandom } from "../../src/longtail/seeded-random.js";

/** A 64-bit hash with the first `k` bits flipped relative to `base`. */
function flipped(base: Uint32Array, bitsToFlip: number[]): Uint32Array {
  const h = Uint32Array.from(base);
  for (const b of bitsToFlip) h[b >>> 5]! ^= 1 << (31 - (b & 31));
  return h;
}

function item(name: string, words: Uint32Array, width = 100, height = 100): HashedItem {
  return { name, width, height, words, hex: hashToHex(words) };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const BASE = Uint32Array.from([0x12345678, 0x9abcdef0]);

test("the largest image of a duplicate group is kept, then the first by name", () => {
  const items = [
    item("b.jpg", BASE, 100, 100),
    item("a.jpg", flipped(BASE, [1, 2]), 100, 100),
    item("c.jpg", flipped(BASE, [3]), 300, 200),
    item("z.jpg", flipped(BASE, range(20, 40))), // far away: survives
  ];
  const r = dedupeGreedy(items, 10);
  assert.deepEqual(r.kept, [2, 3]);
  assert.deepEqual(r.duplicates, [
    { item: 0, of: 2, distance: 1 },
    { item: 1, of: 2, distance: 3 },
  ]);
  // Same sizes: first by name.
  const same = dedupeGreedy([item("b.jpg", BASE), item("a.jpg", flipped(BASE, [5]))], 10);
  assert.deepEqual(same.kept, [1]);
});

test("greedy, not connected components: a chain keeps its far end", () => {
  const a = BASE;
  const b = flipped(BASE, range(0, 8)); // 8 from a
  const c = flipped(BASE, range(0, 16)); // 8 from b, 16 from a
  const r = dedupeGreedy([item("a", a), item("b", b), item("c", c)], 10);
  assert.deepEqual(r.kept, [0, 2]);
  assert.deepEqual(r.duplicates, [{ item: 1, of: 0, distance: 8 }]);
});

test("exact copies: all but one dropped; distance 0", () => {
  const items = Array.from({ length: 50 }, (_, i) => item(`img${String(i).padStart(2, "0")}.jpg`, BASE));
  const r = dedupeGreedy(items, 10);
  assert.deepEqual(r.kept, [0]);
  assert.equal(r.duplicates.length, 49);
  assert.ok(r.duplicates.every((d) => d.of === 0 && d.distance === 0));
});

test("kept images are pairwise farther than the distance; every dropped one has a kept one within it (random)", () => {
  const rnd = seededRandom(5, "dedupe");
  const items: HashedItem[] = [];
  for (let i = 0; i < 1500; i++) {
    let words: Uint32Array;
    if (i > 0 && rnd() < 0.6) {
      const src = items[Math.floor(rnd() * items.length)]!.words;
      words = flipped(src, Array.from({ length: Math.floor(rnd() * 12) }, () => Math.floor(rnd() * 64)));
    } else words = Uint32Array.from([Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 2 ** 32)]);
    items.push(item(`f${i}`, words, 50 + Math.floor(rnd() * 4) * 10, 60));
  }
  const { kept, duplicates } = dedupeGreedy(items, 10);
  assert.equal(kept.length + duplicates.length, items.length);
  for (let i = 0; i < kept.length; i++) {
    for (let j = i + 1; j < kept.length; j++) assert.ok(hammingDistance(items[kept[i]!]!.words, items[kept[j]!]!.words) > 10);
  }
  const keptSet = new Set(kept);
  for (const d of duplicates) {
    assert.ok(keptSet.has(d.of));
    assert.equal(hammingDistance(items[d.item]!.words, items[d.of]!.words), d.distance);
    assert.ok(d.distance <= 10);
    const a = items[d.of]!;
    const b = items[d.item]!;
    assert.ok(a.width * a.height >= b.width * b.height, "the kept image is at least as large");
  }
});

test("cross-class duplicates: both sides are reported, with the closest witness", () => {
  const c = (className: string, name: string, words: Uint32Array): ClassedItem => ({ ...item(name, words), className });
  const items = [
    c("cat", "1.jpg", BASE),
    c("cat", "2.jpg", flipped(BASE, [0])), // same class as 1: not a cross-class duplicate by itself
    c("dog", "9.jpg", flipped(BASE, [10, 11])),
    c("dog", "far.jpg", flipped(BASE, range(20, 50))),
    c("owl", "x.jpg", flipped(BASE, range(30, 60))),
  ];
  const r = findCrossClassDuplicates(items, 10);
  assert.deepEqual(r, [
    { item: 0, other: 2, distance: 2 },
    { item: 1, other: 2, distance: 3 },
    { item: 2, other: 0, distance: 2 },
  ]);
  assert.deepEqual(findCrossClassDuplicates(items.slice(0, 2), 10), []);
});
