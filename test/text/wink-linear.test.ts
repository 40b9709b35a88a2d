import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { guardCompiledTRex, isAbbrevLinear, linearFeatures } from "../../src/text/wink-linear.js";
import { analyzeCaptionForIndex, phraseTokens } from "../../src/text/analyzer.js";
import { analyzeCaptionTermIds, newCaptionTermIds, taggerAgrees } from "../../src/text/forms-memo.js";
import { MAX_PIECE_BYTES } from "../../src/text/wink-tagger.js";
import { parseConcept, parseConcepts } from "../../src/text/concept-query.js";
import { UserError } from "../../src/errors.js";
import { mulberry32 } from "../../src/analysis/random.js";

const require = createRequire(import.meta.url);
const modelDir = join(dirname(require.resolve("wink-eng-lite-web-model/package.json")), "dist");

/** wink's own isAbbrev, as the model's feature.js spells it. */
const ABBREV = /[a-z].*\.$/i;

/** Random strings over an alphabet of the characters that matter to the regexes (and a few that do not). */
function randomStrings(alphabet: string[], count: number, maxLength: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = "";
    for (let n = Math.floor(rnd() * (maxLength + 1)); n > 0; n--) s += alphabet[Math.floor(rnd() * alphabet.length)]!;
    out.push(s);
  }
  return out;
}

test("isAbbrevLinear gives /[a-z].*\\.$/i's answer on edge and random strings", () => {
  const edges = ["", ".", "..", "a", "a.", "A.", "z.", "Z.", ".a", "a.a", "1.", "@.", "é.", "ſ.", "\u212a.", "K.", "k.", "a\n.", "a\r.", "a\u2028.", "a\u2029.",
    "a\t.", "a .", "\na.", "a\nb.", "a.\n", "a.\n.", "U.S.", "Dr.", "e.g.", "dog...", "a" + "b".repeat(5000) + ".", "1".repeat(100) + "a.", "ab\n\n\n."];
  const alphabet = ["a", "Z", "k", "K", "\u212a", "ſ", "é", "É", "1", ".", ".", ".", "\n", "\r", "\u2028", "\u2029", " ", "\t", "-", "'", "@", "ı", "İ", "\u{1F600}"];
  const all = [...edges, ...randomStrings(alphabet, 20_000, 12, 1), ...randomStrings(["a", ".", "\n", "1"], 5000, 6, 2)];
  for (const s of all) assert.equal(isAbbrevLinear(s), ABBREV.test(s), JSON.stringify(s));
  // and through the model's feature factory, as the tagger's lexicon cache calls it
  const featureFn = require(join(modelDir, "feature.js")) as (...args: unknown[]) => { isAbbrev(w: string): number };
  const config = { suffix: 4, prefix: 4 };
  const original = featureFn(config, null, {}, false);
  const linear = (linearFeatures(featureFn) as typeof featureFn)(config, null, {}, false);
  for (const s of all.slice(0, 2000)) assert.equal(linear.isAbbrev(s), original.isAbbrev(s), JSON.stringify(s));
});

test("the guarded e-mail detector gives the model's regex's match and split", () => {
  const model = JSON.parse(readFileSync(join(modelDir, "languages", "cur", "models", "eng-core-web-model.json"), "utf8")) as { trex: { rtc: [string, string, number][] } };
  const email = model.trex.rtc.find((r) => r[2] === 4)!;
  const trex = { rtc: [[new RegExp(email[0], email[1]), 4]] as [RegExp | object, number][] };
  guardCompiledTRex(trex);
  const guarded = trex.rtc[0]![0]!;
  // the model still spells the detector as wink-linear.ts expects: otherwise the guard is skipped
  assert.ok(!(guarded instanceof RegExp), "the e-mail detector was not recognised");
  const original = new RegExp(email[0], email[1]);
  const alphabet = ["a", "b", "Z", "0", "9", "@", ".", "-", "_", "+", "/", "=", "!", "#", "'", "`", "(", ",", "é", " "];
  const texts = ["", "@", "me@x.com", "a.b@c.de", "x@y", "mail me@x.com now", "a@b.c@d.ef", ...randomStrings(alphabet, 5000, 16, 3)];
  for (const t of texts) {
    assert.deepEqual(t.match(guarded as RegExp), t.match(original), JSON.stringify(t));
    assert.deepEqual(t.split(guarded as RegExp), t.split(original), JSON.stringify(t));
  }
});

