import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CAPTIONS_PER_BLOCK, MAX_DICTIONARY_BYTES, CaptionStore, CaptionStoreWriter, compressBlocks } from "../../src/text-index/caption-store.js";
import { DamagedFileError } from "../../src/postings/posting-file.js";
import { encodeJoined } from "../../src/io/utf8.js";
import { writeFormat4Store } from "./format4.js";

const B = CAPTIONS_PER_BLOCK;

function withDir(f: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "cf-store-"));
    try {
      await f(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Writes the batches with addBytes and returns the two files' bytes. */
async function write(dir: string, name: string, batches: string[][]): Promise<[Buffer, Buffer]> {
  const writer = new CaptionStoreWriter(join(dir, `${name}.blocks`), join(dir, `${name}.offsets`));
  for (const b of batches) {
    const { bytes, ends } = encodeJoined(b);
    writer.addBytes(bytes, ends);
  }
  writer.close();
  return [readFileSync(join(dir, `${name}.blocks`)), readFileSync(join(dir, `${name}.offsets`))];
}

const open = (dir: string, name: string, docs: number) => new CaptionStore(join(dir, `${name}.blocks`), join(dir, `${name}.offsets`), docs);

/** What a caption reads back as: its UTF-8 encoding decoded (a lone surrogate becomes U+FFFD). */
const stored = (t: string) => Buffer.from(t, "utf8").toString("utf8");

test("captions encoded in joined batches and stored read back by doc id, ASCII or not, malformed rows empty", withDir(async (dir) => {
  const batches = [
    ["a dog on a hot day", "", "two cats"], // ASCII, with a malformed (empty) row
    ["caf\u00e9 na\u00efve", "\u6771\u4eac tower", "emoji \u{1F600} here", "", "lone \ud800 surrogate", "plain"], // UTF-8 of 2, 3, 4 bytes
    [""], // a batch of malformed rows only
    ["ends high \ud83d", "\ude00 starts low", "\u00e9"], // lone surrogates that the joined batch would pair
    ["last"],
  ];
  await write(dir, "c", batches);
  const all = batches.flat();
  const store = open(dir, "c", all.length);
  all.forEach((t, doc) => assert.equal(store.caption(doc), stored(t), `doc ${doc}`));
  store.checkAll();
  store.close();
}));

test("captions across many blocks: batches cut anywhere, blocks full or not, read in any order; the same bytes however the batches fall", withDir(async (dir) => {
  // runs of empty captions, long ones and multi-byte text across block edges
  const all: string[] = [];
  for (let i = 0; i < 40 * B + 5; i++) {
    all.push(i % 11 === 0 ? "" : i % 37 === 0 ? `long ${"\u00e9t\u00e9 ".repeat(400)} ${i}` : `caption ${i} of a \u{1F415} in the \u6771\u4eac park`);
  }
  const cuts = (sizes: number[]) => {
    const out: string[][] = [];
    for (let at = 0, k = 0; at < all.length; k++) {
      const n = sizes[k % sizes.length]!;
      out.push(all.slice(at, at + n));
      at += n;
    }
    return out;
  };
  const one = await write(dir, "one", [all]);
  for (const [name, sizes] of [["small", [1, 2, 3]], ["edges", [B, B - 1, B + 1, 0]], ["big", [7 * B + 3]]] as const) {
    assert.deepEqual(await write(dir, name, cuts([...sizes])), one, name);
  }
  // exactly a whole number of blocks, and fewer captions than one block
  for (const n of [2 * B, B - 1, 1, 0]) {
    await write(dir, `n${n}`, [all.slice(0, n)]);
    const s = open(dir, `n${n}`, n);
    for (let d = n - 1; d >= 0; d--) assert.equal(s.caption(d), stored(all[d]!), `${n} docs, doc ${d}`);
    s.checkAll();
    s.close();
  }
  const store = open(dir, "one", all.length);
  assert.throws(() => store.caption(all.length), RangeError);
  // consecutive, backwards, and random (seeded) doc ids
  for (let d = 0; d < all.length; d++) assert.equal(store.caption(d), stored(all[d]!), `doc ${d}`);
  for (let d = all.length - 1; d >= 0; d -= 3) assert.equal(store.caption(d), stored(all[d]!), `doc ${d}`);
  for (let i = 0, x = 12345; i < 500; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const d = x % all.length;
    assert.equal(store.caption(d), stored(all[d]!), `doc ${d}`);
  }
  store.checkAll();
  store.close();
  // compressed: well below the text's size
  assert.ok(one[0].length < Buffer.byteLength(all.join("")) / 2, `${one[0].length} bytes`);
}));

test("a damaged block, offsets or size is refused with one sentence naming the file", withDir(async (dir) => {
  const all = Array.from({ length: 10 * B }, (_, i) => `a photo ${i} of a dog on the beach at sunset`);
  const [blocks, offsets] = await write(dir, "c", [all]);
  const where = (p: string) => `index X is damaged: ${p.slice(p.lastIndexOf("/") + 1)}`;
  const refused = (label: string, make: (blocks: Buffer, offsets: Buffer) => void, read: (s: CaptionStore) => void, file: RegExp) => {
    const b = Buffer.from(blocks);
    const o = Buffer.from(offsets);
    make(b, o);
    writeFileSync(join(dir, "d.blocks"), b);
    writeFileSync(join(dir, "d.offsets"), o);
    assert.throws(() => {
      const s = new CaptionStore(join(dir, "d.blocks"), join(dir, "d.offsets"), all.length, where);
      try {
        read(s);
      } finally {
        s.close();
      }
    }, (e: unknown) => {
      assert.ok(e instanceof DamagedFileError, `${label}: ${String(e)}`);
      assert.match(e.message, file, label);
      assert.match(e.message, /^[^\n]+\.$/, label);
      return true;
    });
  };
  assert.equal(offsets.readBigUInt64LE(0), 0n, "the blocks start at byte 0");
  const third = Number(offsets.readBigUInt64LE(3 * 8));
  const fourth = Number(offsets.readBigUInt64LE(4 * 8));
  // a block that does not decompress: its stream cut short (its last bytes zeroed), or garbage
  const cut = (b: Buffer) => b.fill(0, fourth - 4, fourth);
  const garbage = (b: Buffer) => b.fill(0xff, third, fourth);
  refused("bad block", cut, (s) => s.caption(3 * B + 1), /^index X is damaged: d\.blocks: block 3 \(docs 192 to 255\) does not decompress\.$/);
  refused("garbage block", garbage, (s) => s.caption(3 * B + 1), /^index X is damaged: d\.blocks: block 3 \(docs 192 to 255\) does not decompress\.$/);
  refused("bad block, index verify", cut, (s) => s.checkAll(), /d\.blocks: block 3 .* does not decompress/);
  refused("blocks not from byte 0", (_, o) => o.writeBigUInt64LE(5n, 0), () => {}, /d\.offsets: its offsets run from 5 to \d+, not from 0 to \d+ \(the size of the captions\)/);
  refused("offset beyond the file", (_, o) => o.writeBigUInt64LE(BigInt(blocks.length + 5), 4 * 8), (s) => s.caption(3 * B), /d\.offsets: block 3 \(docs 192 to 255\) runs from byte \d+ to \d+, outside/);
  refused("offsets descend", (_, o) => o.writeBigUInt64LE(o.readBigUInt64LE(2 * 8), 3 * 8), (s) => s.checkAll(), /d\.(blocks: block 2 .* does not decompress|offsets: )/);
  refused("blocks swapped", (_, o) => {
    // block 2's bytes given as block 3's: another block's compressed text, with a lengths mismatch or wrong count
    o.writeBigUInt64LE(o.readBigUInt64LE(2 * 8), 3 * 8);
    o.writeBigUInt64LE(o.readBigUInt64LE(3 * 8), 4 * 8);
  }, (s) => s.caption(3 * B), /d\.(blocks|offsets): /);
  refused("docCount beyond the blocks", () => {}, () => new CaptionStore(join(dir, "d.blocks"), join(dir, "d.offsets"), all.length + B, where).close(), /d\.offsets: it is \d+ bytes, not \d+/);
}));

test("blocks cut raw, compressed elsewhere and handed back in any order are written as addBytes writes them", withDir(async (dir) => {
  const all: string[] = [];
  for (let i = 0; i < 30 * B + 7; i++) all.push(i % 13 === 0 ? "" : `caption ${i} of a \u{1F415} by the river, ${"word ".repeat(i % 9)}`);
  const batches: string[][] = [];
  for (let i = 0; i < all.length; i += 3 * B - 5) batches.push(all.slice(i, i + 3 * B - 5));
  const [blocks, offsets] = await write(dir, "direct", batches);
  const writer = new CaptionStoreWriter(join(dir, "moved.blocks"), join(dir, "moved.offsets"));
  const compressed = [];
  for (const b of batches) {
    const { bytes, ends } = encodeJoined(b);
    const raw = writer.cutRawBlocks(bytes, ends);
    if (raw) compressed.push(compressBlocks(raw));
  }
  assert.ok(compressed.length > 3, "several groups of blocks");
  for (const c of compressed.reverse()) writer.writeCompressed(c);
  writer.close();
  assert.deepEqual(readFileSync(join(dir, "moved.blocks")), blocks);
  assert.deepEqual(readFileSync(join(dir, "moved.offsets")), offsets);
  const store = open(dir, "moved", all.length);
  all.forEach((t, doc) => assert.equal(store.caption(doc), stored(t), `doc ${doc}`));
  store.close();
}));

test("closing a caption store with blocks cut and never written back fails instead of writing a store with a hole", withDir(async (dir) => {
  const writer = new CaptionStoreWriter(join(dir, "h.blocks"), join(dir, "h.offsets"));
  const captions = Array.from({ length: 4 * B }, (_, i) => `caption ${i} ${"x".repeat(200)}`);
  const { bytes, ends } = encodeJoined(captions);
  assert.ok(writer.cutRawBlocks(bytes, ends), "blocks were cut");
  assert.throws(() => writer.close(), /not written/);
}));

test("stores of index format 4 (DEFLATE with a 16 or 32 KiB preset dictionary) read back", withDir(async (dir) => {
  const captions = Array.from({ length: 5 * B + 3 }, (_, i) => `an older caption ${i}: ${"a heron on a pier ".repeat(i % 40)}`);
  assert.ok(Buffer.byteLength(captions.join("")) > MAX_DICTIONARY_BYTES);
  for (const dictionaryBytes of [16384, MAX_DICTIONARY_BYTES]) {
    writeFormat4Store(join(dir, "old.blocks"), join(dir, "old.offsets"), captions, dictionaryBytes);
    const store = new CaptionStore(join(dir, "old.blocks"), join(dir, "old.offsets"), captions.length, undefined, "deflate");
    captions.forEach((t, doc) => assert.equal(store.caption(doc), t, `doc ${doc}`));
    store.checkAll();
    store.close();
    // read as format 5, its first offset (the dictionary's size) is refused
    assert.throws(() => open(dir, "old", captions.length), /its offsets run from \d+ to \d+, not from 0 to/);
  }
  // a dictionary past deflate's window, or cut short, is refused
  const offsets = writeFormat4Store(join(dir, "bad.blocks"), join(dir, "bad.offsets"), captions, 16384);
  const openBad = () => {
    const s = new CaptionStore(join(dir, "bad.blocks"), join(dir, "bad.offsets"), captions.length, undefined, "deflate");
    try {
      s.caption(0);
    } finally {
      s.close();
    }
  };
  offsets.writeBigUInt64LE(BigInt(MAX_DICTIONARY_BYTES + 1), 0);
  writeFileSync(join(dir, "bad.offsets"), offsets);
  assert.throws(openBad, /bad\.offsets is damaged: its offsets run from 32769 to \d+, not from the dictionary's size \(at most 32768\)/);
  offsets.writeBigUInt64LE(16383n, 0);
  writeFileSync(join(dir, "bad.offsets"), offsets);
  assert.throws(openBad, /bad\.blocks is damaged: block 0/);
}));
