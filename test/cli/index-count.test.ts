import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-index-"));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const captions = ["two dogs on a beach", "a cat asleep", "geese over the lake", "", "a dog and a cat"];
const tsv = join(dir, "c.tsv");
writeFileSync(tsv, captions.map((c, i) => `${c}\thttp://x.invalid/${i}`).join("\n") + "\n");
const idx = join(dir, "idx");

test("index build prints a one-line summary with malformed rows by kind", () => {
  const r = run("index", "build", tsv, "--out", idx, "--workers", "1");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^indexed 5 docs from 1 file\(s\) in .* 1 malformed rows kept as empty docs \(empty_caption 1\)/);
  const m = JSON.parse(readFileSync(join(idx, "manifest.json"), "utf8"));
  assert.equal(m.docCount, 5);
  assert.equal(m.inputs[0].rows, 5);
});

test("index merge appends indexes: the second's doc ids follow the first's", () => {
  const idx2 = join(dir, "idx2");
  assert.equal(run("index", "build", tsv, "--out", idx2, "--workers", "1").code, 0);
  const merged = join(dir, "merged");
  const r = run("index", "merge", idx, idx2, "--out", merged);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^merged 2 indexes: 10 docs -> /);
  const s = run("search", "--index", merged, "cat", "--limit", "5");
  assert.equal(s.code, 0, s.stderr);
  // "a cat asleep" and "a dog and a cat" in each half: docs 1, 4, 6, 9
  assert.match(s.stdout, /^cat: 4 of 10 captions/);
  assert.match(s.stdout, /\[6\] a cat asleep/);
});

test("count prints the paper's search_counts JSON in list order, or CSV", () => {
  writeFileSync(join(dir, "concepts.txt"), "# pets\ndog\ncat\ngoose\nunicorn\n");
  const r = run("count", "--index", idx, "--concepts", join(dir, "concepts.txt"));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, JSON.stringify({ dog: 2, cat: 2, goose: 1, unicorn: 0 }, null, 2) + "\n");
  const csv = run("count", "--index", idx, "--concepts", join(dir, "concepts.txt"), "--format", "csv", "--out", join(dir, "c.csv"));
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(readFileSync(join(dir, "c.csv"), "utf8"), "concept,count\ndog,2\ncat,2\ngoose,1\nunicorn,0\n");
});

test("count --ids-out writes Roaring files; builtin lists work", () => {
  const r = run("count", "--index", idx, "--concepts", "builtin:cifar10", "--ids-out", join(dir, "ids"));
  assert.equal(r.code, 0, r.stderr);
  const counts = JSON.parse(r.stdout);
  assert.equal(Object.keys(counts).length, 10);
  assert.equal(counts.dog, 2);
  assert.equal(readdirSync(join(dir, "ids")).length, 11);
});

test("search shows the count and example captions", () => {
  const r = run("search", "--index", idx, "dogs", "--limit", "1");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^dogs: 2 of 5 captions \(dog\)\n  \[0\] two dogs on a beach\n$/);
  const j = JSON.parse(run("search", "--index", idx, "cat", "--json").stdout);
  assert.deepEqual(j.examples.map((e: { doc: number }) => e.doc), [1, 4]);
});

test("concepts extract keeps noun lemmas present in enough images", () => {
  const p = join(dir, "ret.tsv");
  // 3 images x 2 captions
  writeFileSync(p, ["a dog on grass", "puppy dog", "a cat", "a cat and a dog", "a boat", "boat on a lake"].join("\n") + "\n");
  const r = run("concepts", "extract", p, "--captions-per-image", "2", "--min-images", "2", "--output-format", "json");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { dog: 2 });
  const bad = run("concepts", "extract", p, "--captions-per-image", "4");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a multiple of 4/);
});

test("errors: one sentence, exit 2, no stack trace, no output left behind", () => {
  const cases: [string[], RegExp][] = [
    [["index", "build", join(dir, "missing.tsv"), "--out", join(dir, "x1")], /cannot read .*missing\.tsv/],
    [["index", "build", tsv, "--out", idx], /already exists/],
    [["count", "--index", join(dir, "nope"), "--concepts", "builtin:cifar10"], /not a conceptfreq index/],
    [["count", "--index", idx, "--concepts", "builtin:imagenet-zz"], /unknown builtin concept list/],
    [["count", "--index", idx, "--concepts", "builtin:cifar10", "--match", "fuzzy"], /expected paper or phrase/],
    [["index", "build", tsv, "--out", join(dir, "x2"), "--workers", "0"], /positive integer/],
    [["frobnicate"], /unknown command/],
    // an output whose path runs through a file; outputs the system refuses (the /proc case once
    // hung: fs.mkdirSync's recursive option loops forever there)
    [["index", "build", tsv, "--out", join(tsv, "idx")], /cannot use .*c\.tsv as a directory: it is a file/],
    [["index", "merge", idx, idx, "--out", join(tsv, "m", "idx")], /cannot create the directory .*: .*c\.tsv is a file/],
    ...(existsSync("/proc/self") ? [[["index", "build", tsv, "--out", "/proc/conceptfreq-nope/idx"], /cannot create the directory \/proc\/conceptfreq-nope: no such file or directory/] as [string[], RegExp]] : []),
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
  assert.equal(existsSync(join(dir, "x1")), false);
  assert.equal(existsSync(join(dir, "x2")), false);
});

test("--strict makes the first malformed row an error naming file and line", () => {
  const r = run("index", "build", tsv, "--out", join(dir, "strict"), "--strict");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /c\.tsv line 4/);
  assert.equal(existsSync(join(dir, "strict")), false);
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes(".tmp-")), []);
});

test("an interrupted build leaves neither the index nor its temporary directory", async () => {
  const { spawn } = await import("node:child_process");
  const big = join(dir, "big.tsv");
  const rows: string[] = [];
  // (long enough that the interrupt lands mid-build on a fast machine: ~4 s for one worker here)
  for (let i = 0; i < 400000; i++) rows.push(`a photo of dog number ${i} with a cat and a horse in a field\tu${i}`);
  writeFileSync(big, rows.join("\n") + "\n");
  const out = join(dir, "interrupted");
  const child = spawn(process.execPath, [CLI, "index", "build", big, "--out", out, "--workers", "1"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, 1500));
  child.kill("SIGINT");
  const code: number | null = await new Promise((r) => child.on("exit", (c) => r(c)));
  if (existsSync(out)) {
    // the build won the race (finished, or its index renamed into place just before): then the index must be complete
    assert.ok(existsSync(join(out, "manifest.json")));
  } else {
    assert.equal(code, 130);
  }
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith("interrupted.tmp-")), []);
});
