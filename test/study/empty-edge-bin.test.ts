import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateStudyManifest } from "../../src/study/manifest.js";
import { runStudy } from "../../src/study/run.js";

// A study (counts corpus, figure, binning paper, 7 bins, trim 3,0) whose bin at position 1 is empty.
// numpy reference: x = ln(max(count, 1)); edges = linspace(x.min(), x.max(), 7);
// y = perf; idx = digitize(x, edges, right=True) -> occupied positions 0, 2, 3, 4, 5, 6.
// The paper keeps positions 3..6 (edges[3:]); dropping the first 3 *non-empty* bins would keep 4..6 only (r = -0.541 instead of 0.595).
// binned_r = corrcoef(edges[kept], [mean(y[idx == i]) for i in kept])[0, 1].
test("study: trim under binning paper counts positions when an edge bin is empty (figure and per-dataset fit)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-edge-"));
  mkdirSync(join(dir, "sc"));
  mkdirSync(join(dir, "res"));
  const counts = [1, 1, 3, 5, 7, 10, 15, 20, 25, 40, 54, 60, 100, 148, 160, 300, 403, 403];
  const perf = [12, 30, 5, 41, 22, 17, 33, 8, 26, 44, 19, 37, 11, 29, 48, 3, 35, 24];
  const c: Record<string, number> = {};
  const p: Record<string, number> = {};
  counts.forEach((v, i) => { c[`k${i}`] = v; p[`k${i}`] = perf[i]!; });
  writeFileSync(join(dir, "sc", "e_cc3m.json"), JSON.stringify(c));
  writeFileSync(join(dir, "res", "e.json"), JSON.stringify({ backboneRN50_pretrainedcc3m: { full: 1, classwise: p } }));
  const x = counts.map((v) => Math.log(Math.max(v, 1)));
  const lo = Math.min(...x), hi = Math.max(...x);
  const edges = Array.from({ length: 7 }, (_, i) => lo + ((hi - lo) * i) / 6);
  const idx = x.map((v) => { let i = 0; while (i < edges.length && v > edges[i]!) i++; return i; });
  assert.deepEqual([...new Set(idx)].sort(), [0, 2, 3, 4, 5, 6], "bin 1 is empty");
  const kept = [3, 4, 5, 6];
  const means = kept.map((k) => { const ys = perf.filter((_, i) => idx[i] === k); return ys.reduce((a, b) => a + b, 0) / ys.length; });
  const ex = kept.map((k) => edges[k]!);
  const mx = ex.reduce((a, b) => a + b, 0) / 4, my = means.reduce((a, b) => a + b, 0) / 4;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < 4; i++) { sxy += (ex[i]! - mx) * (means[i]! - my); sxx += (ex[i]! - mx) ** 2; syy += (means[i]! - my) ** 2; }
  const expected = sxy / Math.sqrt(sxx * syy);
  const m = validateStudyManifest({
    name: "edge",
    corpora: [{ name: "cc3m", counts: { text: "sc/{dataset}_{corpus}.json" } }],
    results: [{ file: "res/{dataset}.json", keys: "backbone{model}_pretrained{corpus}", pointer: "/classwise" }],
    datasets: [{ name: "e" }],
    figures: [{ name: "f", datasets: ["e"], bins: 7, trim: [3, 0], binning: "paper" }],
    analyses: { plots: false, fit: { bins: 7, trim: [3, 0], binning: "paper", bootstrap: 10, seed: 0 } },
  }, join(dir, "s.yaml"), dir);
  const out = join(dir, "out");
  await runStudy(m, { out });
  const rows = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n");
  const head = rows[0]!.split(",");
  const col = head.indexOf("binned_r");
  const body = rows.slice(1).map((r) => r.split(","));
  assert.equal(body.length, 2, "one per-dataset fit and one figure fit");
  for (const r of body) assert.ok(Math.abs(Number(r[col]) - expected) < 1e-12, `${r[0] || "dataset"}: ${r[col]} vs ${expected}`);
});

test("study: a dataset no image count covers is left out of image and integrated, one warning each, each printed once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-uncovered-"));
  mkdirSync(join(dir, "sc"));
  mkdirSync(join(dir, "res"));
  const names = Array.from({ length: 20 }, (_, i) => `n${i}`);
  for (const ds of ["a", "b"]) {
    writeFileSync(join(dir, "sc", `${ds}_text.json`), JSON.stringify(Object.fromEntries(names.map((n, i) => [n, 2 ** i]))));
    writeFileSync(join(dir, "sc", `${ds}_image.json`), JSON.stringify(ds === "a" ? Object.fromEntries(names.map((n, i) => [n, 3 ** i])) : { other: 5 }));
    writeFileSync(join(dir, "res", `${ds}.json`), JSON.stringify({ backboneRN50_pretrainedcc3m: { full: 1, classwise: Object.fromEntries(names.map((n, i) => [n, i + (i % 3)])) } }));
  }
  const m = validateStudyManifest({
    name: "uncovered",
    corpora: [{ name: "cc3m", counts: { text: "sc/{dataset}_text.json", image: "sc/{dataset}_image.json", integrated: "sc/{dataset}_image.json" } }],
    results: [{ file: "res/{dataset}.json", keys: "backbone{model}_pretrained{corpus}", pointer: "/classwise" }],
    datasets: [{ name: "a" }, { name: "b" }],
    figures: [{ name: "f", datasets: ["a", "b"], bins: 7, trim: [1, 1], binning: "paper" }],
    analyses: { plots: false, fit: { bootstrap: 10, seed: 0 } },
  }, join(dir, "s.yaml"), dir);
  const printed: string[] = [];
  const s = await runStudy(m, { out: join(dir, "out"), onWarning: (w) => printed.push(w) });
  assert.deepEqual(printed, s.warnings);
  assert.equal(new Set(printed).size, printed.length, printed.join("\n"));
  for (const mode of ["image", "integrated"]) {
    assert.equal(printed.filter((w) => w.startsWith(`corpus "cc3m", ${mode} mode, dataset "b":`)).length, 1, printed.join("\n"));
  }
  const rows = readFileSync(join(dir, "out", "results.csv"), "utf8").trim().split("\n").slice(1).map((r) => r.split(","));
  const fig = rows.filter((r) => r[0] === "f");
  assert.deepEqual(fig.map((r) => `${r[4]}:${r[1]}`).sort(), ["image:a", "integrated:a", "text:a+b"]);
});
