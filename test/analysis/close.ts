import assert from "node:assert/strict";

/** Asserts |actual - expected| <= tol * max(1, |expected|). */
export function assertClose(actual: number | null | undefined, expected: number, tol = 1e-12, what = ""): void {
  assert.ok(typeof actual === "number", `${what} expected a number, got ${String(actual)}`);
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol * scale, `${what} ${actual} is not within ${tol} of ${expected}`);
}
