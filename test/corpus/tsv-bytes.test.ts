import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { openCaptionBytes, openCorpus } from "../../src/corpus/open.js";
import type { CaptionBytes, ReaderOptions } from "../../src/corpus/record.js";
import { fixture, tempDir } from "./fixtures.js";

const dir = tempDir();
const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

/** The rows of CaptionBytes batches as (text, malformed) pairs, in order. */
async function rowsFromBytes(path: string, options: ReaderOptions): Promise<[string, string | undefined][]> {
  const out: [string, string | undefined][] = [];
  for await (const b of openCaptionBytes(path, options)! as AsyncIterable<CaptionBytes>) {
    assert.equal(b.ends.length, b.rows);
    for (let k = 0; k < b.rows; k++) {
      const from = k === 0 ? 0 : b.ends[k - 1]!;
      out.push([Buffer.from(b.bytes.subarray(from, b.ends[k]!)).toString("utf8"), b.malformed?.get(k)]);
    }
  }
  return out;
}

async function rowsFromText(path: string, options: ReaderOptions): Promise<[string, string | undefined][]> {
  const out: [string, string | undefined][] = [];
  for await (const rows of openCorpus(path, options)) for (const r of rows) out.push([r.text, r.malformed]);
  return out;
}

const tricky = bytes(
  "http://a\ta good caption\n",
  "http://b\n", // wrong column count
  "http://c\tbad ", [0xff, 0xfe], " bytes\n", // invalid UTF-8
  "http://d\t \t \r\n", // blank caption (spaces), CRLF
  "http://e\t\u00a0\u2003\n", // blank: non-breaking and em spaces only
  "http://f\t\u00a0caf\u00e9\n", // starts with a non-ASCII space, not blank
  "http://g\t\u0001x\n", // a control character is not white space
  "http://h\t", "\u00e9".repeat(12), "\n", // 12 characters in 24 bytes: within a limit of 12
  "http://i\t", "\u00e9".repeat(13), "\n", // 13 characters: too long
  "http://j\t", "w".repeat(13), "\n", // too long
  "http://k\t\u{1F600} emoji \u6771\u4eac\n",
  "http://l\t\n", // empty caption
  "http://m\tlast, no newline",
);

test("TSV read as caption bytes gives the rows openCorpus gives: texts, malformed kinds, order", async () => {
  const path = fixture(dir, "tricky.tsv", tricky);
  for (const options of [{ textColumn: "1", maxCaptionLength: 12 }, { textColumn: "1", maxCaptionLength: 12, batchRows: 3 }, { textColumn: "1", keyColumn: "0", batchRows: 1 }]) {
    const expected = await rowsFromText(path, options);
    assert.equal(expected.length, 13);
    assert.deepEqual(await rowsFromBytes(path, options), expected, JSON.stringify(options));
  }
  // with a header row naming the columns, and gzip-compressed
  const withHeader = fixture(dir, "header.tsv.gz", gzipSync(Buffer.concat([Buffer.from("url\tcaption\n"), tricky])));
  const expected = await rowsFromText(withHeader, { header: true, maxCaptionLength: 12 });
  assert.deepEqual(await rowsFromBytes(withHeader, { header: true, maxCaptionLength: 12 }), expected);
});

test("captions longer than a byte batch's first buffer grow it, batch after batch", async () => {
  const long = "\u00e9".repeat(150_000); // 300,000 bytes
  const path = fixture(dir, "long.tsv", ["short", long, "mid", long + "x", "end"].map((c, i) => `${c}\t${i}`).join("\n") + "\n");
  const options = { maxCaptionLength: 200_000, batchRows: 2 };
  const rows = await rowsFromBytes(path, options);
  assert.deepEqual(rows, await rowsFromText(path, options));
  assert.deepEqual(rows.map(([t]) => t.length), [5, 150_000, 3, 150_001, 3]);
});

test("caption bytes in strict mode: the same error as openCorpus, at the same line", async () => {
  const path = fixture(dir, "strict.tsv", tricky);
  const textError = await rowsFromText(path, { textColumn: "1", strict: true }).catch((e: Error) => e.message);
  const bytesError = await rowsFromBytes(path, { textColumn: "1", strict: true }).catch((e: Error) => e.message);
  assert.match(String(textError), /line 2: wrong column count/);
  assert.equal(bytesError, textError);
});

test("formats other than TSV are not read as caption bytes", () => {
  assert.equal(openCaptionBytes(fixture(dir, "a.csv", "x\n")), undefined);
  assert.equal(openCaptionBytes(fixture(dir, "a.jsonl", '{"caption":"x"}\n')), undefined);
});
