/** --force replaces only conceptfreq's own outputs (or an empty directory); never a file, the cwd, an input or a foreign directory. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-force-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function run(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TSV = "a dog on a sofa\thttp://x/1\na cat\thttp://x/2\n";

function refused(r: { code: number | null; stderr: string }, what: RegExp, label: string) {
  assert.equal(r.code, 2, `${label}: ${r.stderr}`);
  assert.match(r.stderr, what, label);
  assert.equal(r.stderr.trim().split("\n").length, 1, `${label}: one sentence`);
}

test("index build --force refuses the current directory, an input, a file and a foreign directory, and keeps them", () => {
  const work = join(dir, "work");
  mkdirSync(work);
  writeFileSync(join(work, "in.tsv"), TSV);
  refused(run(work, "index", "build", "in.tsv", "--out", ".", "--force"), /current directory/, "--out .");
  assert.equal(readFileSync(join(work, "in.tsv"), "utf8"), TSV, "the input survives --out .");
  refused(run(work, "index", "build", "in.tsv", "--out", "in.tsv", "--force"), /is a file/, "--out in.tsv");
  assert.equal(readFileSync(join(work, "in.tsv"), "utf8"), TSV, "the input file survives --out in.tsv");
  mkdirSync(join(work, "thesis"));
  writeFileSync(join(work, "thesis", "thesis.tex"), "\\documentclass{article}");
  refused(run(work, "index", "build", "in.tsv", "--out", "thesis", "--force"), /not a text index conceptfreq wrote/, "foreign dir");
  assert.ok(existsSync(join(work, "thesis", "thesis.tex")), "the foreign directory is untouched");
  mkdirSync(join(work, "data"));
  writeFileSync(join(work, "data", "in.tsv"), TSV);
  refused(run(work, "index", "build", "data/in.tsv", "--out", "data", "--force"), /holds the input/, "dir holding the input");
  assert.ok(existsSync(join(work, "data", "in.tsv")));
});

test("--force replaces an earlier text index and an empty directory; merge and image outputs follow the same rule", () => {
  const work = join(dir, "ok");
  mkdirSync(work);
  writeFileSync(join(work, "in.tsv"), TSV);
  assert.equal(run(work, "index", "build", "in.tsv", "--out", "idx").code, 0);
  const again = run(work, "index", "build", "in.tsv", "--out", "idx", "--force");
  assert.equal(again.code, 0, again.stderr);
  mkdirSync(join(work, "empty"));
  assert.equal(run(work, "index", "build", "in.tsv", "--out", "empty", "--force").code, 0);
  assert.ok(existsSync(join(work, "empty", "manifest.json")));
  // merge: an earlier index is replaced; an input index is not
  assert.equal(run(work, "index", "merge", "idx", "empty", "--out", "merged").code, 0);
  assert.equal(run(work, "index", "merge", "idx", "empty", "--out", "merged", "--force").code, 0);
  refused(run(work, "index", "merge", "idx", "empty", "--out", "idx", "--force"), /holds the input/, "merge into an input");
  assert.ok(existsSync(join(work, "idx", "manifest.json")));
});
