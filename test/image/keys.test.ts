import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DocKeys, readKeyList } from "../../src/image/keys.js";
import { UserError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "cf-image-keys-"));

test("key lists: .txt lines, or a key column of corpus files (JSONL, TSV with header), in order", async () => {
  const txt = join(dir, "k.txt");
  writeFileSync(txt, "a\nb\r\nc\n");
  const jsonl = join(dir, "meta.jsonl");
  writeFileSync(jsonl, ['{"key": "d", "caption": "x"}', '{"key": "e", "caption": ""}'].join("\n") + "\n");
  const tsv = join(dir, "meta.tsv");
  writeFileSync(tsv, "caption\tid\nhello\tf\n\tg\n");
  assert.deepEqual(await readKeyList([txt, jsonl]), ["a", "b", "c", "d", "e"]);
  assert.deepEqual(await readKeyList([tsv], "id"), ["f", "g"]);
  const noKey = join(dir, "nokey.jsonl");
  writeFileSync(noKey, '{"key": "h"}\n{"caption": "no key"}\n');
  await assert.rejects(readKeyList([noKey]), (e: unknown) => e instanceof UserError && /has no key at row 2/.test(e.message));
});

test("doc keys: unique, claimed once each, unmatched rows and docs without an image counted", () => {
  const k = DocKeys.fromKeys(["a", "b", "c"]);
  assert.equal(k.claim("b", "x"), 1);
  assert.equal(k.claim("zz", "x"), undefined);
  assert.throws(() => k.claim("b", "rows.txt row 9"), /rows\.txt row 9: the key "b" is given to a second image row/);
  assert.equal(k.unmatchedRows, 1);
  assert.equal(k.docsWithoutImage(), 2);
  assert.throws(() => DocKeys.fromKeys(["a", "b", "a"]), /The doc key "a" appears twice .* \(docs 0 and 2\)/);
});
