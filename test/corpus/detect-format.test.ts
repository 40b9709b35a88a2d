import { test } from "node:test";
import assert from "node:assert/strict";
import { detectFormat, openCorpus } from "../../src/corpus/open.js";
import { UserError } from "../../src/errors.js";
import { fixture, tempDir } from "./fixtures.js";

test("detectFormat maps extensions, after dropping .gz/.zst", () => {
  const cases: [string, string][] = [
    ["captions.tsv", "tsv"],
    ["a/b/Train_GCC-training.TSV", "tsv"],
    ["yfcc.txt", "tsv"],
    ["x.csv", "csv"],
    ["x.jsonl", "jsonl"],
    ["x.json", "jsonl"],
    ["x.ndjson", "jsonl"],
    ["part-00000.parquet", "parquet"],
    ["shard-000001.tar", "wds"],
    ["captions.tsv.gz", "tsv"],
    ["x.jsonl.zst", "jsonl"],
    ["x.csv.gz", "csv"],
    ["shard.tar.gz", "wds"],
    ["shard.tgz", "wds"],
    ["/data/v1.2/captions.tsv", "tsv"],
  ];
  for (const [path, format] of cases) assert.equal(detectFormat(path), format, path);
});

test("detectFormat: unknown extension is a UserError suggesting --format", () => {
  for (const path of ["captions.dat", "captions", "x.gz", "captions.tsv.bz2", "dir.v2/captions"]) {
    assert.throws(() => detectFormat(path), (e: unknown) => e instanceof UserError && /--format/.test(e.message) && e.message.includes(path), path);
  }
});

test("openCorpus: explicit format overrides the extension", async () => {
  const dir = tempDir();
  const path = fixture(dir, "captions.dat", "a dog\thttp://x\n");
  const rows: string[] = [];
  for await (const batch of openCorpus(path, { format: "tsv" })) rows.push(...batch.map((r) => r.text));
  assert.deepEqual(rows, ["a dog"]);
  assert.throws(() => openCorpus(path, { format: "auto" }), UserError);
});

test("openCorpus: missing file, directory and compressed Parquet are UserErrors at once", () => {
  const dir = tempDir();
  assert.throws(() => openCorpus(`${dir}/nope.tsv`, {}), { name: "UserError", message: `cannot read ${dir}/nope.tsv: no such file.` });
  assert.throws(() => openCorpus(dir, { format: "tsv" }), { name: "UserError", message: `${dir} is a directory, not a corpus file; give the files in it (for example ${dir}/*.tsv).` });
  const pq = fixture(dir, "x.parquet.gz", "x");
  assert.throws(() => openCorpus(pq, {}), (e: unknown) => e instanceof UserError && /compressed Parquet/.test(e.message));
});

test("openCorpus: bad option values are UserErrors", () => {
  const dir = tempDir();
  const path = fixture(dir, "c.tsv", "a\n");
  assert.throws(() => openCorpus(path, { maxCaptionLength: 0 }), UserError);
  assert.throws(() => openCorpus(path, { batchRows: 1.5 }), UserError);
  assert.throws(() => openCorpus(path, { textColumn: "" }), UserError);
  // A column name without a header is refused before any reading.
  assert.throws(
    () => openCorpus(path, { textColumn: "caption" }),
    (e: unknown) => e instanceof UserError && /--header/.test(e.message),
  );
});
