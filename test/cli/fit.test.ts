import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-fit-"));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// counts for 60 concepts; two "models" in the paper's result-file shape; a CSV performance file
const counts: Record<string, number> = {};
const rn50: Record<string, number> = {};
const vit: Record<string, number> = {};
for (let i = 0; i < 60; i++) {
  const lf = i / 12;
  counts[`concept ${i}`] = i < 3 ? 0 : Math.round(10 ** lf);
  rn50[`concept ${i}`] = Math.round((15 + 6 * lf + ((i * 7) % 5)) * 10) / 10;
  vit[`concept ${i}`] = Math.round((25 + 4 * lf + ((i * 3) % 4)) * 10) / 10;
}
rn50["unicorn"] = 3; // in the results but not in the counts
writeFileSync(join(dir, "counts.json"), JSON.stringify(counts));
writeFileSync(
  join(dir, "results.json"),
  JSON.stringify({ "RN50/cc3m": { full: 40, classwise: rn50 }, "ViT~B": { full: 50, classwise: vit } }),
);
writeFileSync(join(dir, "vit.csv"), "concept,accuracy\n" + Object.entries(vit).map(([k, v]) => `${k},${v}`).join("\n") + "\n");

test("fit --json: one document with regression and the paper's binning per series", () => {
  const r = run(
    "fit", "--series", "RN50", "--freq", "counts.json", "--perf", "results.json#/RN50~1cc3m/classwise",
    "--series", "ViT", "--freq", "counts.json", "--perf", "results.json#/ViT~0B/classwise", "--json", "--bootstrap", "200",
  );
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.format, "conceptfreq-fit");
  assert.deepEqual(doc.series.map((s: { name: string }) => s.name), ["RN50", "ViT"]);
  const s = doc.series[0];
  assert.equal(s.n, 60);
  assert.ok(Math.abs(s.regression.slope - 6) < 0.5, String(s.regression.slope));
  assert.ok(s.regression.r > 0.9 && s.regression.p < 1e-10);
  assert.ok(s.regression.slope_ci95.low < s.regression.slope && s.regression.slope < s.regression.slope_ci95.high);
  assert.ok(s.regression.data_multiplier.per_point > 1);
  assert.equal(s.binned.method, "paper");
  assert.ok(Array.isArray(s.binned.bins) && s.binned.bins.length > 3);
  for (const b of s.binned.bins) assert.deepEqual(Object.keys(b), ["index", "edge", "low", "high", "mean", "std", "n", "kept"]);
  assert.ok(typeof s.binned.pearson.r === "number" && typeof s.binned.pearson.p === "number");
  assert.equal(s.points, undefined);
  assert.deepEqual(s.pairs[0].unmatched_performance, { count: 1, first: ["unicorn"] });
  // unmatched names are reported on stderr: how many, the first few
  assert.match(r.stderr, /series "RN50", pair 1: 1 concept of results\.json#\/RN50~1cc3m\/classwise has no frequency in counts\.json \("unicorn"\)/);
  assert.ok(!r.stdout.includes("NaN"));
  // deterministic output
  const again = run(
    "fit", "--series", "RN50", "--freq", "counts.json", "--perf", "results.json#/RN50~1cc3m/classwise",
    "--series", "ViT", "--freq", "counts.json", "--perf", "results.json#/ViT~0B/classwise", "--json", "--bootstrap", "200",
  );
  assert.equal(again.stdout, r.stdout);
});

test("fit pools pairs within a series and reads CSV; --points includes the joined points", () => {
  const r = run("fit", "--freq", "counts.json", "--perf", "vit.csv", "--freq", "counts.json", "--perf", "results.json#/ViT~0B/classwise", "--json", "--points", "--bootstrap", "0", "--binning", "quantile", "--bins", "5");
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).series[0];
  assert.equal(s.name, "pooled (2 pairs)");
  assert.equal(s.n, 120, "the same name in two pairs is two points");
  assert.equal(s.points.length, 120);
  assert.equal(s.regression.slope_ci95, null);
  assert.equal(s.binned.method, "quantile");
  assert.equal(s.binned.bins.length, 5);
  assert.equal(r.stderr, "");
});

