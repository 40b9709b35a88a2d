import { test } from "node:test";
import assert from "node:assert/strict";
import {
  conceptNameKey,
  formatFrequency,
  parseFrequencyFlag,
  selectionToCsv,
  selectLongTail,
  type FrequencySource,
} from "../../src/longtail/select.js";
import { UserError } from "../../src/errors.js";

const src = (name: string, entries: Record<string, number>): FrequencySource => ({ name, counts: new Map(Object.entries(entries)) });

const LAION = src("laion", {
  dog: 90000,
  cat: 80000,
  "red panda": 40,
  aye_aye: 3,
  quokka: 12,
  axolotl: 3,
  tarsier: 7,
  okapi: 25,
  pangolin: 0,
});

test("one corpus: the rarest N by count, ties by name", () => {
  const sel = selectLongTail([LAION], { count: 4 });
  assert.deepEqual(
    sel.concepts.map((c) => c.concept),
    ["pangolin", "axolotl", "aye_aye", "tarsier"],
  );
  assert.deepEqual(sel.concepts.map((c) => c.rank), [1, 2, 3, 4]);
  assert.deepEqual(sel.concepts[1]!.counts, [3]);
  assert.equal(sel.ranking, "count");
  assert.equal(sel.ranked, 9);
});

test("input order never changes the result", () => {
  const reversed = src("laion", Object.fromEntries([...LAION.counts].reverse()));
  assert.deepEqual(selectLongTail([reversed], { count: 5 }), selectLongTail([LAION], { count: 5 }));
});

test("frequency thresholds: at most K, at least M; combined with a count", () => {
  const under = selectLongTail([LAION], { maxFrequency: 12 }).concepts.map((c) => c.concept);
  assert.deepEqual(under, ["pangolin", "axolotl", "aye_aye", "tarsier", "quokka"]);
  const band = selectLongTail([LAION], { maxFrequency: 40, minFrequency: 1, count: 3 }).concepts.map((c) => c.concept);
  assert.deepEqual(band, ["axolotl", "aye_aye", "tarsier"]);
});

test("name duplicates: case, punctuation and plurals collide; the most frequent spelling counts", () => {
  assert.equal(conceptNameKey("Geese"), conceptNameKey("goose"));
  assert.equal(conceptNameKey("Red-Panda"), conceptNameKey("red panda"));
  assert.equal(conceptNameKey("red pandas."), conceptNameKey("red panda"));
  assert.notEqual(conceptNameKey("2D printer"), conceptNameKey("3D printer"));
  assert.equal(conceptNameKey("kite"), conceptNameKey("Kites (bird)"));
  const sel = selectLongTail([src("c", { goose: 3, Geese: 50, "Goose.": 1, heron: 10, "3D printer": 2, "2D printer": 4 })]);
  assert.deepEqual(
    sel.concepts.map((c) => [c.concept, c.frequency]),
    [
      ["3D printer", 2],
      ["2D printer", 4],
      ["heron", 10],
      ["Geese", 50],
    ],
  );
  assert.deepEqual(sel.concepts[3]!.duplicates, ["Goose.", "goose"]);
  assert.deepEqual(sel.nearDuplicates, [
    { name: "Goose.", keptAs: "Geese" },
    { name: "goose", keptAs: "Geese" },
  ]);
});

test("several corpora: mean of log(1+count); --by ranks by one corpus; missing concepts", () => {
  const a = src("a", { x: 0, y: 100, z: 10, only_a: 1 });
  const b = src("b", { x: 1000, y: 0, z: 10 });
  const pooled = selectLongTail([a, b]);
  assert.equal(pooled.ranking, "mean-log1p");
  // means: x = ln(1001)/2, y = ln(101)/2, z = ln(11)
  assert.deepEqual(pooled.concepts.map((c) => c.concept), ["y", "z", "x"]);
  assert.ok(Math.abs(pooled.concepts[0]!.frequency - (Math.sqrt(101) - 1)) < 1e-9);
  assert.deepEqual(pooled.concepts[0]!.counts, [100, 0]);
  assert.deepEqual(pooled.missing, ["only_a"]);
  const byA = selectLongTail([a, b], { by: "a" });
  assert.deepEqual(byA.concepts.map((c) => c.concept), ["x", "z", "y"]);
  assert.equal(byA.ranking, "by:a");
  const zero = selectLongTail([a, b], { missing: "zero" });
  assert.deepEqual(zero.concepts.map((c) => c.concept), ["only_a", "y", "z", "x"]);
  assert.throws(() => selectLongTail([a, b], { by: "c" }), /--by c names no frequency map/);
});

test("bad input is a UserError", () => {
  assert.throws(() => selectLongTail([]), UserError);
  assert.throws(() => selectLongTail([src("a", { x: -1 })]), /non-negative/);
  assert.throws(() => selectLongTail([src("a", { x: 1 }), src("a", { x: 2 })]), /two frequency maps are named "a"/);
  assert.throws(() => selectLongTail([src("rank", { x: 1 })]), UserError);
  assert.throws(() => selectLongTail([LAION], { count: 0 }), /--count/);
});

test("--freq names and CSV rows", () => {
  assert.deepEqual(parseFrequencyFlag("laion=data/counts.json#/laion400m"), { name: "laion", spec: "data/counts.json#/laion400m" });
  assert.deepEqual(parseFrequencyFlag("data/cc3m-counts.csv"), { name: "cc3m-counts", spec: "data/cc3m-counts.csv" });
  assert.deepEqual(parseFrequencyFlag("./a=b/c.json"), { name: "c", spec: "./a=b/c.json" });
  const sel = selectLongTail([src("a", { x: 0, y: 3 }), src("b", { x: 2, y: 1 })]);
  const { header, rows } = selectionToCsv(sel);
  assert.deepEqual(header, ["concept", "frequency", "rank", "a", "b"]);
  assert.deepEqual(rows[0], ["x", formatFrequency(Math.sqrt(3) - 1), "1", "0", "2"]);
  assert.equal(formatFrequency(0.732050807), "0.7321");
});

test("equally frequent spellings: the normal form is kept", () => {
  const sel = selectLongTail([src("c", { Geese: 5, goose: 5, "GOOSE!": 5 })]);
  assert.deepEqual(sel.concepts.map((c) => c.concept), ["goose"]);
  assert.deepEqual(sel.concepts[0]!.duplicates, ["GOOSE!", "Geese"]);
});

test("ties on the ranked count are broken by the other maps' counts, then by name", () => {
  const integrated = src("integrated", { "1991 Volkswagen Golf": 0, "Acura RL": 0, zebra: 0, okapi: 0, dog: 5 });
  const text = src("text", { "1991 Volkswagen Golf": 40, "Acura RL": 9, zebra: 3, okapi: 3, dog: 90 });
  const image = src("image", { "1991 Volkswagen Golf": 12, "Acura RL": 1, zebra: 0, okapi: 0, dog: 80 });
  const sel = selectLongTail([integrated, text, image], { by: "integrated" });
  // all four have integrated count 0: okapi and zebra are rarer in text and image (equal: by name), then Acura, then the Golf
  assert.deepEqual(sel.concepts.map((c) => c.concept), ["okapi", "zebra", "Acura RL", "1991 Volkswagen Golf", "dog"]);
  // one map only: by name, as before
  assert.deepEqual(selectLongTail([integrated]).concepts.map((c) => c.concept).slice(0, 4), ["1991 Volkswagen Golf", "Acura RL", "okapi", "zebra"]);
});
