import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { UserError } from "../../src/errors.js";
import { fixture, readAll, tempDir, zstdStored } from "./fixtures.js";

const dir = tempDir();

async function tarOf(members: [string, string | Uint8Array][]): Promise<Buffer> {
  const pack = tar.pack();
  const done = (async () => {
    const parts: Buffer[] = [];
    for await (const part of pack) parts.push(part as Buffer);
    return Buffer.concat(parts);
  })();
  for (const [name, body] of members) {
    await new Promise<void>((resolve, reject) => pack.entry({ name }, Buffer.from(body), (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  return done;
}

const JPEG = new Uint8Array(3000).fill(0xd8);

test("WebDataset: samples grouped by __key__, caption from .txt, else .json caption/TEXT/text", async () => {
  const shard = await tarOf([
    ["shard/000000.jpg", JPEG],
    ["shard/000000.txt", "a dog on the grass"],
    ["shard/000000.json", JSON.stringify({ caption: "json caption ignored" })],
    ["shard/000001.jpg", JPEG],
    ["shard/000001.json", JSON.stringify({ TEXT: "from json TEXT", url: "http://x" })],
    ["shard/000002.jpg", JPEG],
    ["shard/000003.txt", "only text"],
    ["shard/000004.seg.png", JPEG],
    ["shard/000004.caption.txt", "not the .txt member"],
  ]);
  const path = fixture(dir, "shard-000000.tar", shard);
  const { rows } = await readAll(path);
  assert.deepEqual(rows, [
    { text: "a dog on the grass", location: 1, key: "shard/000000" },
    { text: "from json TEXT", location: 2, key: "shard/000001" },
    { text: "", location: 3, key: "shard/000002", malformed: "empty_caption" },
    { text: "only text", location: 4, key: "shard/000003" },
    { text: "", location: 5, key: "shard/000004", malformed: "empty_caption" },
  ]);
});

test("WebDataset: textColumn picks a member extension, else a .json field", async () => {
  const shard = await tarOf([
    ["a.jpg", JPEG],
    ["a.caption.txt", "from caption.txt"],
    ["a.json", JSON.stringify({ alt: "alt a" })],
    ["b.jpg", JPEG],
    ["b.json", JSON.stringify({ alt: "alt b" })],
    ["c.json", JSON.stringify({ alt: null })],
  ]);
  const path = fixture(dir, "tc.tar", shard);
  assert.deepEqual(
    (await readAll(path, { textColumn: "caption.txt" })).rows.map((r) => [r.key, r.text, r.malformed]),
    [
      ["a", "from caption.txt", undefined],
      ["b", "", "empty_caption"],
      ["c", "", "empty_caption"],
    ],
  );
  assert.deepEqual(
    (await readAll(path, { textColumn: "alt" })).rows.map((r) => [r.key, r.text, r.malformed]),
    [
      ["a", "alt a", undefined],
      ["b", "alt b", undefined],
      ["c", "", "empty_caption"],
    ],
  );
});

test("WebDataset: malformed members: bad JSON, invalid UTF-8, blank and over-long captions", async () => {
  const shard = await tarOf([
    ["s1.json", "{oops"],
    ["s2.txt", new Uint8Array([0x68, 0xc3, 0x28])],
    ["s3.txt", " \n"],
    ["s4.txt", "y".repeat(100)],
    ["s5.txt", "z".repeat(1000)], // over 3 x the limit: not even read
    ["s6.txt", "fine"],
  ]);
  const path = fixture(dir, "bad.tar", shard);
  const { rows } = await readAll(path, { maxCaptionLength: 50 });
  assert.deepEqual(
    rows.map((r) => [r.location, r.key, r.malformed ?? r.text]),
    [
      [1, "s1", "bad_json"],
      [2, "s2", "invalid_utf8"],
      [3, "s3", "empty_caption"],
      [4, "s4", "caption_too_long"],
      [5, "s5", "caption_too_long"],
      [6, "s6", "fine"],
    ],
  );
  await assert.rejects(readAll(path, { strict: true }), (e: unknown) => e instanceof UserError && e.message.startsWith(`${path} sample 1 (key s1): bad JSON (`));
});

test("WebDataset: .tar.gz and .tar.zst shards, members with dots in directories", async () => {
  const shard = await tarOf([
    ["v1.0/x.jpg", JPEG],
    ["v1.0/x.txt", "in a dotted dir"],
    ["v1.0/", ""],
  ]);
  for (const [name, bytes] of [
    ["s.tar.gz", gzipSync(shard)],
    ["s.tar.zst", zstdStored(shard)],
  ] as const) {
    const { rows } = await readAll(fixture(dir, name, bytes));
    assert.deepEqual(rows, [{ text: "in a dotted dir", location: 1, key: "v1.0/x" }], name);
  }
});

test("WebDataset: a file that is not a tar is a UserError", async () => {
  const path = fixture(dir, "junk.tar", "x".repeat(2000));
  await assert.rejects(readAll(path), (e: unknown) => e instanceof UserError && e.message.startsWith(`cannot read ${path} as a WebDataset tar:`));
});
