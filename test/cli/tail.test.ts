import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-tail-"));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: dir });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const a: Record<string, number> = {};
const b: string[] = ["concept,count"];
for (let i = 1; i <= 200; i++) {
  a[`c${i}`] = i > 190 ? 0 : Math.floor(100000 / i);
  b.push(`c${i},${Math.floor(20000 / i ** 1.2)}`);
}
writeFileSync(join(dir, "cc3m.json"), JSON.stringify(a));
writeFileSync(join(dir, "laion.csv"), b.join("\n") + "\n");

test("tail --json: Zipf fit, shares, concentration, rarest and cross-corpus correlations", () => {
  const r = run("tail", "--freq", "cc3m.json", "--freq", "laion.csv", "--json", "--rarest", "3");
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.format, "conceptfreq-tail");
  assert.deepEqual(doc.corpora.map((c: { name: string }) => c.name), ["cc3m", "laion"]);
  const c = doc.corpora[0];
  assert.equal(c.concepts, 200);
  assert.equal(c.share_zero, 10 / 200);
  assert.ok(Math.abs(c.zipf.exponent - 1) < 0.02, String(c.zipf.exponent));
  assert.ok(c.zipf.r2 > 0.99);
  assert.deepEqual(c.rarest.map((x: { concept: string }) => x.concept), ["c191", "c192", "c193"]);
  assert.equal(c.top_1pct.concepts, 2);
  assert.equal(doc.correlations.length, 1);
  assert.equal(doc.correlations[0].n, 200);
  assert.ok(doc.correlations[0].spearman.r > 0.9);
  assert.ok(Math.abs(doc.corpora[1].zipf.exponent - 1.2) < 0.05);
});

test("tail prints a readable report, takes --names and writes the plot", () => {
  const r = run("tail", "--freq", "cc3m.json", "--freq", "laion.csv", "--names", "CC-3M,LAION", "--plot", "tail.svg");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /corpus "CC-3M": 200 concepts/);
  assert.match(r.stdout, /zipf exponent\s+(1|0\.99\d|1\.0\d)\s+\(r² (1|0\.99\d), over 190 concepts with count > 0\)/);
  assert.match(r.stdout, /concepts with 0\s+5\.0%/);
  assert.match(r.stdout, /top 10% holds\s+\d+\.\d% of occurrences \(20 concepts\)/);
  assert.match(r.stdout, /rarest 10: c191 \(0\)/);
  assert.match(r.stdout, /correlation of ln\(1 \+ count\) between corpora/);
  assert.match(r.stdout, /CC-3M\s+LAION\s+200\s+0\.\d+/);
  const svg = readFileSync(join(dir, "tail.svg"), "utf8");
  assert.equal((svg.match(/class="mark-line role-mark/g) ?? []).length, 2);
  const png = run("tail", "--freq", "cc3m.json", "--plot", "tail.png");
  assert.equal(png.code, 0, png.stderr);
  assert.equal(readFileSync(join(dir, "tail.png")).subarray(1, 4).toString(), "PNG");
});

test("tail: bad input exits 2 with one line and no output", () => {
  for (const [args, pattern, out] of [
    [["tail"], /Nothing to describe/, undefined],
    [["tail", "--freq", "nope.json", "--plot", "t1.png"], /Cannot read nope\.json: no such file\./, "t1.png"],
    [["tail", "--freq", "cc3m.json", "--names", "a,b"], /--names lists 2 names for 1 --freq file\./, undefined],
    [["tail", "--freq", "cc3m.json", "--plot", "t.jpg"], /must end in \.svg or \.png/, "t.jpg"],
  ] as [string[], RegExp, string | undefined][]) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").filter((l) => l !== "(run with --help for usage)").length, 1, r.stderr);
    assert.equal(r.stdout, "");
    if (out) assert.ok(!existsSync(join(dir, out)));
  }
});
