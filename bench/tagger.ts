/**
 * The tagger (src/text/wink-tagger.ts) against wink-nlp's own readDoc on random captions built from
 * tricky pieces: contractions, URLs, e-mails, emoji, quotes, abbreviations, non-Latin scripts, line
 * breaks, non-breaking spaces. A caption whose analysis differs from the shared readDoc's is checked
 * again against a FRESH wink instance: readDoc's output depends on the words it learnt from earlier
 * texts, the tagger's does not, so only a difference from the fresh instance would be a fault.
 * Also the worst case for the tagger's memo: captions whose words were never seen before.
 *
 * The one bench that imports internals, not the public API (src/index.ts): it checks and times the
 * index build's private analysis path (term ids through the forms memo) and the word rule it is
 * built on, which a program using the library never calls directly (it calls buildTextIndex).
 */
import { createRequire } from "node:module";
import { analyzeCaptionForIndex } from "../src/text/analyzer.js";
import { analyzeCaptionTermIds, newCaptionTermIds, taggerAgrees } from "../src/text/forms-memo.js";
import { letterRuns, PHRASE_STOPWORDS } from "../src/text/word-rule.js";
import { mulberry32 } from "../src/analysis/random.js";

const require = createRequire(import.meta.url);
const N = 5000;
const PIECES = [
  "don't", "can't", "I'm", "it's", "they'll", "won't", "U.S.", "Dr.", "e.g.", "a.m.", "http://x.com/a?b=1", "www.foo.org",
  "me@x.com", "#sunset", "@user", ":)", ":-(", "\u{1F600}", "\u{1F389}\u{1F389}", "$5", "5.5", "3rd", "1990s", "10:30", "(dog)",
  '"cat"', "'bird'", "dog,", "dog.", "dog!", "dog?", "dog...", "--", "\u2013", "\u2014", "t-shirt", "x-ray", "rock'n'roll",
  "o'clock", "hello\nworld", "a\tb", "\u00a0", "  ", "\r\n", "nbsp\u00a0here", "caf\u00e9", "na\u00efve", "Z\u00fcrich",
  "\u6771\u4eac", "\u043f\u0440\u0438\u0432\u0435\u0442", "a/b", "c++", "C#", "100%", "&", "+", "=", "<b>", "</b>", "[img]",
  "{x}", "\u00abquote\u00bb", "\u201eq\u201c", "\u2019s", "dog's", "dogs'", "James'", "The", "THE", "New York", "iPhone", "eBay",
  "mcdonald's", "great white shark", "hot dog", "leaves", "geese", "jeans", "fireworks", "running", "ran", "better", "best",
  "children", "mice", "the", "a", "of", "in", "on", "is", "was", "very", "quickly", "and", "or", "but", "not", "no", "yes",
  "photo", "stock", "vector", "illustration", "person", "actor", "attends", "premiere", "film", "|", "~", "^", "*", "_", "'",
  '"', "...", "\u2026", "''", "``", "n't", "'ll", "'ve", "gonna", "wanna", "gotta", "ain't", "y'all", "let's", "st.", "mr.",
  "mrs.", "inc.", "ltd.", "vs.", "etc.", "jr.",
];

/** The analysis a brand-new wink-nlp instance gives (the model is re-required: wink mutates it). */
function freshAnalysis(text: string): { nouns: string[]; terms: string[] } {
  for (const k of Object.keys(require.cache)) if (k.includes("wink-eng-lite-web-model")) delete require.cache[k];
  const winkNLP = require("wink-nlp") as (m: unknown, p: string[]) => { readDoc(t: string): { tokens(): { out(f: unknown): string[] } }; its: Record<string, unknown> };
  const nlp = winkNLP(require("wink-eng-lite-web-model"), ["pos"]);
  const tokens = nlp.readDoc(text).tokens();
  const pos = tokens.out(nlp.its.pos);
  const lemma = tokens.out(nlp.its.lemma);
  const normal = tokens.out(nlp.its.normal);
  const out = { nouns: [] as string[], terms: [] as string[] };
  lemma.forEach((l, i) => {
    const lemmaRuns = letterRuns(l.toLowerCase());
    const surfaceRuns = normal[i] === l ? lemmaRuns : letterRuns(normal[i]!.toLowerCase());
    if (pos[i] === "NOUN" || pos[i] === "PROPN") for (const r of lemmaRuns) if (!out.nouns.includes(r)) out.nouns.push(r);
    for (const r of [...lemmaRuns, ...surfaceRuns]) if (!PHRASE_STOPWORDS.has(r) && !out.terms.includes(r)) out.terms.push(r);
  });
  return out;
}

