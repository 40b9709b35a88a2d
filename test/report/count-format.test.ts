import { test } from "node:test";
import assert from "node:assert/strict";
import { formatCountMap, formatCounts, formatEstimates } from "../../src/report/count-format.js";

test("counts as the paper's search_counts JSON, in the given order", () => {
  const counts = [{ concept: "sea lion", count: 3 }, { concept: "dog", count: 0 }];
  assert.equal(formatCounts(counts, "json"), '{\n  "sea lion": 3,\n  "dog": 0\n}\n');
  assert.deepEqual(JSON.parse(formatCounts(counts, "json")), { "sea lion": 3, dog: 0 });
});

test("counts as CSV quote a concept that needs it and join alternates with |", () => {
  const counts = [{ concept: 'a,b "c"', count: 1 }, { concept: "dog", count: 2 }];
  assert.equal(formatCounts(counts, "csv"), 'concept,count\n"a,b ""c""",1\ndog,2\n');
  assert.equal(formatCounts(counts, "csv", [["x"], ["puppy", "hound"]]), 'concept,count,alternates\n"a,b ""c""",1,x\ndog,2,puppy|hound\n');
  assert.deepEqual(JSON.parse(formatCounts(counts, "json", [["x"], []])), {
    'a,b "c"': { count: 1, alternates: ["x"] },
    dog: { count: 2, alternates: [] },
  });
});

test("a count map formats exactly as the same counts as a list", () => {
  const m = new Map([["zebra", 5], ["ant", 1]]);
  for (const f of ["json", "csv"] as const) {
    assert.equal(formatCountMap(m, f), formatCounts([{ concept: "zebra", count: 5 }, { concept: "ant", count: 1 }], f));
  }
  assert.equal(formatCountMap(new Map(), "json"), "{}\n");
});

test("estimates carry their interval, sample and rate", () => {
  const e = [{ concept: "dog", count: 200, low: 150, high: 250, sampled: 2, rate: 0.01 }];
  assert.deepEqual(JSON.parse(formatEstimates(e, "json")), { dog: { count: 200, low: 150, high: 250, sampled: 2, rate: 0.01 } });
  assert.equal(formatEstimates(e, "csv"), "concept,count,low,high,sampled,rate\ndog,200,150,250,2,0.01\n");
});
