import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { UserError } from "../../src/errors.js";
import { fixture, readAll, tempDir, texts, zstdCli, zstdStored } from "./fixtures.js";

const dir = tempDir();

function writeParquet(name: string, options: Parameters<typeof parquetWriteBuffer>[0]): string {
  return fixture(dir, name, new Uint8Array(parquetWriteBuffer(options)));
}

const N = 2500;
const captions = Array.from({ length: N }, (_, i) => `caption number ${i} of a photo`);

test("Parquet (snappy): TEXT column by default, several row groups, rows in order", async () => {
  const path = writeParquet("laion.parquet", {
    columnData: [
      { name: "URL", data: captions.map((_, i) => `http://x/${i}.jpg`), type: "STRING" },
      { name: "TEXT", data: captions, type: "STRING" },
      { name: "similarity", data: captions.map(() => 0.3), type: "DOUBLE" },
    ],
    rowGroupSize: 700,
  });
  const { rows, batchSizes } = await readAll(path, { batchRows: 1000 });
  assert.equal(rows.length, N);
  assert.deepEqual(
    rows.map((r) => r.text),
    captions,
  );
  assert.deepEqual(
    rows.map((r) => r.location),
    captions.map((_, i) => i + 1),
  );
  assert.ok(batchSizes.every((b) => b <= 1000));
  assert.equal(batchSizes.reduce((a, b) => a + b, 0), N);
});

test("Parquet: caption column preferred over TEXT; textColumn and keyColumn by name; integer keys", async () => {
  const path = writeParquet("k.parquet", {
    columnData: [
      { name: "key", data: [BigInt(10), BigInt(11), BigInt(12)], type: "INT64" },
      { name: "TEXT", data: ["T0", "T1", "T2"], type: "STRING" },
      { name: "caption", data: ["c0", "c1", "c2"], type: "STRING" },
    ],
  });
  assert.deepEqual(await texts(path), ["c0", "c1", "c2"]);
  const { rows } = await readAll(path, { textColumn: "TEXT", keyColumn: "key" });
  assert.deepEqual(rows, [
    { text: "T0", location: 1, key: "10" },
    { text: "T1", location: 2, key: "11" },
    { text: "T2", location: 3, key: "12" },
  ]);
});

test("Parquet: null, blank and over-long captions are malformed; invalid UTF-8 bytes too", async () => {
  const bad = new Uint8Array([0x61, 0xff, 0x62]);
  const path = writeParquet("m.parquet", {
    columnData: [{ name: "caption", data: ["ok", null, "  ", "x".repeat(50), "fine"], type: "STRING" }],
  });
  const { rows } = await readAll(path, { maxCaptionLength: 20 });
  assert.deepEqual(
    rows.map((r) => [r.location, r.text, r.malformed]),
    [
      [1, "ok", undefined],
      [2, "", "empty_caption"],
      [3, "", "empty_caption"],
      [4, "", "caption_too_long"],
      [5, "fine", undefined],
    ],
  );
  const raw = writeParquet("raw.parquet", {
    columnData: [{ name: "caption", data: [new TextEncoder().encode("good"), bad], type: "BYTE_ARRAY" }],
  });
  const r2 = await readAll(raw);
  assert.deepEqual(
    r2.rows.map((r) => [r.text, r.malformed]),
    [
      ["good", undefined],
      ["", "invalid_utf8"],
    ],
  );
  await assert.rejects(readAll(raw, { strict: true }), { name: "UserError", message: `${raw} row 2: invalid UTF-8.` });
});

test("Parquet: gzip and zstd page compression", async () => {
  const zstd = (input: Uint8Array): Uint8Array => zstdCli(input) ?? zstdStored(input);
  for (const [codec, compress] of [
    ["GZIP", (input: Uint8Array) => new Uint8Array(gzipSync(input))],
    ["ZSTD", zstd],
    ["UNCOMPRESSED", undefined],
  ] as const) {
    const path = writeParquet(`${codec}.parquet`, {
      columnData: [{ name: "caption", data: captions, type: "STRING" }],
      codec,
      compressors: compress ? { [codec]: compress } : {},
      rowGroupSize: 1000,
    });
    assert.deepEqual(await texts(path), captions, codec);
  }
  // Stored zstd frames as well when the real compressor was used above.
  const stored = writeParquet("zstd-stored.parquet", {
    columnData: [{ name: "caption", data: captions.slice(0, 10), type: "STRING" }],
    codec: "ZSTD",
    compressors: { ZSTD: (input: Uint8Array) => new Uint8Array(zstdStored(input)) },
  });
  assert.deepEqual(await texts(stored), captions.slice(0, 10));
});

test("Parquet: no caption column, unknown column, not a Parquet file are UserErrors", async () => {
  const path = writeParquet("nc.parquet", { columnData: [{ name: "url", data: ["a"], type: "STRING" }] });
  await assert.rejects(readAll(path), (e: unknown) => e instanceof UserError && /no caption, TEXT or text column/.test(e.message));
  await assert.rejects(readAll(path, { textColumn: "alt" }), (e: unknown) => e instanceof UserError && /"alt" is not a column/.test(e.message));
  assert.deepEqual(await texts(path, { textColumn: "url" }), ["a"]);
  const fake = fixture(dir, "fake.parquet", "this is not parquet at all\n");
  await assert.rejects(readAll(fake), (e: unknown) => e instanceof UserError && e.message.startsWith(`cannot read ${fake} as Parquet:`));
  const empty = fixture(dir, "empty.parquet", "");
  await assert.rejects(readAll(empty), UserError);
});
