import { test } from "node:test";
import assert from "node:assert/strict";
import { MALFORMED_KINDS } from "../../src/corpus/record.js";
import { UserError } from "../../src/errors.js";
import { fixture, malformedCounts, readAll, tempDir } from "./fixtures.js";

const dir = tempDir();
const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

test("TSV: every malformed kind, counted, rows kept in place with empty text", async () => {
  const path = fixture(
    dir,
    "m.tsv",
    bytes(
      "http://a\ta good caption\n", // 1
      "http://b\n", // 2 wrong_column_count
      "http://c\tbad ", [0xff, 0xfe], " bytes\n", // 3 invalid_utf8
      "http://d\t   \n", // 4 empty_caption
      "http://e\t", "w".repeat(30), "\n", // 5 caption_too_long
      "http://f\t\n", // 6 empty_caption
      "http://g\tgood again\n", // 7
    ),
  );
  const { rows } = await readAll(path, { textColumn: "1", maxCaptionLength: 20 });
  assert.deepEqual(
    rows.map((r) => [r.location, r.text, r.malformed]),
    [
      [1, "a good caption", undefined],
      [2, "", "wrong_column_count"],
      [3, "", "invalid_utf8"],
      [4, "", "empty_caption"],
      [5, "", "caption_too_long"],
      [6, "", "empty_caption"],
      [7, "good again", undefined],
    ],
  );
  assert.deepEqual(malformedCounts(rows), { wrong_column_count: 1, invalid_utf8: 1, empty_caption: 2, caption_too_long: 1 });
  // Every kind the record type names is one a reader can produce (bad_json: see the JSONL tests).
  assert.ok(MALFORMED_KINDS.includes("bad_json"));
});

test("strict: the first malformed row is a UserError naming file, line and the problem", async () => {
  const path = fixture(dir, "captions.tsv", "a\tb\n".repeat(16) + "only-one\n" + "a\tb\n");
  await assert.rejects(readAll(path, { strict: true, textColumn: "1" }), {
    name: "UserError",
    message: `${path} line 17: wrong column count (expected at least 2 columns, found 1).`,
  });
  const long = fixture(dir, "long.tsv", "short\n" + "x".repeat(11) + "\n");
  await assert.rejects(readAll(long, { strict: true, maxCaptionLength: 10 }), {
    message: `${long} line 2: caption too long (11 characters, the limit is 10).`,
  });
  const utf = fixture(dir, "u.tsv", bytes("ok\n", [0xc0, 0xaf], "\n"));
  await assert.rejects(readAll(utf, { strict: true }), { message: `${utf} line 2: invalid UTF-8.` });
  const empty = fixture(dir, "e.csv", "x\n\n");
  await assert.rejects(readAll(empty, { strict: true }), { message: `${empty} line 2: empty caption.` });
  const json = fixture(dir, "j.jsonl", '{"caption":"ok"}\n{"caption":null}\n');
  await assert.rejects(readAll(json, { strict: true }), { message: `${json} line 2: empty caption (field "caption" is null, not a string).` });
  const bad = fixture(dir, "b.jsonl", "{x\n");
  await assert.rejects(readAll(bad, { strict: true }), (e: unknown) => e instanceof UserError && e.message.startsWith(`${bad} line 1: bad JSON (`));
  // A clean file passes strict mode.
  assert.equal((await readAll(fixture(dir, "ok.tsv", "a\nb\n"), { strict: true })).rows.length, 2);
});

test("invalid UTF-8 marks only its own row, in big files and across chunk boundaries", async () => {
  const good = "a perfectly fine caption about a dog\thttp://x\n";
  const n = 60_000; // ~2.8 MB: several read chunks
  const badAt = new Set([0, 777, 23_456, 29_999, 59_999]);
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) parts.push(badAt.has(i) ? bytes("caf", [0xe9], " au lait\thttp://x\n") : Buffer.from(good));
  const path = fixture(dir, "big.tsv", Buffer.concat(parts));
  const { rows } = await readAll(path);
  assert.equal(rows.length, n);
  const bad = rows.filter((r) => r.malformed).map((r) => r.location - 1);
  assert.deepEqual(bad, [...badAt]);
  assert.ok(rows.every((r) => r.malformed === "invalid_utf8" || r.text === "a perfectly fine caption about a dog"));
});

test("CSV: invalid UTF-8 inside a multi-line record marks that record only", async () => {
  const path = fixture(dir, "u.csv", bytes('"first\nline ok",x\n"second\nbad ', [0xff], '",y\nthird,z\n'));
  const { rows } = await readAll(path);
  assert.deepEqual(
    rows.map((r) => [r.location, r.malformed ?? r.text]),
    [
      [1, "first\nline ok"],
      [3, "invalid_utf8"],
      [5, "third"],
    ],
  );
});

test("a header row that is not UTF-8 is a UserError", async () => {
  const path = fixture(dir, "h.tsv", bytes([0xff], "caption\n", "x\n"));
  await assert.rejects(readAll(path, { header: true }), { message: `${path} line 1: the header row is not valid UTF-8.` });
});
