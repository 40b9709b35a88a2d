import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { escapePointerToken, parsePointer, parseValueMapSpec, readValueMap, resolvePointer } from "../../src/analysis/value-map.js";
import { UserError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "conceptfreq-valuemap-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function userError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes("\n"));
}

test("parsePointer: RFC 6901 tokens with ~1 -> / and ~0 -> ~ (in that order)", () => {
  assert.deepEqual(parsePointer(""), []);
  assert.deepEqual(parsePointer("/"), [""]);
  assert.deepEqual(parsePointer("/a/b"), ["a", "b"]);
  assert.deepEqual(parsePointer("/a~1b"), ["a/b"]);
  assert.deepEqual(parsePointer("/m~0n"), ["m~n"]);
  assert.deepEqual(parsePointer("/~01"), ["~1"], "~01 is ~ followed by 1, not /");
  assert.deepEqual(parsePointer("/a//b"), ["a", "", "b"]);
  userError(() => parsePointer("a/b"), /must be empty or start with "\/"/);
  userError(() => parsePointer("/a~2"), /~/);
  userError(() => parsePointer("/a~"), /~/);
  assert.equal(escapePointerToken("a/b~c"), "a~1b~0c");
});

test("resolvePointer follows RFC 6901's examples", () => {
  const doc = { foo: ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\j": 5, 'k"l': 6, " ": 7, "m~n": 8 };
  assert.equal(resolvePointer(doc, ""), doc);
  assert.deepEqual(resolvePointer(doc, "/foo"), ["bar", "baz"]);
  assert.equal(resolvePointer(doc, "/foo/0"), "bar");
  assert.equal(resolvePointer(doc, "/"), 0);
  assert.equal(resolvePointer(doc, "/a~1b"), 1);
  assert.equal(resolvePointer(doc, "/c%d"), 2);
  assert.equal(resolvePointer(doc, "/e^f"), 3);
  assert.equal(resolvePointer(doc, "/g|h"), 4);
  assert.equal(resolvePointer(doc, "/i\\j"), 5);
  assert.equal(resolvePointer(doc, '/k"l'), 6);
  assert.equal(resolvePointer(doc, "/ "), 7);
  assert.equal(resolvePointer(doc, "/m~0n"), 8);
  userError(() => resolvePointer(doc, "/nope"), /"nope" is not a key of the object at the document root/);
  userError(() => resolvePointer(doc, "/foo/2"), /not an index of the array at "\/foo"/);
  userError(() => resolvePointer(doc, "/foo/01"), /not an index/);
  userError(() => resolvePointer(doc, "/foo/-"), /not an index/);
  userError(() => resolvePointer(doc, "/a~1b/x"), /the value at "\/a~1b" is the number 1/);
  assert.equal(resolvePointer({ constructor: 1 }, "/constructor"), 1);
  userError(() => resolvePointer({}, "/constructor"), /not a key/);
});

test("readValueMap: JSON object, insertion order preserved", () => {
  const p = file("counts.json", JSON.stringify({ zebra: 3, apple: 0, "sea lion": 12.5 }));
  assert.deepEqual([...readValueMap(p)], [["zebra", 3], ["apple", 0], ["sea lion", 12.5]]);
});

test("readValueMap: a nested JSON document through a pointer (the paper's result files)", () => {
  const p = file("results.json", JSON.stringify({ backboneRN50_pretrainedcc3m: { full: 44.98, classwise: { plane: 43.7, car: 65.9 } }, "a/b": { "m~n": { x: 1 } } }));
  assert.deepEqual([...readValueMap(`${p}#/backboneRN50_pretrainedcc3m/classwise`)], [["plane", 43.7], ["car", 65.9]]);
  assert.deepEqual([...readValueMap(`${p}#/a~1b/m~0n`)], [["x", 1]]);
  userError(() => readValueMap(`${p}#/backboneRN50_pretrainedcc3m`), /value of "classwise" is an object, not a number; select the map of numbers with a JSON pointer/);
  userError(() => readValueMap(p), /select the map of numbers with a JSON pointer, e\.g\. .*#\/backboneRN50_pretrainedcc3m\/classwise/);
  userError(() => readValueMap(`${p}#/missing`), /"missing" is not a key/);
  userError(() => readValueMap(`${p}#/backboneRN50_pretrainedcc3m/full`), /is the number 44\.98; expected an object/);
});

test("readValueMap: a file whose name contains # is read as a plain path", () => {
  const p = file("odd#name.json", JSON.stringify({ a: 1 }));
  assert.deepEqual([...readValueMap(p)], [["a", 1]]);
});

test("readValueMap: CSV and TSV with a header; quotes; blank lines; BOM", () => {
  const csv = file("perf.csv", '\uFEFFconcept,accuracy\r\nplane,43.7\n"sea lion, grey",12\n\n"say ""hi""",1e2\n');
  assert.deepEqual([...readValueMap(csv)], [["plane", 43.7], ["sea lion, grey", 12], ['say "hi"', 100]]);
  const tsv = file("perf.tsv", "concept\tcount\tshare\nplane\t5\t0.5\n");
  assert.deepEqual([...readValueMap(tsv)], [["plane", 5]]);
  const sniffed = file("perf.txt", "concept\tcount\ncar\t7\n");
  assert.deepEqual([...readValueMap(sniffed)], [["car", 7]]);
});

test("readValueMap: one clear sentence for every user mistake", () => {
  userError(() => readValueMap(join(dir, "nope.json")), /^Cannot read .*nope\.json: no such file\.$/);
  mkdirSync(join(dir, "adir"));
  userError(() => readValueMap(join(dir, "adir")), /is a directory/);
  userError(() => readValueMap(file("bad.json", "{not json")), /is not valid JSON/);
  userError(() => readValueMap(file("str.json", '{"a": "12"}')), /the value of "a" is the string "12", not a finite number/);
  userError(() => readValueMap(file("arr.json", "[1, 2]")), /is an array; expected an object/);
  userError(() => readValueMap(file("nan.csv", "concept,value\na,1\nb,abc\n")), /line 3: the value of "b" is "abc", not a finite number/);
  userError(() => readValueMap(file("empty-value.csv", "concept,value\na,\n")), /line 2: the value of "a"/);
  userError(() => readValueMap(file("dup.csv", "concept,value\na,1\na,2\n")), /"a" appears twice/);
  userError(() => readValueMap(file("one-col.csv", "concept\na\n")), /header row must have two columns/);
  userError(() => readValueMap(file("empty.csv", "\n\n")), /is empty/);
  userError(() => readValueMap(file("quote.csv", 'concept,value\n"a,1\n')), /unbalanced quotes/);
  userError(() => readValueMap(file("ptr.csv", "concept,value\na,1\n") + "#/a"), /not a JSON file/);
  userError(() => readValueMap(""), /empty file name/);
});

test("parseValueMapSpec splits at the first # when the whole spec is not a file", () => {
  assert.deepEqual(parseValueMapSpec("r.json#/a#b"), { path: "r.json", pointer: "/a#b" });
  assert.deepEqual(parseValueMapSpec("r.json#"), { path: "r.json", pointer: "" });
  assert.deepEqual(parseValueMapSpec("r.json"), { path: "r.json", pointer: undefined });
});
