/** conceptfreq demo: the whole pipeline on the shipped sample, from the built CLI, with no network. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-demo-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("demo writes the indexes, the manifest and the study, and prints where the report is", () => {
  const r = run("demo");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /GENERATED sample/);
  const report = /^Report: +(\S+)$/m.exec(r.stdout)?.[1];
  assert.equal(report, "conceptfreq-demo/study/report.html", "the default directory is ./conceptfreq-demo");
  assert.match(readFileSync(join(dir, report), "utf8"), /^<!doctype html>/);
  assert.match(r.stdout, /^Dashboard: conceptfreq serve --study conceptfreq-demo\/study$/m);
  for (const f of ["study.yaml", "inputs/concepts.txt", "inputs/results.json", "index/web/manifest.json", "index/curated/manifest.json", "index/web-image/manifest.json", "study/results.csv"]) {
    assert.ok(existsSync(join(dir, "conceptfreq-demo", f)), f);
  }
  assert.match(readFileSync(join(dir, "conceptfreq-demo", "inputs", "README.md"), "utf8"), /GENERATED, NOT REAL DATA/);

  // again: indexes and counts are reused, the results are the same
  const before = readFileSync(join(dir, "conceptfreq-demo", "study", "results.json"), "utf8");
  const again = run("demo");
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /indexing/);
  assert.equal(readFileSync(join(dir, "conceptfreq-demo", "study", "results.json"), "utf8"), before);
});

test("demo refuses a directory it did not write", () => {
  mkdirSync(join(dir, "mine"));
  writeFileSync(join(dir, "mine", "thesis.tex"), "important");
  const r = run("demo", "--out", "mine");
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "conceptfreq: mine exists and is not a conceptfreq demo directory; choose another --out.\n");
  assert.deepEqual(readdirSync(join(dir, "mine")), ["thesis.tex"]);
});

test("demo with an absolute --out prints absolute paths", () => {
  const out = join(dir, "abs-demo");
  const r = run("demo", "--out", out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(/^Report: +(\S+)$/m.exec(r.stdout)?.[1], join(out, "study", "report.html"));
  assert.match(r.stdout, new RegExp(`^Dashboard: conceptfreq serve --study ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/study$`, "m"));
});
