import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserializePortable } from "../../src/postings/posting-file.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-misalign-"));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SAMPLES: [string, string[]][] = [
  ["a dog on the grass", ["dog"]],
  ["a cat on a sofa", ["dog"]], // misaligned
  ["a dog and a cat", ["cat"]],
  ["a sunset", ["cat"]], // no caption concept
  ["a boat on a lake", []], // no image tag
  ["a boat and a dog", ["cat", "boat"]],
  ["a cat in a box", ["boat"]], // misaligned
];
const concepts = join(dir, "concepts.txt");
writeFileSync(concepts, "dog\ncat\nboat\n");

test("misalignment prints the paper's figures as JSON", () => {
  const tsv = join(dir, "c.tsv");
  writeFileSync(tsv, SAMPLES.map(([c], i) => `${c}\tu${i}`).join("\n") + "\n");
  assert.equal(run("index", "build", tsv, "--out", join(dir, "text"), "--workers", "1").code, 0);
  const jsonl = join(dir, "tags.jsonl");
  writeFileSync(jsonl, SAMPLES.map(([, t], row) => JSON.stringify({ row, tags: t })).join("\n") + "\n");
  const imp = run("image-index", "import", "--tags", jsonl, "--threshold", "0.5", "--concepts", concepts, "--out", join(dir, "img"));
  assert.equal(imp.code, 0, imp.stderr);
  const r = run("misalignment", "--index", join(dir, "text"), "--image-index", join(dir, "img"), "--concepts", concepts, "--ids-out", join(dir, "mis.roaring"));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, JSON.stringify({ samples: 7, samples_with_both: 5, misaligned: 2, degree: 0.4, degree_all: 2 / 7 }, null, 2) + "\n");
  assert.deepEqual([...deserializePortable(readFileSync(join(dir, "mis.roaring")))], [1, 6]);
});

test("misalignment errors: missing concepts, mismatched doc counts", () => {
  const more = join(dir, "more.txt");
  writeFileSync(more, "dog\nunicorn\n");
  const bad = run("misalignment", "--index", join(dir, "text"), "--image-index", join(dir, "img"), "--concepts", more);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^conceptfreq: 1 concept\(s\) are not in the image index/);
  const ok = run("misalignment", "--index", join(dir, "text"), "--image-index", join(dir, "img"), "--concepts", more, "--allow-missing");
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).samples_with_both, 1); // caption dog {0, 2, 5} ∩ image dog {0, 1}
  const jsonl = join(dir, "short.jsonl");
  writeFileSync(jsonl, JSON.stringify({ row: 0, tags: ["dog"] }) + "\n");
  assert.equal(run("image-index", "import", "--tags", jsonl, "--threshold", "0.5", "--concepts", concepts, "--out", join(dir, "short")).code, 0);
  const mm = run("misalignment", "--index", join(dir, "text"), "--image-index", join(dir, "short"), "--concepts", concepts);
  assert.equal(mm.code, 2);
  assert.match(mm.stderr, /has 7 docs but the image index .* has 1:/);
  assert.equal(mm.stderr.split("\n").filter(Boolean).length, 1);
});
