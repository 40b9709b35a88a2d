// A damaged text index is an error naming the file (exit 2, one line, no stack trace) or, when the
// damage is in bytes the command never reads, the exact counts: never a hang, never a wrong count.
// With --verify and `index verify`, every byte-level damage is caught.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-damage-"));
const FILES = ["nouns.postings", "terms.postings", "captions.blocks", "captions.offsets"];

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 20_000 });
  assert.notEqual(r.signal, "SIGTERM", `conceptfreq ${args.join(" ")} hung`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const captions: string[] = [];
const animals = ["dog", "cat", "horse", "bird", "sea lion", "sealion", "goose", "shark"];
const places = ["beach", "lake", "park", "road", "field"];
for (let i = 0; i < 300; i++) captions.push(`a ${["big", "small", "sleepy"][i % 3]} ${animals[i % animals.length]} running on the ${places[(i * 7) % places.length]} with a ${animals[(i * 3) % animals.length]}`);
const tsv = join(dir, "c.tsv");
writeFileSync(tsv, captions.map((c, i) => `${c}\tu${i}`).join("\n") + "\n");
const conceptsFile = join(dir, "concepts.txt");
writeFileSync(conceptsFile, ["dog", "cat", "dog beach", "sea lion|sealion", "goose", "unicorn", "horse park"].join("\n") + "\n");
const idx = join(dir, "idx");

let expected: string;

test.before(() => {
  const b = run("index", "build", tsv, "--out", idx, "--workers", "1");
  assert.equal(b.code, 0, b.stderr);
  const c = run("count", "--index", idx, "--concepts", conceptsFile);
  assert.equal(c.code, 0, c.stderr);
  expected = c.stdout;
  assert.ok(JSON.parse(expected).dog > 0 && JSON.parse(expected)["dog beach"] > 0);
});

interface Outcome {
  label: string;
  code: number | null;
  stderr: string;
}

/** Damages a fresh copy of the index, then runs count, count --verify and index verify on it. */
function check(label: string, damage: (copy: string) => void, byteLevel: boolean): Outcome[] {
  const copy = join(dir, `copy-${label.replace(/[^a-z0-9]+/gi, "_")}`);
  rmSync(copy, { recursive: true, force: true });
  cpSync(idx, copy, { recursive: true });
  damage(copy);
  const outcomes: Outcome[] = [];
  const runs: [string, string[]][] = [
    ["count", ["count", "--index", copy, "--concepts", conceptsFile]],
    ["count --verify", ["count", "--index", copy, "--concepts", conceptsFile, "--verify"]],
    ["index verify", ["index", "verify", copy]],
  ];
  for (const [name, args] of runs) {
    const r = run(...args);
    const what = `${label}, ${name}: exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`;
    assert.ok(r.code === 0 || r.code === 2, what);
    assert.doesNotMatch(r.stderr, /\n\s+at |Error:|node:internal/, what);
    if (r.code === 2) {
      assert.match(r.stderr, /^conceptfreq: [^\n]+\n$/, what);
    } else if (name === "count") {
      assert.equal(r.stdout, expected, `${label}: a wrong count with exit 0`);
    }
    if (byteLevel && name !== "count") assert.equal(r.code, 2, `${what}: byte-level damage not caught`);
    outcomes.push({ label: `${label}, ${name}`, code: r.code, stderr: r.stderr });
  }
  rmSync(copy, { recursive: true, force: true });
  return outcomes;
}

/** Byte offsets worth damaging in a file: its header, its table and its data (by its layout). */
function regions(path: string, name: string): { header: number; table: number; data: number; size: number } {
  const b = readFileSync(path);
  const size = b.length;
  if (name.endsWith(".postings")) {
    const dataOffset = Number(b.readBigUInt64LE(16));
    return { header: 31, table: Math.floor((32 + dataOffset) / 2), data: Math.floor((dataOffset + size) / 2), size };
  }
  return { header: 1, table: Math.floor(size / 3), data: Math.floor(size / 2), size };
}

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  b[at] = b[at]! ^ 0xff;
  writeFileSync(path, b);
}

test("an intact index verifies and counts", () => {
  const v = run("index", "verify", idx);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stderr, /^index .* is sound: 300 docs, 7 files/);
  const c = run("count", "--index", idx, "--concepts", conceptsFile, "--verify");
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, expected);
});

