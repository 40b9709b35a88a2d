// A damaged image index is an error naming the file (one sentence, exit 2) or, when the damage is in
// bytes the command never reads, the exact counts: never a hang, a stack trace or a wrong count.
// With --verify and `image-index verify`, every byte-level damage is caught. The damaged copies are
// probed in one child process (damage-probe.ts, with a timeout); a few go through the CLI itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const PROBE = new URL("./damage-probe.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-image-damage-"));
const TAGS = "tags.postings";

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 30_000 });
  assert.notEqual(r.signal, "SIGTERM", `conceptfreq ${args.join(" ")} hung`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const N = 300;
const CONCEPTS = ["dog", "cat", "horse", "bird", "goose", "shark", "beach", "lake"];
const captions: string[] = [];
const tagLines: string[] = [];
for (let i = 0; i < N; i++) {
  const a = CONCEPTS[i % 6]!;
  const b = CONCEPTS[(i * 7) % CONCEPTS.length]!;
  captions.push(`a ${a} on the ${CONCEPTS[6 + (i % 2)]} with a ${b}`);
  const tags: Record<string, number> = { [a]: 0.5 + ((i * 13) % 50) / 100, [b]: ((i * 31) % 100) / 100 };
  if (i % 5 === 0) tags.lake = 0.9;
  tagLines.push(JSON.stringify({ row: i, tags }));
}
const tsv = join(dir, "c.tsv");
writeFileSync(tsv, captions.map((c, i) => `${c}\tu${i}`).join("\n") + "\n");
const jsonl = join(dir, "tags.jsonl");
writeFileSync(jsonl, tagLines.join("\n") + "\n");
const conceptsFile = join(dir, "concepts.txt");
writeFileSync(conceptsFile, CONCEPTS.join("\n") + "\n");
const textIdx = join(dir, "text.idx");
const img = join(dir, "img");
const img7 = join(dir, "img7");
const sweep = join(dir, "sweep");

type Outcome = { counts: Record<string, number> } | { error: string; sentence: boolean };
let expected: Record<string, Record<string, number>>;

interface Case {
  label: string;
  damage: (copy: string) => void;
  /** Damage to bytes: --verify and verify must catch it. */
  byteLevel: boolean;
  /** Caught by the cheap checks too (every command fails). */
  always?: boolean;
}
const cases: Case[] = [];
const add = (label: string, damage: (copy: string) => void, byteLevel: boolean, always = false) => cases.push({ label, damage, byteLevel, always });

test.before(() => {
  assert.equal(run("index", "build", tsv, "--out", textIdx, "--workers", "1").code, 0);
  for (const [out, t] of [[img, "0.5"], [img7, "0.7"], [sweep, "0.5,0.7"]] as const) {
    const r = run("image-index", "import", "--tags", jsonl, "--concepts", conceptsFile, "--index", textIdx, "--threshold", t, "--out", out);
    assert.equal(r.code, 0, r.stderr);
  }
  const image = run("count", "--image-index", img, "--mode", "image", "--concepts", conceptsFile);
  const integrated = run("count", "--index", textIdx, "--image-index", img, "--mode", "integrated", "--concepts", conceptsFile);
  assert.equal(image.code, 0, image.stderr);
  expected = { image: JSON.parse(image.stdout), integrated: JSON.parse(integrated.stdout) };
  assert.ok(expected.image!.dog! > 0 && expected.integrated!.dog! > 0 && expected.integrated!.dog! < expected.image!.dog! + 1);
});

function flip(path: string, at: number): void {
  const b = readFileSync(path);
  b[at] = b[at]! ^ 0xff;
  writeFileSync(path, b);
}

function probe(list: Case[]): void {
  const copies = list.map((c, i) => {
    const copy = join(dir, `copy-${i}`);
    rmSync(copy, { recursive: true, force: true });
    cpSync(img, copy, { recursive: true });
    c.damage(copy);
    return copy;
  });
  const r = spawnSync(process.execPath, ["--import", "tsx", PROBE, conceptsFile, textIdx, ...copies], { encoding: "utf8", timeout: 60_000 });
  assert.notEqual(r.signal, "SIGTERM", `a damaged image index hung: ${r.stderr.trim().split("\n").pop()}`);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { dir: string; out: Record<string, Outcome> });
  assert.equal(lines.length, list.length);
  lines.forEach(({ out }, i) => {
    const c = list[i]!;
    for (const [name, o] of Object.entries(out)) {
      const what = `${c.label}, ${name}: ${JSON.stringify(o)}`;
      if ("error" in o) {
        assert.ok(o.sentence, `${what}: not one sentence (a bug)`);
        assert.doesNotMatch(o.error, /\n/, what);
      } else if (name !== "verify") {
        assert.deepEqual(o.counts, expected[name.split(" ")[0]!], `${what}: a wrong count`);
      }
      if (c.always) assert.ok("error" in o, `${what}: not caught`);
      if (c.byteLevel && (name.endsWith("--verify") || name === "verify")) assert.ok("error" in o, `${what}: byte-level damage not caught`);
    }
  });
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
}

// Byte offsets: the posting file's header, its term table and its data.
function regions(): { header: number; table: number; data: number; size: number } {
  const b = readFileSync(join(img, TAGS));
  const dataOffset = Number(b.readBigUInt64LE(16));
  return { header: 31, table: Math.floor((32 + dataOffset) / 2), data: Math.floor((dataOffset + b.length) / 2), size: b.length };
}

