import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { countConcepts } from "../../src/text-index/count.js";
import { searchConcept } from "../../src/text-index/search.js";
import { writeConceptIds } from "../../src/text-index/ids-out.js";
import { deserializePortable } from "../../src/postings/posting-file.js";
import { readConceptList } from "../../src/concepts/concept-list.js";

const dir = mkdtempSync(join(tmpdir(), "cf-count-"));
const CAPTIONS = [
  "a great white shark in the sea", // 0
  "a hot dog on a plate", // 1
  "a dog on a hot day", // 2
  "two dogs and a hot-air balloon", // 3
  "geese on the lake", // 4
  "a sea lion on the rocks", // 5
  "a sealion sleeping", // 6
  "a kite flying over the beach", // 7
  "the sea at night with a lion statue", // 8
  "a Boeing 717 landing next to an A320", // 9
  "a C-130 Hercules and two F-16A/B jets", // 10
  "close - up of a man in a t - shirt", // 11
  "a close-up of a striped t-shirt", // 12
  "a t shirt , close up", // 13
  "a Boeing 747 at the gate , 717 passengers", // 14
  "grade c : 130 points", // 15
];
let index: TextIndex;

test.before(async () => {
  const p = join(dir, "c.tsv");
  writeFileSync(p, CAPTIONS.map((c, i) => `${c}\tu${i}`).join("\n") + "\n");
  await buildTextIndex([p], { out: join(dir, "idx"), workers: 1 });
  index = TextIndex.open(join(dir, "idx"));
});
test.after(() => index.close());

function ids(concept: string, match: "paper" | "phrase" = "paper"): number[] {
  return [...countConcepts(index, [concept], { match, keepIds: true })[0]!.ids!];
}

test("paper rule: every word's noun lemma in the caption's noun set, order ignored", () => {
  assert.deepEqual(ids("great white shark"), []);
  assert.deepEqual(ids("shark"), [0]);
  assert.deepEqual(ids("hot dog"), []);
  assert.deepEqual(ids("dog"), [1, 2, 3]);
  assert.deepEqual(ids("goose"), [4]);
  assert.deepEqual(ids("Geese"), [4]);
  // bag of nouns: "sea" and "lion" anywhere
  assert.deepEqual(ids("sea lion"), [5, 8]);
});

test("phrase rule: contiguous and in order, any part of speech", () => {
  assert.deepEqual(ids("great white shark", "phrase"), [0]);
  assert.deepEqual(ids("hot dog", "phrase"), [1]);
  assert.deepEqual(ids("sea lion", "phrase"), [5]);
  assert.deepEqual(ids("dogs", "phrase"), [1, 2, 3]);
});

test("phrase rule: digits are words, a hyphen or dash joins words spaced or not (FGVC-Aircraft, CC-3M)", () => {
  assert.deepEqual(ids("Boeing 717", "phrase"), [9]);
  assert.deepEqual(ids("A320", "phrase"), [9]);
  assert.deepEqual(ids("C-130", "phrase"), [10]); // not "c : 130": the colon breaks the phrase
  assert.deepEqual(ids("F-16A/B", "phrase"), [10]);
  assert.deepEqual(ids("t-shirt", "phrase"), [11, 12, 13]);
  assert.deepEqual(ids("t shirt", "phrase"), [11, 12, 13]);
  assert.deepEqual(ids("close-up", "phrase"), [11, 12, 13]);
  assert.deepEqual(ids("717", "phrase"), [9, 14]);
  // the paper's rule keeps letters only: "Boeing 717" is "boeing", "A320" is "a"
  assert.deepEqual(ids("Boeing 717"), [9, 14]);
  assert.equal(countConcepts(index, ["Boeing 717", "A320"], { match: "phrase" }).map((c) => c.count).join(), "1,1");
});

test("alternates: a caption matching any alternate counts once", () => {
  assert.deepEqual(ids("sea lion|sealion", "phrase"), [5, 6]);
  assert.equal(countConcepts(index, ["sea lion|sealion"], { match: "phrase" })[0]!.count, 2);
});

test("a parenthesised part is a disambiguation, not a required word", () => {
  assert.deepEqual(ids("kite (bird of prey)"), [7]);
});

test("counts come back in the concept list's order", () => {
  const r = countConcepts(index, ["lake", "dog", "unicorn"]);
  assert.deepEqual(r.map((c) => [c.concept, c.count]), [["lake", 1], ["dog", 3], ["unicorn", 0]]);
});

test("search gives the count and the first captions", () => {
  const r = searchConcept(index, "dog", { limit: 2 });
  assert.equal(r.count, 3);
  assert.deepEqual(r.examples, [{ doc: 1, caption: CAPTIONS[1] }, { doc: 2, caption: CAPTIONS[2] }]);
});

test("ids-out writes one portable Roaring file per concept", () => {
  const out = join(dir, "ids");
  const r = countConcepts(index, ["dog", "lake"], { keepIds: true });
  writeConceptIds(out, r.map((c) => ({ concept: c.concept, ids: c.ids! })));
  const map = JSON.parse(readFileSync(join(out, "index.json"), "utf8")).files as Record<string, string>;
  assert.deepEqual([...deserializePortable(readFileSync(join(out, map["dog"]!)))], [1, 2, 3]);
  assert.equal(readdirSync(out).length, 3);
});

test("concept lists: txt with comments, JSON, CSV with a concept column, builtins", () => {
  writeFileSync(join(dir, "l.txt"), "# animals\ndog\n\nsea lion|sealion\ndog\n");
  assert.deepEqual(readConceptList(join(dir, "l.txt")), { concepts: ["dog", "sea lion|sealion"], duplicates: 1, source: join(dir, "l.txt") });
  writeFileSync(join(dir, "l.json"), JSON.stringify(["a", "b"]));
  assert.deepEqual(readConceptList(join(dir, "l.json")).concepts, ["a", "b"]);
  writeFileSync(join(dir, "l.csv"), 'id,concept\n1,"tiger, shark"\n2,goose\n');
  assert.deepEqual(readConceptList(join(dir, "l.csv")).concepts, ["tiger, shark", "goose"]);
  assert.equal(readConceptList("builtin:cifar10").concepts.length, 10);
  assert.equal(readConceptList("builtin:cifar100").concepts.length, 100);
  assert.throws(() => readConceptList("builtin:nope"), /unknown builtin/);
  assert.throws(() => readConceptList(join(dir, "missing.txt")), /cannot read/);
});
