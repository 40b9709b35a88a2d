import { test } from "node:test";
import assert from "node:assert/strict";
import { HammingIndex } from "../../src/longtail/hamming-index.js";
import { hammingDistance } from "../../src/longtail/phash.js";
import { seededRandom } from "../../src/longtail/seeded-random.js";

function randomHashes(n: number, bits: number, seed: number, planted = 0.5): Uint32Array[] {
  const r = seededRandom(seed, "hashes");
  const words = bits / 32;
  const out: Uint32Array[] = [];
  for (let i = 0; i < n; i++) {
    if (out.length > 0 && r() < planted) {
      // A near copy of an earlier hash: flip 0..14 random bits.
      const src = out[Math.floor(r() * out.length)]!;
      const h = Uint32Array.from(src);
      const flips = Math.floor(r() * 15);
      for (let f = 0; f < flips; f++) {
        const b = Math.floor(r() * bits);
        h[b >>> 5]! ^= 1 << (31 - (b & 31));
      }
      out.push(h);
    } else {
      out.push(Uint32Array.from({ length: words }, () => Math.floor(r() * 4294967296)));
    }
  }
  return out;
}

function bruteForce(hashes: Uint32Array[], q: Uint32Array, radius: number): { id: number; distance: number }[] {
  const out = [];
  for (let id = 0; id < hashes.length; id++) {
    const distance = hammingDistance(q, hashes[id]!);
    if (distance <= radius) out.push({ id, distance });
  }
  return out;
}

for (const [bits, n, radius] of [
  [64, 3000, 10],
  [64, 3000, 4],
  [64, 3000, 0],
  [64, 40, 10],
  [256, 1500, 10],
  [256, 1500, 30],
] as const) {
  test(`radius search equals brute force: ${bits} bits, ${n} hashes, radius ${radius}`, () => {
    const hashes = randomHashes(n, bits, bits + n + radius);
    const index = new HammingIndex(hashes, bits, radius);
    const r = seededRandom(7, "queries");
    let nonTrivial = 0;
    for (let k = 0; k < 300; k++) {
      const q = hashes[Math.floor(r() * n)]!;
      const expected = bruteForce(hashes, q, radius);
      if (expected.length > 1) nonTrivial++;
      assert.deepEqual(index.search(q), expected);
      if (radius > 2) assert.deepEqual(index.search(q, radius - 2), bruteForce(hashes, q, radius - 2));
    }
    if (radius > 0) assert.ok(nonTrivial > 20, "the test plants near neighbours");
  });
}

test("10k hashes of one class: far fewer distance checks than pairs (sub-quadratic)", () => {
  const n = 10_000;
  const hashes = randomHashes(n, 64, 99, 0.3);
  const index = new HammingIndex(hashes, 64, 10);
  assert.ok(index.bands.length > 1, "multi-index hashing is used at this size");
  for (const h of hashes) index.search(h);
  const pairs = n * n;
  assert.ok(index.verified < pairs / 20, `${index.verified} checks for ${n} queries`);
});

test("tiny sets fall back to a linear scan; a radius above the index's is refused", () => {
  const hashes = randomHashes(5, 64, 1, 0);
  const index = new HammingIndex(hashes, 64, 10);
  assert.equal(index.bands.length, 0);
  assert.deepEqual(index.search(hashes[2]!), bruteForce(hashes, hashes[2]!, 10));
  assert.throws(() => index.search(hashes[0]!, 11));
  assert.deepEqual(new HammingIndex([], 64, 10).search(hashes[0]!), []);
});