test("truncating any file anywhere is caught by every command", () => {
  for (const name of FILES) {
    const r = regions(join(idx, name), name);
    for (const at of [0, r.header, r.table, r.data, r.size - 1]) {
      for (const o of check(`${name} truncated at ${at}`, (c) => truncateSync(join(c, name), at), true)) {
        // a size check, always made
        assert.equal(o.code, 2, o.label);
        assert.match(o.stderr, new RegExp(`is damaged: ${name.replace(".", "\\.")}: `), o.label);
      }
    }
  }
});

test("a flipped byte in the header, table or data of any file: caught with --verify, never a wrong count", () => {
  for (const name of FILES) {
    const r = regions(join(idx, name), name);
    for (const at of [r.header, r.table, r.data]) check(`${name} byte ${at} flipped`, (c) => flip(join(c, name), at), true);
  }
});

test("a patched cardinality in a posting file's table is caught even without --verify", () => {
  // the entry of "dog": its u32 cardinality follows its term and u64 offset and u32 size
  const b = readFileSync(join(idx, "nouns.postings"));
  const at = b.indexOf(Buffer.from("dog", "utf8"), 32) + 3 + 8 + 4;
  for (const o of check("dog's cardinality patched", (c) => {
    const d = readFileSync(join(c, "nouns.postings"));
    d.writeUInt32LE(d.readUInt32LE(at) + 1000, at);
    writeFileSync(join(c, "nouns.postings"), d);
  }, true)) assert.equal(o.code, 2, o.label);
});

test("swapped or deleted files are caught", () => {
  check("posting files swapped", (c) => {
    renameSync(join(c, "nouns.postings"), join(c, "x"));
    renameSync(join(c, "terms.postings"), join(c, "nouns.postings"));
    renameSync(join(c, "x"), join(c, "terms.postings"));
  }, true);
  for (const name of FILES) {
    for (const o of check(`${name} deleted`, (c) => rmSync(join(c, name)), true)) assert.match(o.stderr, /is damaged: .*: the file is missing\.$/m, o.label);
  }
  for (const o of check("manifest deleted", (c) => rmSync(join(c, "manifest.json")), true)) assert.equal(o.code, 2, o.label);
});

test("a missing or edited manifest field is one sentence or the exact counts", () => {
  const manifest = JSON.parse(readFileSync(join(idx, "manifest.json"), "utf8")) as Record<string, unknown>;
  const edit = (label: string, change: (m: Record<string, any>) => void, byteLevel = false) =>
    check(label, (c) => {
      const m = structuredClone(manifest) as Record<string, any>;
      change(m);
      writeFileSync(join(c, "manifest.json"), JSON.stringify(m, null, 2));
    }, byteLevel);
  for (const field of Object.keys(manifest)) edit(`manifest without ${field}`, (m) => delete m[field]);
  for (const field of Object.keys(manifest)) edit(`manifest ${field} null`, (m) => (m[field] = null));
  for (const key of ["nouns", "terms", "captions", "offsets"]) {
    edit(`manifest without files.${key}`, (m) => delete m.files[key]);
    edit(`manifest files.${key} outside`, (m) => (m.files[key] = "../c.tsv"));
  }
  edit("files.nouns names the terms file", (m) => (m.files.nouns = "terms.postings"));
  edit("manifest docCount + 1", (m) => (m.docCount += 1));
  edit("manifest docCount - 1 and rows - 1", (m) => {
    m.docCount -= 1;
    m.inputs[0].rows -= 1;
  });
  edit("manifest vocabulary.nouns + 1", (m) => (m.vocabulary.nouns += 1));
  edit("manifest formatVersion 1", (m) => (m.formatVersion = 1));
  edit("manifest analyzer version", (m) => (m.analyzer.version = "0"));
  for (const name of FILES) {
    edit(`manifest checksum of ${name}`, (m) => (m.checksums[name].crc32 ^= 1), true);
    edit(`manifest size of ${name}`, (m) => (m.checksums[name].bytes += 1), true);
    edit(`manifest without checksum of ${name}`, (m) => delete m.checksums[name]);
  }
  check("manifest not JSON", (c) => writeFileSync(join(c, "manifest.json"), "{\"format\": "), true);
  check("manifest truncated", (c) => truncateSync(join(c, "manifest.json"), Math.floor(statSync(join(c, "manifest.json")).size / 2)), true);
});