test("fit prints a readable table and writes the plot (PNG and SVG)", () => {
  const r = run("fit", "--freq", "counts.json", "--perf", "results.json#/ViT~0B/classwise", "--plot", "fit.png", "--scatter", "--bootstrap", "100");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /series "ViT~B": 60 concepts from 1 pair/);
  assert.match(r.stdout, /slope\s+\d+(\.\d+)? points per 10x data\s+\(95% CI/);
  assert.match(r.stdout, /binned \(paper binning, 12 edges on ln\(max\(freq, 1\)\), trim 1,1\): r 0\.\d+/);
  assert.match(r.stdout, /more data for\s+\+1 point: [\d.]+x\s+\+10 points: [\d.e+]+x/);
  const png = readFileSync(join(dir, "fit.png"));
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  const svg = run("fit", "--series", "A", "--freq", "counts.json", "--perf", "vit.csv", "--series", "B", "--freq", "counts.json", "--perf", "vit.csv", "--plot", "fit.svg", "--bootstrap", "0");
  assert.equal(svg.code, 0, svg.stderr);
  const text = readFileSync(join(dir, "fit.svg"), "utf8");
  assert.equal((text.match(/class="mark-line role-mark/g) ?? []).length, 2);
  assert.match(text, /A, ρ=(0\.\d\d|1\.00)\*\*/);
});

/** A UserError is one line; a usage error (commander) adds the "(run with --help for usage)" hint. */
function expectUserError(args: string[], pattern: RegExp, outFile?: string) {
  const r = run(...args);
  assert.equal(r.code, 2, `exit code for ${args.join(" ")}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  const lines = r.stderr.trim().split("\n").filter((l) => l !== "(run with --help for usage)");
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.ok(!r.stderr.includes("    at "), "no stack trace");
  assert.equal(r.stdout, "");
  if (outFile) assert.ok(!existsSync(join(dir, outFile)), `${outFile} not written`);
}

// (each spawn costs about a second, so only a sample of errors goes through the CLI; the library tests cover the rest)
test("fit: bad input exits 2 with one line and no output file", () => {
  expectUserError(["fit", "--freq", "missing.json", "--perf", "vit.csv", "--plot", "x1.png"], /^conceptfreq: Cannot read missing\.json: no such file\.$/m, "x1.png");
  expectUserError(["fit", "--freq", "counts.json", "--perf", "results.json#/RN50/classwise", "--plot", "x2.png"], /JSON pointer "\/RN50\/classwise" does not resolve/, "x2.png");
  expectUserError(["fit", "--freq", "counts.json", "--perf", "results.json#/RN50~1cc3m/classwise", "--strict", "--plot", "x3.svg"], /--strict: 1 concept of .* has no frequency \("unicorn"\)/, "x3.svg");
  expectUserError(["fit", "--freq", "counts.json", "--perf", "vit.csv", "--plot", "x4.pdf"], /must end in \.svg or \.png/, "x4.pdf");
  expectUserError(["fit", "--freq", "counts.json", "--perf", "vit.csv", "--binning", "median"], /error: option '--binning <method>' argument 'median' is invalid/);
  writeFileSync(join(dir, "other.json"), JSON.stringify({ Plane: 1, Car: 2 }));
  expectUserError(["fit", "--freq", "other.json", "--perf", "vit.csv"], /No concept of vit\.csv has a frequency in other\.json/);
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp")), []);
});

test("fit: degenerate series give nulls with reasons, not NaN", () => {
  writeFileSync(join(dir, "two.json"), JSON.stringify({ a: 1, b: 10 }));
  const r = run("fit", "--freq", "two.json", "--perf", "two.json", "--json");
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).series[0];
  assert.equal(s.regression.slope, null);
  assert.match(s.regression.reason, /at least 3 concepts/);
  assert.equal(s.binned.pearson.r, null);
  assert.ok(!r.stdout.includes("NaN"));
  const t = run("fit", "--freq", "two.json", "--perf", "two.json");
  assert.equal(t.code, 0);
  assert.match(t.stdout, /no fit: a fit needs at least 3 concepts/);
});

test("fit --alias renames a concept before the join; --perf-reduce takes the mean or max of per-prompt lists", () => {
  writeFileSync(join(dir, "alias-counts.json"), JSON.stringify({ airplane: 1000, car: 10, dog: 100, cat: 1 }));
  writeFileSync(join(dir, "alias-perf.json"), JSON.stringify({ plane: 80, car: 20, dog: 60, cat: 10 }));
  writeFileSync(join(dir, "aliases.json"), JSON.stringify({ plane: "airplane" }));
  const base = ["fit", "--freq", "alias-counts.json", "--json", "--bootstrap", "0", "--binning", "none"];
  const without = run(...base, "--perf", "alias-perf.json");
  assert.equal(JSON.parse(without.stdout).series[0].n, 3, "plane has no count under its own name");
  for (const alias of ["plane=airplane", "aliases.json"]) {
    const r = run(...base, "--perf", "alias-perf.json", "--alias", alias);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout).series[0];
    assert.equal(s.n, 4, `--alias ${alias}`);
    assert.equal(s.pairs[0].unmatched_performance.count, 0);
  }

  writeFileSync(join(dir, "t2i.json"), JSON.stringify({ sd: { classwise: { airplane: [1, 2, 6], car: [4, 4], dog: [0, 9, 3], cat: [2] } } }));
  const list = run(...base, "--perf", "t2i.json#/sd/classwise");
  assert.equal(list.code, 2);
  assert.match(list.stderr, /the value of "airplane" is a list, not a number; reduce it with --perf-reduce mean\|max/);
  const points = (how: string) => {
    const r = run(...base, "--perf", "t2i.json#/sd/classwise", "--perf-reduce", how, "--points");
    assert.equal(r.code, 0, r.stderr);
    return Object.fromEntries(JSON.parse(r.stdout).series[0].points.map((p: { concept: string; performance: number }) => [p.concept, p.performance]));
  };
  assert.deepEqual(points("mean"), { airplane: 3, car: 4, dog: 4, cat: 2 });
  assert.deepEqual(points("max"), { airplane: 6, car: 4, dog: 9, cat: 2 });
});

test("fit --binning paper --bins 7 --trim 3,0: trim counts positions of the fixed bins, an empty edge bin included", () => {
  // numpy (the notebooks): x = ln f; edges = linspace(0, 6, 7); idx = digitize(x, edges, right=True)
  // = [0 1 1 3 3 4 4 6 6 6 5]: position 2 is empty. edges[3:] with means 13.5, 19, 24, 34.333...:
  // scipy.stats.pearsonr -> r = 0.9838475972112616. Trimming the first three NON-EMPTY bins would give 0.9804262413761281.
  const x = [0, 0.5, 0.7, 2.2, 2.9, 3.5, 3.9, 5.2, 5.5, 6.0, 4.4];
  const perf = [5, 7, 6, 12, 15, 20, 18, 30, 33, 40, 24];
  const f: Record<string, number> = {};
  const cw: Record<string, number> = {};
  x.forEach((v, i) => { f[`c${i}`] = Math.exp(v); cw[`c${i}`] = perf[i]!; });
  writeFileSync(join(dir, "edge-counts.json"), JSON.stringify(f));
  writeFileSync(join(dir, "edge-results.json"), JSON.stringify({ M: { full: 1, classwise: cw } }));
  const r = run("fit", "--freq", "edge-counts.json", "--perf", "edge-results.json#/M/classwise", "--bins", "7", "--trim", "3,0", "--binning", "paper", "--bootstrap", "0", "--json");
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).series[0];
  assert.deepEqual(s.binned.bins.filter((b: { kept: boolean }) => b.kept).map((b: { index: number }) => b.index), [3, 4, 5, 6]);
  assert.ok(Math.abs(s.binned.pearson.r - 0.9838475972112616) < 1e-12, String(s.binned.pearson.r));
});
