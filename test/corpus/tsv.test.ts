import { test } from "node:test";
import assert from "node:assert/strict";
import { UserError } from "../../src/errors.js";
import { fixture, malformedCounts, readAll, tempDir, texts } from "./fixtures.js";

const dir = tempDir();

test("TSV headerless: caption in column 0 (CC-3M layout), locations are line numbers", async () => {
  const path = fixture(dir, "cc3m.tsv", "a dog on a beach\thttp://a.jpg\na red car\thttp://b.jpg\n");
  const { rows } = await readAll(path);
  assert.deepEqual(rows, [
    { text: "a dog on a beach", location: 1 },
    { text: "a red car", location: 2 },
  ]);
});

test("TSV headerless: caption by index (CC-12M layout url<TAB>caption) and key by index", async () => {
  const path = fixture(dir, "cc12m.tsv", "http://a.jpg\ta dog\nhttp://b.jpg\ta cat\n");
  assert.deepEqual(await texts(path, { textColumn: "1" }), ["a dog", "a cat"]);
  const { rows } = await readAll(path, { textColumn: "1", keyColumn: "0" });
  assert.deepEqual(rows, [
    { text: "a dog", location: 1, key: "http://a.jpg" },
    { text: "a cat", location: 2, key: "http://b.jpg" },
  ]);
});

test("TSV with header: default caption/TEXT/text column, by name, by index; header is not a row", async () => {
  const path = fixture(dir, "h.tsv", "url\tTEXT\tcaption\nhttp://a\tA upper\ta lower\nhttp://b\tB upper\tb lower\n");
  const { rows } = await readAll(path, { header: true });
  assert.deepEqual(rows, [
    { text: "a lower", location: 2 },
    { text: "b lower", location: 3 },
  ]);
  assert.deepEqual(await texts(path, { header: true, textColumn: "TEXT" }), ["A upper", "B upper"]);
  assert.deepEqual(await texts(path, { header: true, textColumn: "1" }), ["A upper", "B upper"]);
  const keyed = await readAll(path, { header: true, keyColumn: "url" });
  assert.deepEqual(keyed.rows.map((r) => r.key), ["http://a", "http://b"]);
  const onlyText = fixture(dir, "h2.tsv", "url\ttext\nhttp://a\tfrom text\n");
  assert.deepEqual(await texts(onlyText, { header: true }), ["from text"]);
});

test("TSV with header: unknown name, index beyond the header, no default column are UserErrors", async () => {
  const path = fixture(dir, "h3.tsv", "url\tdescription\nhttp://a\ta dog\n");
  await assert.rejects(readAll(path, { header: true }), (e: unknown) => e instanceof UserError && /no caption, TEXT or text column/.test(e.message) && /"description"/.test(e.message));
  await assert.rejects(readAll(path, { header: true, textColumn: "caption" }), (e: unknown) => e instanceof UserError && /"caption" is not a column/.test(e.message));
  await assert.rejects(readAll(path, { header: true, textColumn: "5" }), (e: unknown) => e instanceof UserError && /beyond the 2 columns/.test(e.message));
  await assert.rejects(readAll(path, { header: true, textColumn: "description", keyColumn: "id" }), UserError);
  assert.deepEqual(await texts(path, { header: true, textColumn: "description" }), ["a dog"]);
});

test("TSV: no quoting, \\r stripped, final empty line is not a row, inner empty line is", async () => {
  const path = fixture(dir, "q.tsv", '"quoted" caption, with comma\thttp://a\r\n\nlast line no newline\thttp://c');
  const { rows } = await readAll(path);
  assert.deepEqual(rows, [
    { text: '"quoted" caption, with comma', location: 1 },
    { text: "", location: 2, malformed: "empty_caption" },
    { text: "last line no newline", location: 3 },
  ]);
  const ending = fixture(dir, "e.tsv", "a\r\nb\r\n");
  assert.deepEqual(await texts(ending), ["a", "b"]);
});

test("TSV: too few columns is wrong_column_count; extra columns are fine", async () => {
  const path = fixture(dir, "cols.tsv", "http://a\ta dog\nno tab here\nhttp://c\ta cat\textra\n");
  const { rows } = await readAll(path, { textColumn: "1" });
  assert.deepEqual(rows, [
    { text: "a dog", location: 1 },
    { text: "", location: 2, malformed: "wrong_column_count" },
    { text: "a cat", location: 3 },
  ]);
  // The key column counts too.
  const wide = fixture(dir, "cols3.tsv", "http://a\ta dog\tk\nno tab here\nhttp://c\ta cat\textra\nhttp://d\ta cow\n");
  const keyed = await readAll(wide, { textColumn: "0", keyColumn: "2" });
  assert.deepEqual(malformedCounts(keyed.rows), { wrong_column_count: 2 });
  assert.equal(keyed.rows[2]!.key, "extra");
});

test("TSV/CSV: a column beyond the width of the first row is an error, not a file of malformed rows", async () => {
  const path = fixture(dir, "two.tsv", "a dog\thttp://x\na cat\thttp://y\n");
  await assert.rejects(readAll(path, { textColumn: "5" }), /^UserError: --text-column 5 is beyond the 2 columns of the first row of .*two\.tsv \(line 1; columns are counted from 0\)\.$/);
  await assert.rejects(readAll(path, { keyColumn: "2" }), /--key-column 2 is beyond the 2 columns of the first row/);
  const csv = fixture(dir, "two.csv", '"a dog",http://x\n');
  await assert.rejects(readAll(csv, { textColumn: "2" }), /--text-column 2 is beyond the 2 columns of the first row/);
});

test("TSV: UTF-8 byte order mark is dropped, non-ASCII kept", async () => {
  const path = fixture(dir, "bom.tsv", "\uFEFFcafé au lait ☕\thttp://a\nnaïve 🐕\thttp://b\n");
  assert.deepEqual(await texts(path), ["café au lait ☕", "naïve 🐕"]);
});

test("TSV: empty file and header-only file give no rows", async () => {
  assert.deepEqual((await readAll(fixture(dir, "empty.tsv", ""))).rows, []);
  assert.deepEqual((await readAll(fixture(dir, "ho.tsv", "caption\turl\n"), { header: true })).rows, []);
  assert.deepEqual((await readAll(fixture(dir, "nl.tsv", "\n"))).rows, [{ text: "", location: 1, malformed: "empty_caption" }]);
});

test("TSV: a file with no tabs at all (one column), with a wanted second column, is read linearly and correctly", async () => {
  const n = 30_000;
  // (the first row has the column: a first row without it would be an error)
  const path = fixture(dir, "notabs.txt", "first\tzero\n" + Array.from({ length: n }, (_, i) => `caption ${i}`).join("\n") + "\nlast\tone\n");
  const { rows } = await readAll(path, { textColumn: "1" });
  assert.equal(rows.length, n + 2);
  assert.ok(rows.slice(1, n + 1).every((r) => r.malformed === "wrong_column_count"));
  assert.deepEqual(rows[n + 1], { text: "one", location: n + 2 });
  assert.equal((await texts(path)).length, n + 2);
});