export async function main(): Promise<void> {
  await longTokens();
  console.log("## tagger vs wink-nlp readDoc (issue 2)");
  const rnd = mulberry32(1);
  const pick = () => PIECES[Math.floor(rnd() * PIECES.length)]!;
  let differShared = 0;
  let differFresh = 0;
  for (let i = 0; i < N; i++) {
    const parts: string[] = [];
    for (let k = 1 + Math.floor(rnd() * 14); k > 0; k--) {
      let t = pick();
      if (rnd() < 0.1) t = t.toUpperCase();
      if (rnd() < 0.15) t += pick();
      parts.push(t);
    }
    const text = parts.join(rnd() < 0.9 ? " " : "");
    if (taggerAgrees(text)) continue;
    differShared++;
    if (JSON.stringify(freshAnalysis(text)) !== JSON.stringify(analyzeCaptionForIndex(text))) {
      differFresh++;
      if (differFresh <= 3) console.log(`  differs from a fresh instance: ${JSON.stringify(text)}`);
    }
  }
  console.log(`${N} random tricky captions: ${differShared} differ from the shared readDoc (its history effect), ${differFresh} from a fresh instance`);

  // The worst case: captions of three words never seen before each (every one costs wink's
  // tokenizer, a new lexicon entry and the lemmatizer, once), against readDoc on the same kind.
  const word = () => Array.from({ length: 3 + Math.floor(rnd() * 7) }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join("");
  const fresh = (n: number) => Array.from({ length: n }, () => `a photo of ${word()} with the ${word()} in ${word()}`);
  const ids = newCaptionTermIds();
  const ours = fresh(20_000);
  const t0 = process.hrtime.bigint();
  for (const c of ours) analyzeCaptionTermIds(c, ids);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const winkNLP = require("wink-nlp") as (m: unknown, p: string[]) => { readDoc(t: string): { tokens(): { out(f: unknown): string[] } }; its: Record<string, unknown> };
  const nlp = winkNLP(require("wink-eng-lite-web-model"), ["pos"]);
  const theirs = fresh(20_000);
  const t1 = process.hrtime.bigint();
  for (const c of theirs) nlp.readDoc(c).tokens().out(nlp.its.lemma);
  const s1 = Number(process.hrtime.bigint() - t1) / 1e9;
  console.log(
    `one core, captions with three never-seen words each: tagger + forms ${Math.round(ours.length / s)} captions/s, ` +
      `wink-nlp readDoc + lemmas ${Math.round(theirs.length / s1)} captions/s`,
  );
}

/**
 * Issue 14: captions holding one long token (a 10,000-letter run, a base64 `data:` URI), beside
 * normal captions, one core. wink-nlp's tokenizer regexes cost such a token its length squared
 * (200 captions of a 9,990-letter word took 23 s, 200 data URIs 110 s); the analyzer reads a piece
 * over 256 bytes as one non-word token, so these now cost time linear in their length.
 */
export async function longTokens(): Promise<void> {
  const rnd = mulberry32(14);
  const b64 = (n: number) => Buffer.from(Array.from({ length: Math.ceil((n * 3) / 4) }, () => Math.floor(rnd() * 256))).toString("base64").slice(0, n);
  const letters = (i: number) => "q" + "abcdefghij".repeat(999) + String.fromCharCode(97 + (i % 26)) + String.fromCharCode(97 + ((i / 26) % 26));
  const shapes: [string, (i: number) => string][] = [
    ["normal captions (~50 chars)", (i) => `a photo of a dog number ${i} playing with a ball on the grass`],
    ["one 9,990-letter word", letters],
    ["a 9,960-char base64 data: URI", () => "data:image/png;base64," + b64(9960)],
    ["base64 in 200-char pieces (~300 never-seen words each)", () => (b64(9960).match(/.{1,200}/g) ?? []).join(" ")],
  ];
  const ids = newCaptionTermIds();
  analyzeCaptionTermIds("a warm-up caption: the tagger loads its model", ids);
  for (const [name, make] of shapes) {
    const rows = Array.from({ length: 200 }, (_, i) => make(i));
    const t0 = process.hrtime.bigint();
    for (const r of rows) analyzeCaptionTermIds(r, ids);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`long tokens, one core: ${name}: ${Math.round(rows.length / s)} rows/s (${(s * 1000).toFixed(0)} ms for 200)`);
  }
}
