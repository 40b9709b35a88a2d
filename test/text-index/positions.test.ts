import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { mergeTextIndexes } from "../../src/text-index/merge.js";
import { TextIndex, verifyTextIndex } from "../../src/text-index/text-index.js";
import { countConcepts } from "../../src/text-index/count.js";
import { phraseTokens } from "../../src/text/analyzer.js";

const dir = mkdtempSync(join(tmpdir(), "cf-positions-"));
/** Real captions: beside the checkout (../shared/data), or where CONCEPTFREQ_CC3M says. */
const CC3M = process.env.CONCEPTFREQ_CC3M ?? new URL("../../../shared/data/cc3m-val/captions.tsv", import.meta.url).pathname;

/** A seeded corpus: real-looking words, digits, spaced and unspaced hyphens, punctuation, malformed rows. */
function corpus(n: number, seed: number): string[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const words = ["a", "the", "dog", "hot", "sea", "lion", "t", "-", "shirt", "close", "up", "boeing", "717", "a320", "c-130", "F-16A/B", ",", ".", "geese", "white", "shark", "great", "of", "in", "man", "red", "wine", "3d", "model", "—", "zq" ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(rnd() * 14);
    const w: string[] = [];
    for (let k = 0; k < len; k++) w.push(rnd() < 0.1 ? `w${Math.floor(rnd() * 5000)}` : words[Math.floor(rnd() * words.length)]!);
    out.push(w.join(" "));
  }
  return out;
}

const CONCEPTS = ["t-shirt", "t shirt", "close-up", "hot dog", "sea lion", "great white shark", "Boeing 717", "C-130", "F-16A/B", "red wine", "3d model", "dog", "a320", "man in the sea", "the", "lion|sea lion", "geese white", "w12 w13"];

function counts(idx: TextIndex, from: "positions" | "captions", concepts = CONCEPTS): number[] {
  return countConcepts(idx, concepts, { match: "phrase", phraseFrom: from, keepIds: true }).map((c) => c.count);
}

test("phrase counts from positions equal those from re-analysed captions (workers, spills, analyzer resets, malformed rows, merge)", async () => {
  const caps = corpus(3000, 7);
  const a = join(dir, "a.tsv");
  // every 97th row malformed (no tab): an empty sequence keeps the ids dense
  writeFileSync(a, caps.map((c, i) => (i % 97 === 5 ? c : `${c}\tu${i}`)).join("\n") + "\n");
  await buildTextIndex([a], { out: join(dir, "ia"), workers: 2, spillPostings: 2000, analyzerMemoryLimit: 50, maxMalformed: 1000 });
  const b = join(dir, "b.tsv");
  writeFileSync(b, corpus(1000, 11).map((c, i) => `${c}\tv${i}`).join("\n") + "\n");
  await buildTextIndex([b], { out: join(dir, "ib"), workers: 1 });
  mergeTextIndexes([join(dir, "ia"), join(dir, "ib")], { out: join(dir, "merged") });
  for (const name of ["ia", "ib", "merged"]) {
    const idx = TextIndex.open(join(dir, name));
    try {
      const fromPositions = counts(idx, "positions");
      assert.deepEqual(fromPositions, counts(idx, "captions"), name);
      assert.ok(fromPositions.some((n) => n > 0));
      // every caption's stored sequence is its phrase tokens
      let seq: Int32Array<ArrayBufferLike> = new Int32Array(8);
      for (let d = 0; d < idx.docCount; d += 7) {
        const [s, n] = idx.positions.sequence(d, seq);
        seq = s;
        assert.deepEqual([...s.subarray(0, n)].map((id) => idx.positions.token(id)), phraseTokens(idx.captions.caption(d)), `${name} doc ${d}`);
      }
    } finally {
      idx.close();
    }
  }
  const merged = TextIndex.open(join(dir, "merged"));
  const ia = TextIndex.open(join(dir, "ia"));
  const ib = TextIndex.open(join(dir, "ib"));
  assert.deepEqual(counts(merged, "positions"), counts(ia, "positions").map((n, i) => n + counts(ib, "positions")[i]!));
  merged.close();
  ia.close();
  ib.close();
  assert.equal(verifyTextIndex(join(dir, "merged")).files, 7);
});

test("a damaged positions file is an error naming it, never a wrong count", () => {
  const idx = join(dir, "ib");
  const p = join(idx, "positions.offsets");
  const good = readFileSync(p);
  writeFileSync(p, good.subarray(0, good.length - 8));
  assert.throws(() => TextIndex.open(idx), /positions\.offsets/);
  writeFileSync(p, good);
});