test("a piece over MAX_PIECE_BYTES is one non-word token; shorter pieces are read as wink reads them", () => {
  const long = "abcdefghij".repeat(1000);
  const a = analyzeCaptionForIndex(`a dog ${long} on the grass`);
  assert.deepEqual(a.nouns, ["dog", "grass"]);
  assert.ok(!a.terms.some((t) => t.length > 100));
  // the long piece breaks a phrase
  assert.deepEqual(phraseTokens(`hot ${long} dog`).map((t) => t.surface), ["hot", "", "dog"]);
  // a URL of exactly MAX_PIECE_BYTES bytes is still a URL, as wink's readDoc reads it
  const url = "http://example.com/" + "p".repeat(MAX_PIECE_BYTES - "http://example.com/".length);
  assert.equal(Buffer.byteLength(url), MAX_PIECE_BYTES);
  assert.ok(taggerAgrees(`a photo ${url} of a cat`));
  assert.ok(analyzeCaptionForIndex(`a photo ${url} of a cat`).terms.includes("example"));
  assert.ok(!analyzeCaptionForIndex(`a photo ${url}p of a cat`).terms.includes("example"));
});

/** Milliseconds to analyse `rows` (the smallest of three runs on fresh copies: the tagger remembers pieces). */
function analysisMs(make: (k: number) => string, rows: number): number {
  const ids = newCaptionTermIds();
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const texts = Array.from({ length: rows }, (_, i) => make(run * rows + i));
    const t0 = performance.now();
    for (const t of texts) analyzeCaptionTermIds(t, ids);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

test("analysis time grows linearly with the length of a long token (4x the length: well under 16x the time)", () => {
  const rnd = mulberry32(7);
  const b64 = (n: number) => Buffer.from(Array.from({ length: Math.ceil((n * 3) / 4) }, () => Math.floor(rnd() * 256))).toString("base64").slice(0, n);
  const shapes: Record<string, (n: number, k: number) => string> = {
    letters: (n, k) => "q" + "abcdefghij".repeat(n / 10).slice(2) + String.fromCharCode(97 + (k % 26)) + k,
    "data: URI": (n, k) => `data:image/png;base64,${k}` + b64(n),
    "e-mail-like": (n, k) => `${k}` + b64(n) + "@",
    "spaced pieces": (n, k) => (b64(n).match(/.{1,200}/g) ?? []).join(" ") + k,
  };
  for (const [name, make] of Object.entries(shapes)) {
    analysisMs((k) => make(2500, k), 5); // warm-up
    const short = analysisMs((k) => make(2500, k), 20);
    const long = analysisMs((k) => make(10_000, k), 20);
    // quadratic cost would be 16x; linear is 4x. The bound is generous: the machine may be busy.
    assert.ok(long < 8 * short + 20, `${name}: ${short.toFixed(1)} ms for 2,500 characters, ${long.toFixed(1)} ms for 10,000`);
  }
});

test("a concept name over 1,000 characters is refused with one sentence", () => {
  const huge = "a".repeat(1_000_000);
  for (const f of [() => parseConcept(huge), () => parseConcepts(["dog", huge])]) {
    assert.throws(f, (e: unknown) => e instanceof UserError && /1000000 characters long, over the limit of 1000\.$/.test(e.message) && !e.message.includes("\n"));
  }
  assert.equal(parseConcept("b".repeat(1000)).alternates.length, 1);
});

test("wink's own readDoc path (CONCEPTFREQ_WINK_READDOC=1) reads long pieces as the tagger does", () => {
  const script = `
    import { analyzeCaptionForIndex } from "./src/text/analyzer.ts";
    const long = "abcdefghij".repeat(100) + "@" + "x".repeat(300);
    console.log(JSON.stringify([analyzeCaptionForIndex("a dog " + long + " on\\u00a0the grass"), analyzeCaptionForIndex("a photo of a cat")]));`;
  const run = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: new URL("../..", import.meta.url).pathname, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  assert.equal(run({ CONCEPTFREQ_WINK_READDOC: "1" }), run({ CONCEPTFREQ_WINK_READDOC: "0" }));
});
