import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { countConceptsInParallel } from "../../src/corpus-set/count-parallel.js";
import { openTextSource } from "../../src/corpus-set/text-corpus.js";
import { DamagedFileError, PostingFile } from "../../src/postings/posting-file.js";
import { UserError } from "../../src/errors.js";
import type { MatchMode } from "../../src/text-index/count.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-count-parallel-"));

// Captions from 60 words in two-word phrases (seeded): enough concepts for several workers.
const WORDS = Array.from({ length: 60 }, (_, i) => ["dog", "cat", "sea", "lion", "hot", "shark", "kite", "boat", "tree", "car"][i % 10]! + (i < 10 ? "" : String.fromCharCode(97 + Math.floor(i / 10)) + "x"));
let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const pick = () => WORDS[Math.floor(rand() * WORDS.length)]!;
const CAPTIONS = Array.from({ length: 400 }, () => `a ${pick()} ${pick()} near the ${pick()} and a ${pick()}`);
// single words, two-word phrases (paper: both nouns; phrase: contiguous), unknown words
const CONCEPTS = [...WORDS, ...WORDS.map((w, i) => `${w} ${WORDS[(i * 7 + 3) % WORDS.length]}`), "sea lion", "hot dog", "unicornzz", "dog|cat"];
// synonym-style alternates for every concept
const QUERIES = CONCEPTS.map((c, i) => `${c}|${WORDS[(i * 11) % WORDS.length]}`);

const idx = join(dir, "idx");
const tsvs: string[] = [];

test.before(async () => {
  for (let k = 0; k < 3; k++) {
    const p = join(dir, `part-${k}.tsv`);
    writeFileSync(p, CAPTIONS.slice(k * 130, (k + 1) * 130 + (k === 2 ? 10 : 0)).map((c, i) => `${c}\thttp://x.invalid/${k}/${i}`).join("\n") + "\n");
    tsvs.push(p);
  }
  await buildTextIndex(tsvs, { out: idx, workers: 1 });
});

function syncCounts(at: string, match: MatchMode, queries?: string[]) {
  const source = openTextSource(at);
  try {
    return source.countConcepts(CONCEPTS, { match, queries });
  } finally {
    source.close();
  }
}

/** The error a call throws (fails when it does not throw). */
async function errorOf(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  assert.fail("expected an error");
}

test("parallel counts equal the single-threaded counts, in list order, for paper and phrase, with alternates", async () => {
  assert.ok(CONCEPTS.length >= 120, "enough concepts for several workers");
  for (const match of ["paper", "phrase"] as const) {
    for (const queries of [undefined, QUERIES]) {
      const expected = syncCounts(idx, match, queries);
      assert.ok(expected.some((c) => c.count > 0) && (queries !== undefined || expected.some((c) => c.count === 0)));
      for (const workers of [1, 2, 3]) {
        assert.deepEqual(await countConceptsInParallel(idx, CONCEPTS, { match, queries, workers }), expected, `${match}, ${workers} workers, queries ${!!queries}`);
      }
    }
  }
  // phrase is not paper: the fixture tells them apart
  assert.notDeepEqual(syncCounts(idx, "phrase"), syncCounts(idx, "paper"));
});

test("few concepts are counted in this thread; bad worker counts and query lists are refused", async () => {
  assert.deepEqual(await countConceptsInParallel(idx, ["dog", "sea lion"], { workers: 8 }), openTextSource(idx).countConcepts(["dog", "sea lion"]));
  await assert.rejects(countConceptsInParallel(idx, CONCEPTS, { workers: 0 }), (e: Error) => e instanceof UserError && /workers must be a positive integer/.test(e.message));
  await assert.rejects(countConceptsInParallel(idx, CONCEPTS, { queries: ["x"], workers: 2 }), /1 queries for 124 concepts/);
});

test("over a corpus of shards: the same counts as the corpus's single-threaded count and as one index", async () => {
  const corpus = join(dir, "corpus");
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  let r = run("corpus", "plan", ...tsvs, "--shards", "3", "--out", corpus, "--format", "tsv");
  assert.equal(r.status, 0, r.stderr);
  r = run("corpus", "run", corpus, "--parallel", "1", "--workers", "1");
  assert.equal(r.status, 0, r.stderr);
  for (const match of ["paper", "phrase"] as const) {
    const expected = syncCounts(corpus, match, QUERIES);
    assert.deepEqual(expected, syncCounts(idx, match, QUERIES), "a corpus counts as the one index over the same captions");
    assert.deepEqual(await countConceptsInParallel(corpus, CONCEPTS, { match, queries: QUERIES, workers: 2 }), expected);
  }
  // verify: every shard's checksums are checked, as by the single-threaded count
  const damaged = join(dir, "corpus-damaged");
  cpSync(corpus, damaged, { recursive: true });
  const nouns = (readdirSync(damaged, { recursive: true }) as string[]).filter((f) => f.endsWith("nouns.postings")).sort().at(-1)!;
  const bytes = readFileSync(join(damaged, nouns));
  bytes[bytes.length >> 1]! ^= 0xff;
  writeFileSync(join(damaged, nouns), bytes);
  const syncError = await errorOf(() => openTextSource(damaged, { verify: true }).countConcepts(CONCEPTS));
  assert.match(syncError.message, /damaged/);
  const e = await errorOf(() => countConceptsInParallel(damaged, CONCEPTS, { workers: 2, verify: true }));
  assert.ok(e instanceof UserError);
  assert.equal(e.message, syncError.message);
});

