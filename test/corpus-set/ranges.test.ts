import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { openCorpus } from "conceptfreq";
import { CONCEPTS, ok, run, writeCaptionFiles } from "./fixtures.js";

const root = mkdtempSync(join(tmpdir(), "cf-corpus-ranges-"));

const conceptsFile = join(root, "concepts.txt");
writeFileSync(conceptsFile, CONCEPTS.join("\n") + "\n");
// one file of all the fixture's rows (with its empty-caption rows), and the same as JSONL and as a TSV with a header
const rows = writeCaptionFiles(join(root, "parts"), 7).flatMap((p) => readFileSync(p, "utf8").trimEnd().split("\n"));
const tsv = join(root, "all.tsv");
writeFileSync(tsv, rows.join("\n") + "\n");
const jsonl = join(root, "all.jsonl");
writeFileSync(jsonl, rows.map((r) => JSON.stringify({ caption: r.split("\t")[0], url: r.split("\t")[1] })).join("\n") + "\n");
const withHeader = join(root, "header.tsv");
writeFileSync(withHeader, "url\tcaption\n" + rows.map((r) => r.split("\t").reverse().join("\t")).join("\n") + "\n");

// the same rows as Parquet, in row groups of 40 rows (an empty caption is a null, as LAION's files have them)
const parquet = join(root, "all.parquet");
writeFileSync(
  parquet,
  new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: "URL", data: rows.map((r) => r.split("\t")[1]!), type: "STRING" },
        { name: "TEXT", data: rows.map((r) => r.split("\t")[0] || null), type: "STRING" },
      ],
      rowGroupSize: 40,
    }),
  ),
);

function sameAsOneIndex(name: string, input: string, extra: string[]) {
  const single = join(root, `${name}.idx`);
  const corpus = join(root, `${name}.corpus`);
  ok(["index", "build", input, "--out", single, "--workers", "1", ...extra]);
  const plan = ok(["corpus", "plan", input, "--shards", "3", "--out", corpus, ...extra]);
  assert.match(plan.stdout, /^shard 0: inputs 0\.\.0 \(1 input\(s\), 1 of them row ranges, \d+ bytes\)\nshard 1: inputs 1\.\.1 /);
  assert.match(plan.stderr, /planned 3 shard\(s\) over 1 file\(s\)/);
  const p = JSON.parse(readFileSync(join(corpus, "plan.json"), "utf8"));
  assert.equal(p.inputs.length, 3);
  if (name === "parquet") {
    // contiguous runs of whole row groups covering the file
    assert.equal(p.formatVersion, 3);
    const groups = Math.ceil(rows.length / 40);
    let at = 0;
    for (const i of p.inputs) {
      assert.equal(i.range.unit, "row-groups");
      assert.equal(i.range.start, at);
      assert.ok(i.range.end > i.range.start && i.range.bytes > 0);
      at = i.range.end;
    }
    assert.equal(at, groups);
  } else {
    assert.equal(p.formatVersion, 2);
    // contiguous ranges covering the file, each starting at a line start
    const bytes = readFileSync(input);
    let at = 0;
    for (const i of p.inputs) {
      assert.equal(i.range.start, at);
      assert.ok(i.range.start === 0 || bytes[i.range.start - 1] === 10, "a range starts at a line start");
      at = i.range.end;
    }
    assert.equal(at, bytes.length);
  }
  ok(["corpus", "run", corpus, "--workers", "1"]);
  const m = JSON.parse(readFileSync(join(corpus, "corpus.json"), "utf8"));
  assert.equal(m.docCount, rows.length);
  assert.equal(m.inputs.length, 3);
  assert.ok(m.shards.every((s: { docCount: number }) => s.docCount > 0));
  for (const match of ["paper", "phrase"]) {
    const a = ok(["count", "--index", corpus, "--concepts", conceptsFile, "--match", match]);
    assert.equal(a.stdout, ok(["count", "--index", single, "--concepts", conceptsFile, "--match", match]).stdout);
    assert.ok(JSON.parse(a.stdout).dog > 0);
    for (const concept of ["dog", "sea lion", "t-shirt"]) {
      const sa = ok(["search", "--index", corpus, concept, "--match", match, "--limit", "100000", "--json"]);
      assert.equal(sa.stdout, ok(["search", "--index", single, concept, "--match", match, "--limit", "100000", "--json"]).stdout);
    }
  }
}

