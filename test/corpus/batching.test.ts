import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { openCorpus } from "../../src/corpus/open.js";
import { fixture, readAll, tempDir } from "./fixtures.js";

const dir = tempDir();
const N = 10_007;
const tsv = Array.from({ length: N }, (_, i) => `caption ${i}\thttp://x/${i}`).join("\n") + "\n";

test("batches: default 4096 rows, the last one short, rows in file order", async () => {
  const path = fixture(dir, "b.tsv", tsv);
  const { rows, batchSizes } = await readAll(path);
  assert.deepEqual(batchSizes, [4096, 4096, N - 8192]);
  assert.deepEqual(
    rows.map((r) => r.location),
    Array.from({ length: N }, (_, i) => i + 1),
  );
  assert.ok(rows.every((r, i) => r.text === `caption ${i}`));
});

test("batches: custom size, batch boundaries fall anywhere (also inside a multi-line CSV record)", async () => {
  const path = fixture(dir, "b2.tsv", tsv);
  const { rows, batchSizes } = await readAll(path, { batchRows: 1000 });
  assert.deepEqual(batchSizes, [...Array(10).fill(1000), 7]);
  assert.equal(rows.length, N);
  const csv = fixture(dir, "b.csv", Array.from({ length: 50 }, (_, i) => `"row ${i}\ncontinued",x`).join("\n"));
  const r = await readAll(csv, { batchRows: 7 });
  assert.equal(r.rows.length, 50);
  assert.deepEqual(r.batchSizes, [...Array(7).fill(7), 1]);
  assert.deepEqual(
    r.rows.map((x) => x.location),
    Array.from({ length: 50 }, (_, i) => 2 * i + 1),
  );
});

test("reading twice gives the same rows; stopping early closes the file", async () => {
  const path = fixture(dir, "twice.tsv", tsv);
  const openFds = () => (existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd").length : 0);
  const fdsBefore = openFds();
  const corpus = openCorpus(path, { batchRows: 100 });
  const first: string[] = [];
  for await (const batch of corpus) {
    first.push(...batch.map((r) => r.text));
    if (first.length >= 300) break;
  }
  assert.equal(first.length, 300);
  // The stream closes its descriptor asynchronously after the loop's break.
  for (let i = 0; i < 100 && openFds() > fdsBefore; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(openFds(), fdsBefore);
  const again: string[] = [];
  for await (const batch of corpus) again.push(...batch.map((r) => r.text));
  assert.equal(again.length, N);
  assert.deepEqual(again.slice(0, 300), first);
});
