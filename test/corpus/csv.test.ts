import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCsv } from "../../src/corpus/csv.js";
import { fixture, readAll, tempDir, texts } from "./fixtures.js";

const dir = tempDir();

test("CSV: quotes, doubled quotes, embedded commas and newlines (RFC 4180)", async () => {
  const content =
    "caption,url\n" +
    '"a dog, a cat",http://a\n' +
    '"she said ""hi""",http://b\n' +
    '"two\nlines",http://c\n' +
    "plain caption,http://d\n" +
    '"crlf\r\ninside",http://e\r\n' +
    '"",http://f\n';
  const path = fixture(dir, "q.csv", content);
  const { rows } = await readAll(path, { header: true, keyColumn: "url" });
  assert.deepEqual(rows, [
    { text: "a dog, a cat", location: 2, key: "http://a" },
    { text: 'she said "hi"', location: 3, key: "http://b" },
    { text: "two\nlines", location: 4, key: "http://c" },
    { text: "plain caption", location: 6, key: "http://d" },
    { text: "crlf\r\ninside", location: 7, key: "http://e" },
    { text: "", location: 9, malformed: "empty_caption", key: "http://f" },
  ]);
});

test("CSV: headerless, caption by index; CRLF line ends; lenient inner quotes", async () => {
  const path = fixture(dir, "h.csv", 'http://a,a 5" screen\r\nhttp://b,"quoted"tail\r\nhttp://c,"x,y"\r\n');
  assert.deepEqual(await texts(path, { textColumn: "1" }), ['a 5" screen', "quotedtail", "x,y"]);
});

test("CSV: quoted header names, caption by name", async () => {
  const path = fixture(dir, "n.csv", '"url","my caption"\nhttp://a,"hello, world"\n');
  assert.deepEqual(await texts(path, { header: true, textColumn: "my caption" }), ["hello, world"]);
});

test("CSV: too few columns is wrong_column_count (a multi-line record counts once, at its first line)", async () => {
  const path = fixture(dir, "w.csv", 'http://a,"multi\nline"\nonly-one-column\nhttp://c,ok\n');
  const { rows } = await readAll(path, { textColumn: "1" });
  assert.deepEqual(rows, [
    { text: "multi\nline", location: 1 },
    { text: "", location: 3, malformed: "wrong_column_count" },
    { text: "ok", location: 4 },
  ]);
});

test("CSV: a quoted field never closed is one unclosed_quote row; the lines it swallowed are rows again", async () => {
  const path = fixture(dir, "open.csv", 'a,b\n"never closed,x\nstill going,y\nfine,z\nlast,w\n');
  const { rows } = await readAll(path);
  assert.deepEqual(rows, [
    { text: "a", location: 1 },
    { text: "", location: 2, malformed: "unclosed_quote" },
    { text: "still going", location: 3 },
    { text: "fine", location: 4 },
    { text: "last", location: 5 },
  ]);
  // as bytes too, and an open quote on the last line
  const last = fixture(dir, "open-last.csv", 'a,b\nc,"d\n');
  assert.deepEqual((await readAll(last, { textColumn: "1" })).rows, [
    { text: "b", location: 1 },
    { text: "", location: 2, malformed: "unclosed_quote" },
  ]);
  // --strict names it
  await assert.rejects(readAll(path, { strict: true }), /open\.csv line 2: unclosed quote \(a quoted field opened on this line is never closed\)\./);
});

test("parseCsv: records of an in-memory CSV text", () => {
  assert.deepEqual(parseCsv('concept,n\n"sea lion, grey",2\r\n"a\nb",3\n'), [
    ["concept", "n"],
    ["sea lion, grey", "2"],
    ["a\nb", "3"],
  ]);
  assert.deepEqual(parseCsv(""), []);
  assert.deepEqual(parseCsv("\uFEFFx\ny"), [["x"], ["y"]]);
});
