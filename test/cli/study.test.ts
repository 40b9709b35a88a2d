/**
 * conceptfreq study: on the demo data, the study's numbers are those of `conceptfreq fit` and
 * `conceptfreq tail` run by hand on the study's count files and the result file; bad manifests exit 2.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-study-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  const r = run("demo", "--out", "demo");
  assert.equal(r.code, 0, r.stderr);
});

test("study on the demo manifest, then fit and tail by hand on its files: the same numbers", () => {
  const r = run("study", "demo/study.yaml", "--out", "again", "--quiet");
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "again/report.html\n");
  const results = JSON.parse(readFileSync(join(dir, "again", "results.json"), "utf8"));
  assert.equal(results.fits.length, 8);
  // one `fit` run with a series per study fit (each series is fitted on its own, with the same defaults)
  const args: string[] = [];
  for (const f of results.fits) {
    args.push("--series", `${f.model} × ${f.corpus} × ${f.mode}`, "--freq", `again/counts/${f.corpus}/${f.mode}/${f.dataset}.json`, "--perf", `demo/inputs/results.json#/${f.model}/classwise`);
  }
  const byHand = run("fit", ...args, "--json");
  assert.equal(byHand.code, 0, byHand.stderr);
  const series = JSON.parse(byHand.stdout).series;
  assert.equal(series.length, results.fits.length);
  results.fits.forEach((f: Record<string, any>, i: number) => {
    const s = series[i];
    const where = s.name;
    assert.equal(where, `${f.model} × ${f.corpus} × ${f.mode}`);
    assert.deepEqual(f.regression, s.regression, where);
    assert.deepEqual(f.binned, s.binned, where);
    assert.equal(f.n, s.n, where);
    assert.equal(f.slope, s.regression.slope, where);
    assert.equal(f.r, s.regression.r, where);
    assert.equal(f.spearman, s.regression.spearman, where);
    assert.equal(f.binned_r, s.binned.pearson.r, where);
  });
  const tail = run("tail", "--freq", "again/counts/web/text.json", "--freq", "again/counts/curated/text.json", "--names", "web,curated", "--json");
  assert.equal(tail.code, 0, tail.stderr);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "again", "tail", "text.json"), "utf8")), JSON.parse(tail.stdout));
  // the study into another directory from the same inputs: the same results (input paths are written
  // relative to the output directory, so only they differ)
  const relabel = (f: string) => readFileSync(f, "utf8").replace(/"perf": "[^"]*inputs\/results\.json#/g, '"perf": "results.json#');
  assert.equal(relabel(join(dir, "again", "results.json")), relabel(join(dir, "demo", "study", "results.json")));
  assert.equal(readFileSync(join(dir, "again", "results.csv"), "utf8"), readFileSync(join(dir, "demo", "study", "results.csv"), "utf8"));
});

test("a bad manifest: exit 2, one line naming the key, no stack trace, no output", () => {
  const yaml = readFileSync(join(dir, "demo", "study.yaml"), "utf8").replace("pointer: /sample-clip-curated/classwise", "pointer: 7");
  writeFileSync(join(dir, "demo", "bad.yaml"), yaml);
  const r = run("study", "demo/bad.yaml", "--out", "bad-out");
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "conceptfreq: demo/bad.yaml: datasets[0].results[1].pointer: expected a string.\n");
  assert.equal(r.stdout, "");
  assert.ok(!existsSync(join(dir, "bad-out")));

  const missing = run("study", "nope.json", "--out", "x");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^conceptfreq: cannot read study manifest nope\.json: no such file\.\n$/);

  writeFileSync(join(dir, "demo", "noindex.yaml"), yaml.replace("index: index/curated", "index: index/nothing").replace("pointer: 7", "pointer: /sample-clip-curated/classwise"));
  const noIndex = run("study", "demo/noindex.yaml", "--out", "noindex-out");
  assert.equal(noIndex.code, 2);
  assert.match(noIndex.stderr, /^conceptfreq: demo\/noindex\.yaml: corpus "curated": the text index .*index\/nothing does not exist\.\n$/);
  assert.ok(!existsSync(join(dir, "noindex-out")));

  const noOut = run("study", "demo/study.yaml");
  assert.equal(noOut.code, 2);
  assert.match(noOut.stderr, /--out/);
});
