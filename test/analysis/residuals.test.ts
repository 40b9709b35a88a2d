/** Residuals from a fitted line, and the outliers a study lists. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { outliersOf, type ResidualPoint } from "../../src/analysis/residuals.js";

const p = (concept: string, residual: number | null): ResidualPoint => ({ concept, frequency: 1, performance: 0, residual });

test("outliersOf: largest |residual| first, ties in code-unit order (not locale order), no-fit points left out", () => {
  const points = [p("b", -2), p("a", 2), p("Z", 2), p("é", 3), p("e", 3), p("none", null), p("c", 1)];
  assert.deepEqual(outliersOf(points, 5).map((q) => q.concept), ["e", "é", "Z", "a", "b"]);
  assert.deepEqual(outliersOf(points, 10).map((q) => q.concept), ["e", "é", "Z", "a", "b", "c"]);
});
