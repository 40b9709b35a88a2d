import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import {
  computePHash,
  dctLowFrequencies,
  hammingDistance,
  hashToBigInt,
  hashToHex,
  hexToHash,
  parseHashBits,
  pHashFromGray,
  popcount32,
} from "../../src/longtail/phash.js";
import { UserError } from "../../src/errors.js";
import { syntheticImage, variants } from "./fixtures.js";

test("the DCT matches the textbook DCT-II sum (scipy's unnormalised convention)", () => {
  const n = 32;
  const px = Array.from({ length: n * n }, (_, i) => (i * 37) % 251);
  const got = dctLowFrequencies(px, n, 8);
  for (const [u, v] of [
    [0, 0],
    [0, 3],
    [5, 1],
    [7, 7],
  ] as const) {
    let s = 0;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        s += px[y * n + x]! * Math.cos((Math.PI * u * (2 * y + 1)) / (2 * n)) * Math.cos((Math.PI * v * (2 * x + 1)) / (2 * n));
      }
    }
    assert.ok(Math.abs(got[u * 8 + v]! - 4 * s) < 1e-6, `coefficient ${u},${v}`);
  }
});

test("bits are the 8x8 block thresholded at its median, first coefficient most significant", () => {
  const n = 32;
  const px = Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1009) / 4);
  const block = dctLowFrequencies(px, n, 8);
  const sorted = [...block].sort((a, b) => a - b);
  const median = (sorted[31]! + sorted[32]!) / 2;
  const expected = [...block].map((c) => (c > median ? "1" : "0")).join("");
  const words = pHashFromGray(px, 64);
  assert.equal(words.length, 2);
  assert.equal(hashToBigInt(words).toString(2).padStart(64, "0"), expected);
  assert.equal([...expected].filter((b) => b === "1").length, 32); // exactly half above the median
  assert.equal(expected[0], "1"); // the DC term is included (and is the largest coefficient here)
});

test("hex, bigint and popcount helpers", () => {
  const w = hexToHash("8000000000000001");
  assert.deepEqual([...w], [0x80000000, 1]);
  assert.equal(hashToHex(w), "8000000000000001");
  assert.equal(hashToBigInt(w), 0x8000000000000001n);
  assert.equal(popcount32(0xffffffff), 32);
  assert.equal(popcount32(0), 0);
  assert.equal(popcount32(0x80000001), 2);
  assert.equal(hammingDistance(w, hexToHash("0000000000000000")), 2);
  assert.equal(hammingDistance(hexToHash("ffffffffffffffff"), hexToHash("0000000000000000")), 64);
  assert.throws(() => hexToHash("abc"), UserError);
});

test("--hash-bits accepts 64 and 256 only", () => {
  assert.equal(parseHashBits(64), 64);
  assert.equal(parseHashBits(256), 256);
  assert.throws(() => parseHashBits(128), /64 .* or 256/);
});

test("copies and light edits of an image stay within distance 10; different images do not", async () => {
  const hashes = [];
  for (let seed = 1; seed <= 6; seed++) {
    const base = await syntheticImage(seed);
    const h = await computePHash(base);
    assert.equal(h.width, 256);
    assert.equal(h.height, 256);
    assert.equal(h.hex.length, 16);
    assert.equal((await computePHash(Buffer.from(base))).hex, h.hex, "an exact copy has the same hash");
    for (const [name, buf] of Object.entries(await variants(base))) {
      const d = hammingDistance(h.words, (await computePHash(buf)).words);
      assert.ok(d <= 10, `seed ${seed} ${name}: distance ${d}`);
    }
    hashes.push(h);
  }
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      const d = hammingDistance(hashes[i]!.words, hashes[j]!.words);
      assert.ok(d > 10, `images ${i + 1} and ${j + 1} are different but at distance ${d}`);
    }
  }
});

test("256-bit hashes, PNG with transparency, and EXIF orientation", async () => {
  const base = await syntheticImage(3, 200, 120);
  const h = await computePHash(base, 256);
  assert.equal(h.bits, 256);
  assert.equal(h.hex.length, 64);
  const resized = await computePHash(await sharp(base).resize(100, 60).png().toBuffer(), 256);
  assert.ok(hammingDistance(h.words, resized.words) <= 40);
  const rgba = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
  const t = await computePHash(rgba);
  assert.equal(t.width, 40);
  const rotated = await sharp(base).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  const r = await computePHash(rotated);
  assert.deepEqual([r.width, r.height], [120, 200], "dimensions after EXIF orientation");
});

test("a corrupt file throws (the caller reports it)", async () => {
  await assert.rejects(computePHash(Buffer.from("this is not an image at all")));
  const truncated = (await syntheticImage(2)).subarray(0, 600);
  await assert.rejects(computePHash(truncated));
});
