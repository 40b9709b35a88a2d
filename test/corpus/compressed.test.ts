import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { openCorpus } from "../../src/corpus/open.js";
import { UserError } from "../../src/errors.js";
import { HAVE_ZSTD_CLI, fixture, readAll, tempDir, texts, zstdCli, zstdStored } from "./fixtures.js";

const dir = tempDir();
// Enough rows that the decompressed stream arrives in many chunks, lines split across them.
const captions = Array.from({ length: 20_000 }, (_, i) => `photo ${i} of a ${i % 3 ? "dog" : "café ☕"} by the river`);
const tsv = Buffer.from(captions.map((c, i) => `${c}\thttp://x/${i}.jpg\n`).join(""));
const jsonl = Buffer.from(captions.map((c) => JSON.stringify({ caption: c }) + "\n").join(""));

test(".gz: TSV and JSONL, single and multi-member gzip", async () => {
  assert.deepEqual(await texts(fixture(dir, "c.tsv.gz", gzipSync(tsv))), captions);
  assert.deepEqual(await texts(fixture(dir, "c.jsonl.gz", gzipSync(jsonl))), captions);
  const half = tsv.indexOf(10, tsv.length >> 1) - 7; // split mid-line
  const multi = Buffer.concat([gzipSync(tsv.subarray(0, half)), gzipSync(tsv.subarray(half))]);
  assert.deepEqual(await texts(fixture(dir, "m.tsv.gz", multi)), captions);
});

const DECODERS = [
  ["js", false],
  ["command", HAVE_ZSTD_CLI ? false : "no zstd command on this machine"],
] as const;

for (const [decoder, skip] of DECODERS) {
  test(`.zst (${decoder} decoder): stored frames, several frames concatenated, CSV`, { skip }, async () => {
    process.env.CONCEPTFREQ_ZSTD = decoder;
    assert.deepEqual(await texts(fixture(dir, "c.tsv.zst", zstdStored(tsv))), captions);
    assert.deepEqual(await texts(fixture(dir, "f.jsonl.zst", zstdStored(jsonl, 5))), captions);
    const csv = Buffer.from('caption,url\n"a, b",http://x\n"multi\nline",http://y\n');
    assert.deepEqual(await texts(fixture(dir, "c.csv.zst", zstdStored(csv, 3)), { format: "csv", header: true }), ["a, b", "multi\nline"]);
  });

  test(`.zst (${decoder} decoder): real zstd compression`, { skip: skip || (HAVE_ZSTD_CLI ? false : "no zstd command to compress with") }, async () => {
    process.env.CONCEPTFREQ_ZSTD = decoder;
    assert.deepEqual(await texts(fixture(dir, "r.tsv.zst", zstdCli(tsv)!)), captions);
    assert.deepEqual(await texts(fixture(dir, "r.jsonl.zst", zstdCli(jsonl)!)), captions);
  });

  test(`.zst (${decoder} decoder): truncated or empty input`, { skip }, async () => {
    process.env.CONCEPTFREQ_ZSTD = decoder;
    const zst = zstdStored(tsv);
    const badZst = fixture(dir, "t.tsv.zst", zst.subarray(0, zst.length - 1000));
    await assert.rejects(readAll(badZst), (e: unknown) => e instanceof UserError && e.message.startsWith(`cannot read ${badZst}: not valid zstd data (`));
      // Stopping early ends the decoder.
    let n = 0;
    for await (const batch of openCorpus(fixture(dir, "s.tsv.zst", zstdStored(tsv)), { batchRows: 10 })) {
      n += batch.length;
      if (n >= 30) break;
    }
    assert.equal(n, 30);
    delete process.env.CONCEPTFREQ_ZSTD;
  });
}

test("compression is recognised by content, not by name", async () => {
  assert.deepEqual(await texts(fixture(dir, "really-gzip.tsv", gzipSync(tsv))), captions);
  assert.deepEqual(await texts(fixture(dir, "really-zstd.tsv", zstdStored(tsv))), captions);
});

test("corrupt or truncated compressed input is a UserError naming the file", async () => {
  const gz = gzipSync(tsv);
  const truncated = fixture(dir, "t.tsv.gz", gz.subarray(0, gz.length >> 1));
  await assert.rejects(readAll(truncated), (e: unknown) => e instanceof UserError && e.message.startsWith(`cannot read ${truncated}:`));
  const corrupt = Buffer.from(gz);
  corrupt.fill(0x55, 100, 400);
  const bad = fixture(dir, "b.tsv.gz", corrupt);
  await assert.rejects(readAll(bad), (e: unknown) => e instanceof UserError && e.message.startsWith(`cannot read ${bad}:`));
});

test("an empty .gz file gives no rows", async () => {
  assert.deepEqual((await readAll(fixture(dir, "e.tsv.gz", gzipSync(Buffer.alloc(0))))).rows, []);
});
