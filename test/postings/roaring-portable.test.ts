import { test } from "node:test";
import assert from "node:assert/strict";
import { deserializePortable, serializePortable } from "../../src/postings/posting-file.js";
import { RoaringBitmap32 } from "../../src/postings/roaring-bitmap.js";
import { serializeSortedPortable } from "../../src/postings/roaring-portable.js";

/** A seeded generator (the sets below are the same in every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

function sets(): [string, Uint32Array][] {
  const rnd = lcg(7);
  const range = (a: number, b: number) => Uint32Array.from({ length: b - a }, (_, i) => a + i);
  const out: [string, Uint32Array][] = [
    ["empty", new Uint32Array(0)],
    ["one id", Uint32Array.of(0)],
    ["the largest id", Uint32Array.of(0xffffffff)],
    ["a container boundary", Uint32Array.of(65535, 65536)],
    ["a full container (one run)", range(65536, 131072)],
    ["4096 ids, an array at its largest", Uint32Array.from({ length: 4096 }, (_, i) => i * 3)],
    ["4097 ids, a bitset", Uint32Array.from({ length: 4097 }, (_, i) => i * 3)],
    ["runs of two (an array is smaller)", Uint32Array.from({ length: 200 }, (_, i) => (i >> 1) * 10 + (i & 1))],
    // one run of three: run and array take the same bytes (2 + 4 and 3 x 2): CRoaring keeps the array
    ["one run of three", Uint32Array.of(5, 6, 7)],
    ["runs of three", Uint32Array.from({ length: 300 }, (_, i) => Math.floor(i / 3) * 10 + (i % 3))],
    ["a bitset of long runs", Uint32Array.from({ length: 30000 }, (_, i) => Math.floor(i / 100) * 200 + (i % 100))],
    ["a bitset of many short runs", Uint32Array.from({ length: 30000 }, (_, i) => Math.floor(i / 2) * 4 + (i % 2))],
    ["three containers with a run (no offset header)", Uint32Array.from([...range(0, 50), 70000, 140000])],
    ["ten containers with runs (offsets, two run-flag bytes)", Uint32Array.from(Array.from({ length: 10 }, (_, k) => [k * 65536 + 5, ...(k % 3 === 0 ? [k * 65536 + 6, k * 65536 + 7] : [])]).flat())],
  ];
  for (const density of [0.0005, 0.01, 0.2, 0.7, 0.97]) {
    const ids: number[] = [];
    for (let d = 0; d < 400_000; d++) if (rnd() < density) ids.push(d);
    out.push([`random, density ${density}`, Uint32Array.from(ids)]);
  }
  return out;
}

test("sorted ids serialise to exactly CRoaring's run-optimised portable bytes", () => {
  for (const [name, ids] of sets()) {
    const ours = serializeSortedPortable(ids);
    const theirs = serializePortable(new RoaringBitmap32(ids));
    assert.deepEqual(Buffer.from(ours), theirs, name);
    assert.deepEqual(deserializePortable(ours).toUint32Array(), ids, name);
  }
});

test("a slice of a list serialises as that slice alone", () => {
  const ids = Uint32Array.from({ length: 1000 }, (_, i) => i * 7);
  assert.deepEqual(Buffer.from(serializeSortedPortable(ids, 100, 600)), serializePortable(new RoaringBitmap32(ids.subarray(100, 600))));
});

test("ids out of order are refused (a caller's bug)", () => {
  assert.throws(() => serializeSortedPortable(Uint32Array.of(1, 5, 5)), /strictly ascending/);
  assert.throws(() => serializeSortedPortable(Uint32Array.of(70000, 3)), /strictly ascending/);
});