test("an intact image index verifies and counts, through the CLI", () => {
  const v = run("image-index", "verify", img);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stderr, new RegExp(`^image index .* is sound: ${N} docs, ${CONCEPTS.length} concepts, 1 file \\(\\d+ bytes\\), ${CONCEPTS.length} bitmaps checked\\n$`));
  const s = run("image-index", "verify", sweep);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(s.stderr.split("\n").filter((l) => / is sound: /.test(l)).length, 2);
  const c = run("count", "--index", textIdx, "--image-index", img, "--mode", "integrated", "--concepts", conceptsFile, "--verify");
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(JSON.parse(c.stdout), expected.integrated);
});

test("damage through the CLI: exit 2 and one sentence naming the file", () => {
  const copy = join(dir, "cli-copy");
  cpSync(img, copy, { recursive: true });
  truncateSync(join(copy, TAGS), regions().data);
  for (const args of [
    ["count", "--image-index", copy, "--mode", "image", "--concepts", conceptsFile],
    ["count", "--index", textIdx, "--image-index", copy, "--mode", "integrated", "--concepts", conceptsFile, "--verify"],
    ["image-index", "verify", copy],
  ]) {
    const r = run(...args);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^conceptfreq: image index ${copy} is damaged: tags\\.postings: it is \\d+ bytes, the manifest says \\d+\\.\\n$`));
  }
  cpSync(img, copy, { recursive: true, force: true });
  flip(join(copy, TAGS), regions().data);
  const r = run("image-index", "verify", copy);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^conceptfreq: image index .* is damaged: tags\.postings: its CRC32 differs from the manifest's\.\n$/);
  rmSync(copy, { recursive: true, force: true });
});

test("truncated, flipped, patched, swapped, deleted and edited: one sentence or the right counts, never a hang", () => {
  const r = regions();
  for (const at of [0, 8, r.header, r.table, r.data, r.size - 1]) add(`truncated at ${at}`, (c) => truncateSync(join(c, TAGS), at), true, true);
  for (const at of [3, 10, 20, r.header, r.table, r.data, r.size - 1]) add(`byte ${at} flipped`, (c) => flip(join(c, TAGS), at), true);
  // the cardinality of "dog" in the term table: after its u64 offset and u32 size
  const b = readFileSync(join(img, TAGS));
  const dog = b.indexOf(Buffer.from("dog"), 32) + 3 + 8 + 4;
  add("dog's cardinality patched", (c) => {
    const d = readFileSync(join(c, TAGS));
    d.writeUInt32LE(d.readUInt32LE(dog) + 1000, dog);
    writeFileSync(join(c, TAGS), d);
  }, true, true);
  add("tag file of another threshold", (c) => cpSync(join(img7, TAGS), join(c, TAGS)), true, true);
  add("manifest of another threshold", (c) => cpSync(join(img7, "manifest.json"), join(c, "manifest.json")), true, true);
  add("tag file deleted", (c) => rmSync(join(c, TAGS)), true, true);
  add("tag file replaced by a directory", (c) => {
    rmSync(join(c, TAGS));
    cpSync(textIdx, join(c, TAGS), { recursive: true });
  }, true, true);
  add("manifest deleted", (c) => rmSync(join(c, "manifest.json")), true, true);
  add("manifest not JSON", (c) => writeFileSync(join(c, "manifest.json"), '{"format": '), true, true);
  add("manifest truncated", (c) => truncateSync(join(c, "manifest.json"), Math.floor(statSync(join(c, "manifest.json")).size / 2)), true, true);
  add("manifest null", (c) => writeFileSync(join(c, "manifest.json"), "null"), true, true);
  add("left by a killed run", (c) => writeFileSync(join(c, ".conceptfreq-unfinished"), JSON.stringify({ format: "conceptfreq-unfinished", pid: 1, host: "h", out: "img" })), true, true);

  const manifest = JSON.parse(readFileSync(join(img, "manifest.json"), "utf8")) as Record<string, any>;
  const edit = (label: string, change: (m: Record<string, any>) => void, byteLevel = false, always = false) =>
    add(label, (c) => {
      const m = structuredClone(manifest);
      change(m);
      writeFileSync(join(c, "manifest.json"), JSON.stringify(m, null, 2));
    }, byteLevel, always);
  for (const field of Object.keys(manifest)) edit(`manifest without ${field}`, (m) => delete m[field]);
  for (const field of Object.keys(manifest)) edit(`manifest ${field} null`, (m) => (m[field] = null));
  edit("files.tags outside", (m) => (m.files.tags = "../c.tsv"), true, true);
  edit("docCount + 1", (m) => (m.docCount += 1));
  edit("docCount - 100", (m) => (m.docCount -= 100));
  edit("docCount 0", (m) => (m.docCount = 0), true, true);
  edit("formatVersion 2", (m) => (m.formatVersion = 2), true, true);
  edit("a concept dropped", (m) => m.concepts.pop(), true, true);
  edit("a concept renamed", (m) => (m.concepts[0] = "wolf"), true, true);
  edit("a concept repeated", (m) => (m.concepts[1] = m.concepts[0]), true, true);
  edit("concepts reordered", (m) => m.concepts.reverse());
  edit("stats.tags + 1", (m) => (m.stats.tags += 1), true, true);
  edit("stats.taggedImages + 1", (m) => (m.stats.taggedImages += 1));
  edit("checksum CRC32 changed", (m) => (m.checksums[TAGS].crc32 ^= 1), true);
  edit("checksum size + 1", (m) => (m.checksums[TAGS].bytes += 1), true, true);
  edit("checksum entry deleted", (m) => delete m.checksums[TAGS], true, true);
  edit("threshold a string", (m) => (m.threshold = "0.5"), true, true);
  probe(cases);
});