test("a positions block over 64 KiB (4-byte record ends) and phrases of up to 12 words read back exactly", async () => {
  // 130 captions of ~700 words: the first block's records take well over 64 KiB
  const long = "the quick brown fox jumps over a lazy dog near the old mill by the river bank";
  const words = long.split(" ");
  const caps = Array.from({ length: 130 }, (_, i) => Array.from({ length: 45 }, (_, k) => ((i + k) % 3 === 0 ? long : words.slice(k % 5).join(" "))).join(" , ") + ` w${i}`);
  const tsv = join(dir, "long.tsv");
  writeFileSync(tsv, caps.map((c, i) => `${c}\tl${i}`).join("\n") + "\n");
  const out = join(dir, "long");
  await buildTextIndex([tsv], { out, workers: 2 });
  const bin = readFileSync(join(out, "positions.bin"));
  assert.equal(bin[0], 4, "the first block's record ends are 4-byte integers");
  const idx = TextIndex.open(out);
  try {
    const concepts = [long, words.slice(0, 9).join(" "), words.slice(3, 11).join(" "), words.slice(1, 3).join(" "), "lazy dog w7", "mill fox"];
    const fromPositions = counts(idx, "positions", concepts);
    assert.deepEqual(fromPositions, counts(idx, "captions", concepts));
    assert.equal(fromPositions[0], 130, "the 16-word phrase is in every caption");
    assert.equal(fromPositions[4], 0, "words in another order are no phrase");
    let seq: Int32Array<ArrayBufferLike> = new Int32Array(8);
    for (const d of [0, 64, 127, 128, 129]) {
      const [s, n] = idx.positions.sequence(d, seq);
      seq = s;
      assert.deepEqual([...s.subarray(0, n)].map((id) => idx.positions.token(id)), phraseTokens(idx.captions.caption(d)), `doc ${d}`);
    }
  } finally {
    idx.close();
  }
});

test("a positions.bin damaged inside (a block's offset width, a record end) is an error naming it, never a wrong count", async () => {
  const tsv = join(dir, "dmg.tsv");
  writeFileSync(tsv, corpus(300, 3).map((c, i) => `${c}\td${i}`).join("\n") + "\n");
  const out = join(dir, "dmg");
  await buildTextIndex([tsv], { out, workers: 1 });
  const p = join(out, "positions.bin");
  const good = readFileSync(p);
  const phrase = () => {
    const idx = TextIndex.open(out);
    try {
      return countConcepts(idx, ["hot dog", "sea lion", "great white shark"], { match: "phrase" }).map((c) => c.count);
    } finally {
      idx.close();
    }
  };
  const right = phrase();
  assert.equal(good[0], 2, "a block of short records has 2-byte record ends");
  for (const [what, at, value] of [
    ["offset width", 0, 3],
    ["first record end", 1, 0xff],
    ["last record end", 1 + 2 * 127, 0],
  ] as const) {
    const bad = Buffer.from(good);
    bad[at] = value;
    writeFileSync(p, bad);
    assert.throws(phrase, /positions\.bin/, what);
  }
  writeFileSync(p, good);
  assert.deepEqual(phrase(), right);
});

test("on the CC-3M validation captions, phrase counts from positions equal re-analysis", { skip: !existsSync(CC3M) && "no CC-3M captions here" }, async () => {
  const lines = readFileSync(CC3M, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")[0]!);
  const bigrams = new Map<string, number>();
  for (const l of lines) {
    const w = l.split(" ");
    for (let k = 0; k + 1 < w.length; k++) if (/^[a-z0-9]+$/.test(w[k]!) && /^[a-z0-9]+$/.test(w[k + 1]!)) bigrams.set(`${w[k]} ${w[k + 1]}`, (bigrams.get(`${w[k]} ${w[k + 1]}`) ?? 0) + 1);
  }
  const concepts = [...bigrams].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 400).map((e) => e[0]).concat(["t-shirt", "close-up", "black and white"]);
  const out = join(dir, "cc3m");
  await buildTextIndex([CC3M], { out, workers: 2 });
  const idx = TextIndex.open(out);
  try {
    const fromPositions = counts(idx, "positions", concepts);
    assert.deepEqual(fromPositions, counts(idx, "captions", concepts));
    assert.equal(fromPositions[concepts.indexOf("t-shirt")], 20);
    assert.equal(fromPositions[concepts.indexOf("close-up")], 164);
  } finally {
    idx.close();
  }
});

test("frequent words' postings are shared across one count run and never changed by it (later concepts count the same)", async () => {
  // 10,000 captions: "cat" in 6,000, "hen" in 6,000 (both over the 4,096 ids from which postings are shared), "cat hen" in 2,000
  const tsv = join(dir, "hens.tsv");
  writeFileSync(tsv, Array.from({ length: 10_000 }, (_, i) => `${i % 10 < 4 ? "a cat" : i % 10 < 6 ? "a cat hen" : "a hen"} on the grass w${i}\tg${i}`).join("\n") + "\n");
  const out = join(dir, "hens");
  await buildTextIndex([tsv], { out, workers: 2 });
  const idx = TextIndex.open(out);
  try {
    for (const match of ["paper", "phrase"] as const) {
      const r = countConcepts(idx, ["cat", "cat hen", "cat", "hen", "hen cat", "hen"], { match, keepIds: true });
      assert.deepEqual(r.map((c) => c.count), [6000, 2000, 6000, 6000, match === "paper" ? 2000 : 0, 6000], `${match}: a word counted after a pair holding it is still its own count`);
      r[0]!.ids!.clear(); // a caller's change to one result leaves the others alone
      assert.equal(r[2]!.ids!.size, 6000, match);
    }
  } finally {
    idx.close();
  }
});
