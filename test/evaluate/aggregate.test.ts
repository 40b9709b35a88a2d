import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../src/errors.js";
import { aggregateScores, aggregateScoresFile, formatAggregate } from "../../src/evaluate/aggregate.js";

const dir = mkdtempSync(join(tmpdir(), "cf-aggregate-"));
const line = (o: unknown) => JSON.stringify(o);

test("per prompt mean and max over its images, then the average over the concept's prompts", async () => {
  const lines = [
    // dog: prompt p1 has images 0.2, 0.4 (mean .3, max .4); prompt p2 has 0.6 (mean .6, max .6)
    line({ prompt: "p1", concept: "dog", score: 0.2, aesthetic: 5 }),
    line({ prompt: "p1", concept: "dog", score: 0.4, aesthetic: 7 }),
    line({ prompt: "p2", concept: "dog", score: 0.6, image: "x.png" }), // no aesthetic here; strings ignored
    // cat: one prompt, one image
    line({ concept: "cat", prompt: "p3", score: 0.25, aesthetic: 4 }),
  ];
  const r = await aggregateScores(lines);
  assert.deepEqual(r.metrics, ["score", "aesthetic"]);
  assert.deepEqual(r.concepts, ["dog", "cat"]);
  assert.ok(Math.abs(r.result.score!.mean.dog! - 0.45) < 1e-12); // (.3 + .6) / 2
  assert.ok(Math.abs(r.result.score!.max.dog! - 0.5) < 1e-12); // (.4 + .6) / 2
  assert.equal(r.result.score!.mean.cat, 0.25);
  assert.equal(r.result.score!.max.cat, 0.25);
  assert.deepEqual(r.result.aesthetic, { mean: { dog: 6, cat: 4 }, max: { dog: 7, cat: 4 } });
  assert.equal(r.used, 4);
  assert.equal(r.malformedTotal, 0);
});

test("output shape: metric -> mean/max -> concept, in first-appearance order with score first", async () => {
  const r = await aggregateScores([line({ prompt: "a", concept: "2", clip: 1, score: 3 }), line({ prompt: "b", concept: "10", score: 5, clip: 2 })]);
  assert.equal(
    formatAggregate(r),
    '{\n  "score": {\n    "mean": {\n      "2": 3,\n      "10": 5\n    },\n    "max": {\n      "2": 3,\n      "10": 5\n    }\n  },\n' +
      '  "clip": {\n    "mean": {\n      "2": 1,\n      "10": 2\n    },\n    "max": {\n      "2": 1,\n      "10": 2\n    }\n  }\n}\n',
  );
});

test("malformed lines are counted by problem and skipped; strict makes the first one an error", async () => {
  const lines = [
    line({ prompt: "p", concept: "dog", score: 1 }),
    "{not json",
    "[1, 2]",
    line({ prompt: "p", score: 1 }),
    line({ prompt: "p", concept: "  ", score: 1 }),
    line({ concept: "dog", score: 1 }),
    line({ prompt: "p", concept: "dog", note: "no numbers" }),
    "",
    line({ prompt: "q", concept: "dog", score: 3 }),
  ];
  const r = await aggregateScores(lines);
  assert.deepEqual(r.malformed, { bad_json: 1, not_object: 1, missing_concept: 2, missing_prompt: 1, missing_metric: 1 });
  assert.equal(r.malformedTotal, 6);
  assert.equal(r.firstMalformedLine, 2);
  assert.equal(r.lines, 9);
  assert.equal(r.used, 2);
  assert.deepEqual(r.result.score, { mean: { dog: 2 }, max: { dog: 2 } });
  await assert.rejects(
    aggregateScores(lines, { strict: true, source: "s.jsonl" }),
    (e: unknown) => e instanceof UserError && e.message === "s.jsonl line 2 is malformed: it is not valid JSON.",
  );
});

test("--metrics reads exactly the named fields, each required", async () => {
  const lines = [line({ prompt: "p", concept: "a", score: 1, human: 4, seed: 7 }), line({ prompt: "p", concept: "b", score: 2 })];
  const r = await aggregateScores(lines, { metrics: ["human"] });
  assert.deepEqual(r.metrics, ["human"]);
  assert.deepEqual(r.result.human, { mean: { a: 4 }, max: { a: 4 } });
  assert.deepEqual(r.malformed, { missing_metric: 1 });
  await assert.rejects(aggregateScores(lines, { metrics: ["human"], strict: true }), /line 2 is malformed: its "human" is not a number/);
});

test("concept names like __proto__ are ordinary keys", async () => {
  const r = await aggregateScores([line({ prompt: "p", concept: "__proto__", score: 1 }), line({ prompt: "p", concept: "constructor", score: 2 })]);
  assert.deepEqual(Object.keys(r.result.score!.mean), ["__proto__", "constructor"]);
  assert.equal(JSON.parse(formatAggregate(r)).score.mean.constructor, 2);
});

test("aggregateScoresFile streams a file; a missing file is a UserError", async () => {
  const p = join(dir, "s.jsonl");
  writeFileSync(p, [line({ prompt: "p", concept: "dog", score: 0.5 }), line({ prompt: "p", concept: "dog", score: 1.5 })].join("\r\n") + "\r\n");
  const r = await aggregateScoresFile(p);
  assert.deepEqual(r.result.score, { mean: { dog: 1 }, max: { dog: 1.5 } });
  await assert.rejects(aggregateScoresFile(join(dir, "none.jsonl")), (e: unknown) => e instanceof UserError && /does not exist/.test(e.message));
});

test("aggregateScoresFile refuses a file with no score lines (empty, or every line malformed) instead of writing an empty result", async () => {
  const empty = join(dir, "empty.jsonl");
  writeFileSync(empty, "\n\n");
  await assert.rejects(aggregateScoresFile(empty), (e: unknown) => e instanceof UserError && /holds no score lines: it has no lines\./.test(e.message));
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, "not json\n" + line({ prompt: "p", score: 1 }) + "\n");
  await assert.rejects(
    aggregateScoresFile(bad),
    (e: unknown) => e instanceof UserError && /all 2 of its non-blank lines are malformed \(.*first at line 1\)\./.test(e.message),
  );
});
