import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-synonyms-"));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const captions = [
  "a cat on the couch", // 0 couch
  "a leather sofa in the living room", // 1 sofa
  "a sofa and a couch", // 2 both: counted once
  "a lounge with a view", // 3 lounge (couch's first synset: sofa, couch, lounge)
  "two sea lions on the rocks", // 4 sea lion: multi-word lemma name, paper rule
  "a dog on the beach", // 5
  "a crane lifts steel beams", // 6
];
const tsv = join(dir, "c.tsv");
writeFileSync(tsv, captions.map((c, i) => `${c}\thttp://x.invalid/${i}`).join("\n") + "\n");
const idx = join(dir, "idx");
const concepts = join(dir, "concepts.txt");
writeFileSync(concepts, "couch\nsea lion\ndog\n");

test("setup: index the tiny corpus", () => {
  const r = run("index", "build", tsv, "--out", idx, "--workers", "1");
  assert.equal(r.code, 0, r.stderr);
});

test("count --synonyms wordnet counts the union of a concept and its synonyms, and says which", () => {
  const plain = run("count", "--index", idx, "--concepts", concepts);
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(JSON.parse(plain.stdout), { couch: 2, "sea lion": 1, dog: 1 });
  const r = run("count", "--index", idx, "--concepts", concepts, "--synonyms", "wordnet");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    couch: { count: 4, alternates: ["couch", "sofa", "lounge"] }, // docs 0-3, doc 2 once
    "sea lion": { count: 1, alternates: ["sea lion"] },
    dog: { count: 1, alternates: ["dog", "domestic dog", "canis familiaris"] },
  });
  const csv = run("count", "--index", idx, "--concepts", concepts, "--synonyms", "wordnet", "--format", "csv");
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout.split("\n")[1], "couch,4,couch|sofa|lounge");
});

test("--explain writes the expansion; --synonyms FILE counts an edited expansion", () => {
  const explain = join(dir, "syn.json");
  const r = run("count", "--index", idx, "--concepts", concepts, "--synonyms", "wordnet", "--explain", explain);
  assert.equal(r.code, 0, r.stderr);
  const file = JSON.parse(readFileSync(explain, "utf8"));
  assert.equal(file.format, "conceptfreq-synonyms");
  assert.deepEqual(file.concepts.couch.alternates, ["couch", "sofa", "lounge"]);
  assert.equal(file.concepts.couch.synsets[0].offset, "04263630");
  file.concepts.couch.alternates = ["couch", "sofa"]; // a user drops "lounge"
  writeFileSync(explain, JSON.stringify(file, null, 2));
  const frozen = run("count", "--index", idx, "--concepts", concepts, "--synonyms", explain);
  assert.equal(frozen.code, 0, frozen.stderr);
  assert.deepEqual(JSON.parse(frozen.stdout).couch, { count: 3, alternates: ["couch", "sofa"] });
});

test("search --synonyms shows the alternates and pins a sense", () => {
  const r = run("search", "--index", idx, "couch", "--synonyms", "wordnet", "--limit", "2");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^couch: 4 of 7 captions \(couch \| sofa \| lounge\)\n  \[0\] a cat on the couch\n  \[1\] a leather sofa/);
  const j = run("search", "--index", idx, "crane#n4", "--synonyms", "wordnet", "--json", "--limit", "0");
  assert.equal(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  assert.equal(out.count, 1);
  assert.deepEqual(out.alternates, ["crane"]);
});

test("a bad sense pin, or --senses without --synonyms, is one sentence and exit 2 with nothing written", () => {
  writeFileSync(join(dir, "bad.txt"), "couch\ncrane#n9\n");
  const out = join(dir, "bad.json");
  const r = run("count", "--index", idx, "--concepts", join(dir, "bad.txt"), "--synonyms", "wordnet", "--out", out);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'conceptfreq: "crane#n9" pins noun sense 9, but WordNet 3.1 has 5 noun sense(s) of "crane".\n');
  assert.equal(existsSync(out), false);
  const s = run("search", "--index", idx, "crane#bird", "--synonyms", "wordnet");
  assert.equal(s.code, 2);
  assert.match(s.stderr, /^conceptfreq: "crane#bird" has an unknown sense pin "#bird"; [^\n]*\n$/);
  const n = run("count", "--index", idx, "--concepts", concepts, "--senses", "all");
  assert.equal(n.code, 2);
  assert.match(n.stderr, /^conceptfreq: --senses chooses WordNet senses for --synonyms wordnet/);
  const m = run("count", "--index", idx, "--concepts", concepts, "--synonyms", join(dir, "missing.json"));
  assert.equal(m.code, 2);
  assert.match(m.stderr, /^conceptfreq: cannot read synonym file /);
});

test("--explain or --out naming a directory is refused before anything is printed (no counts on stdout, then an error)", () => {
  const d = join(dir, "a-directory");
  mkdirSync(d, { recursive: true });
  const r = run("count", "--index", idx, "--concepts", concepts, "--synonyms", "wordnet", "--explain", d);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, `conceptfreq: --explain ${d} is a directory; give a file name.\n`);
  const s = run("search", "--index", idx, "couch", "--synonyms", "wordnet", "--explain", d);
  assert.equal(s.code, 2);
  assert.equal(s.stdout, "");
  const o = run("count", "--index", idx, "--concepts", concepts, "--out", d);
  assert.equal(o.code, 2);
  assert.equal(o.stderr, `conceptfreq: --out ${d} is a directory; give a file name.\n`);
});