/** The concepts, with only the last one reading the bitmap of the last noun (the last bytes of nouns.postings). */
function readingLastNoun(): string[] {
  const file = PostingFile.open(join(idx, "nouns.postings"));
  const last = file.terms().at(-1)!;
  file.close();
  return [...CONCEPTS.filter((c) => !c.split(/[ |]/).includes(last)), `${last}|dog`];
}

/** A copy of the index (files copied, so damage stays in the copy). */
function copyIndex(name: string): string {
  const out = join(dir, name);
  mkdirSync(out);
  for (const f of readdirSync(idx)) copyFileSync(join(idx, f), join(out, f));
  return out;
}

test("a worker's error is the single-threaded count's: the same class and sentence", async () => {
  // a damaged bitmap, read while counting: the last term's bitmap ends the file
  const flipped = copyIndex("flipped");
  const nouns = join(flipped, "nouns.postings");
  const bytes = readFileSync(nouns);
  bytes[bytes.length - 1]! ^= 0xff;
  writeFileSync(nouns, bytes);
  const concepts = readingLastNoun();
  const syncError = await errorOf(() => openTextSource(flipped).countConcepts(concepts));
  assert.ok(syncError instanceof DamagedFileError, String(syncError));
  for (const workers of [2, 3]) {
    const e = await errorOf(() => countConceptsInParallel(flipped, concepts, { workers }));
    assert.ok(e instanceof DamagedFileError, String(e));
    assert.equal(e.message, syncError.message);
  }

  // a file cut short, found when a worker opens the index
  const cut = copyIndex("cut");
  truncateSync(join(cut, "terms.postings"), statSync(join(cut, "terms.postings")).size - 3);
  const openError = await errorOf(() => openTextSource(cut).countConcepts(CONCEPTS));
  assert.ok(openError instanceof UserError);
  const e = await errorOf(() => countConceptsInParallel(cut, CONCEPTS, { workers: 2 }));
  assert.ok(e instanceof UserError, String(e));
  assert.equal(e.message, openError.message);

  // a bad concept (a runaway name) in the second slice
  const bad = [...CONCEPTS, "x".repeat(2000)];
  const badSync = await errorOf(() => openTextSource(idx).countConcepts(bad));
  const badParallel = await errorOf(() => countConceptsInParallel(idx, bad, { workers: 2 }));
  assert.ok(badParallel instanceof UserError);
  assert.equal(badParallel.message, badSync.message);

  // no index at all
  const missing = await errorOf(() => countConceptsInParallel(join(dir, "nothing"), CONCEPTS, { workers: 2 }));
  assert.ok(missing instanceof UserError);
  assert.equal(missing.message, (await errorOf(() => openTextSource(join(dir, "nothing")))).message);
  // both: the index's error first, as when the index is opened before the concepts are read
  assert.equal((await errorOf(() => countConceptsInParallel(join(dir, "nothing"), bad, { workers: 2 }))).message, missing.message);
});

test("count: the same stdout for --workers 1 and 2 (json, csv, phrase, --verify), and a damaged index is one sentence, exit 2", () => {
  const list = join(dir, "concepts.txt");
  writeFileSync(list, CONCEPTS.join("\n") + "\n");
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "count", "--index", idx, "--concepts", list, ...args], { encoding: "utf8", timeout: 120_000 });
  for (const flags of [[], ["--match", "phrase"], ["--format", "csv", "--match", "phrase"], ["--verify"]]) {
    const one = run("--workers", "1", ...flags);
    const two = run("--workers", "2", ...flags);
    const all = run(...flags);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(two.status, 0, two.stderr);
    assert.ok(one.stdout.length > 1000);
    assert.equal(two.stdout, one.stdout, flags.join(" "));
    assert.equal(all.stdout, one.stdout, flags.join(" "));
  }
  const dog = JSON.parse(run("--workers", "2").stdout) as Record<string, number>;
  assert.equal(dog["dog"], syncCounts(idx, "paper").find((c) => c.concept === "dog")!.count);

  const flipped = join(dir, "flipped"); // from the test above
  writeFileSync(list, readingLastNoun().join("\n") + "\n");
  const outs = ["1", "2"].map((w) => spawnSync(process.execPath, [CLI, "count", "--index", flipped, "--concepts", list, "--workers", w], { encoding: "utf8", timeout: 120_000 }));
  for (const r of outs) {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^conceptfreq: index .*flipped is damaged: nouns\.postings: the bitmap of ".*" fails its checksum\.\n$/);
    assert.equal(r.stdout, "");
  }
  assert.equal(outs[1]!.stderr, outs[0]!.stderr);
  const bad = spawnSync(process.execPath, [CLI, "count", "--index", idx, "--concepts", list, "--workers", "0"], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--workers/);
});
