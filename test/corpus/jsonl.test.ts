import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, readAll, tempDir, texts } from "./fixtures.js";

const dir = tempDir();

test("JSONL: default field caption, else TEXT, else text, per line", async () => {
  const lines = [
    { caption: "from caption", TEXT: "ignored" },
    { TEXT: "from TEXT", text: "ignored" },
    { text: "from text" },
    { url: "http://x", caption: "with url" },
  ];
  const path = fixture(dir, "a.jsonl", lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  assert.deepEqual(await texts(path), ["from caption", "from TEXT", "from text", "with url"]);
});

test("JSONL: textColumn names the field; keyColumn gives keys (numbers as strings)", async () => {
  const path = fixture(dir, "b.jsonl", '{"id":7,"alt":"seven","caption":"c7"}\r\n{"id":"k8","alt":"eight"}\n{"alt":"nine"}\n');
  const { rows } = await readAll(path, { textColumn: "alt", keyColumn: "id" });
  assert.deepEqual(rows, [
    { text: "seven", location: 1, key: "7" },
    { text: "eight", location: 2, key: "k8" },
    { text: "nine", location: 3 },
  ]);
});

test("JSONL: bad JSON, non-objects, missing/null/non-string captions are malformed, in place", async () => {
  const path = fixture(
    dir,
    "c.jsonl",
    ['{"caption":"ok"}', "{not json", "[1,2]", '"just a string"', "{}", '{"caption":null}', '{"caption":42}', '{"caption":"   "}', "", '{"caption":"last"}'].join("\n"),
  );
  const { rows } = await readAll(path);
  assert.deepEqual(
    rows.map((r) => [r.location, r.text, r.malformed]),
    [
      [1, "ok", undefined],
      [2, "", "bad_json"],
      [3, "", "bad_json"],
      [4, "", "bad_json"],
      [5, "", "empty_caption"],
      [6, "", "empty_caption"],
      [7, "", "empty_caption"],
      [8, "", "empty_caption"],
      [9, "", "bad_json"],
      [10, "last", undefined],
    ],
  );
});

test("JSONL: .json and .ndjson extensions read as JSON Lines; escapes and newlines inside strings", async () => {
  const path = fixture(dir, "d.ndjson", '{"caption":"tab\\there\\nnewline \\u00e9"}\n');
  assert.deepEqual(await texts(path), ["tab\there\nnewline é"]);
  const json = fixture(dir, "e.json", '{"text":"x"}\n');
  assert.deepEqual(await texts(json), ["x"]);
});