test("a 1-file TSV corpus in 3 shards (row ranges) counts and searches as one index", () => sameAsOneIndex("tsv", tsv, []));
test("a 1-file JSONL corpus in 3 shards (row ranges) counts and searches as one index", () => sameAsOneIndex("jsonl", jsonl, []));
test("a 1-file Parquet corpus in 3 shards (runs of row groups) counts and searches as one index", () => sameAsOneIndex("parquet", parquet, []));
test("a TSV with a header cut into ranges: every range reads the columns from the header", () =>
  sameAsOneIndex("header", withHeader, ["--header", "--text-column", "caption"]));

test("CSV (quoted newlines) and compressed files are never cut: shards take them whole", () => {
  const csv = join(root, "all.csv");
  writeFileSync(csv, rows.map((r) => `"${r.split("\t")[0]}",${r.split("\t")[1]}`).join("\n") + "\n");
  const r = run(["corpus", "plan", csv, "--shards", "3", "--out", join(root, "csv.corpus")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /3 shards need at least 3 input files, and 1 were given/);
  const gz = join(root, "all.tsv.gz");
  writeFileSync(gz, gzipSync(readFileSync(tsv)));
  const g = run(["corpus", "plan", gz, "--shards", "2", "--out", join(root, "gz.corpus")]);
  assert.equal(g.code, 2);
  assert.match(g.stderr, /2 shards need at least 2 input files, and 1 were given/);
});

test("a plan whose range lies is one sentence", () => {
  const path = join(root, "tsv.corpus", "plan.json");
  const p = JSON.parse(readFileSync(path, "utf8"));
  p.inputs[1].range.end = p.inputs[1].bytes + 1;
  writeFileSync(path, JSON.stringify(p));
  const r = run(["corpus", "status", join(root, "tsv.corpus")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^conceptfreq: corpus plan .* is damaged: inputs\[1\]\.range is not a byte range of the file/);
});

test("openCorpus with a byteRange yields that range's rows only; a compressed file refuses one", async () => {
  const bytes = readFileSync(tsv);
  const cut = bytes.indexOf(10, 200) + 1;
  const before = bytes.subarray(0, cut).toString("utf8").split("\n").length - 1;
  const texts: string[] = [];
  for await (const batch of openCorpus(tsv, { format: "tsv", byteRange: { start: cut, end: bytes.length } })) texts.push(...batch.map((r) => r.text));
  assert.deepEqual(texts, rows.slice(before).map((r) => r.split("\t")[0]));
  const gz = join(root, "range.tsv.gz");
  writeFileSync(gz, gzipSync(bytes));
  await assert.rejects(async () => {
    for await (const _ of openCorpus(gz, { format: "tsv", byteRange: { start: 0, end: 10 } })) void _;
  }, /is gzip-compressed; a byte range of its rows can be read only from an uncompressed file/);
  assert.throws(() => openCorpus(tsv, { rowGroups: { start: 0, end: 1 } }), /a range of row groups can be read from Parquet files only, not tsv/);
  // Parquet: row groups 2 and 3 are rows 80..159, numbered as the file numbers them
  const got: { text: string; location: number }[] = [];
  for await (const batch of openCorpus(parquet, { rowGroups: { start: 2, end: 4 } })) got.push(...batch.map((r) => ({ text: r.text, location: r.location })));
  assert.deepEqual(got.map((r) => r.text), rows.slice(80, 160).map((r) => r.split("\t")[0]));
  assert.equal(got[0]!.location, 81);
  await assert.rejects(async () => {
    for await (const _ of openCorpus(parquet, { rowGroups: { start: 0, end: 999 } })) void _;
  }, /has \d+ row groups, not the 999 its corpus plan names/);
  writeFileSync(join(root, "x.parquet"), "PAR1");
  assert.throws(() => openCorpus(join(root, "x.parquet"), { byteRange: { start: 0, end: 10 } }), /byte range of rows can be read from TSV, CSV and JSONL files only/);
});
