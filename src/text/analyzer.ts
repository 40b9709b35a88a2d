/**
 * Caption analysis: the ONE place that decides what a word is.
 *
 * A caption is reduced to the set of lowercase, letters-only lemmas of its NOUN and PROPN tokens
 * (the paper's rule), plus — for `--match phrase` — the sequence of all its tokens' surface forms and
 * lemmas. Concept names go through the same tokenizer, tagger and lemmatizer (see concept-query.ts).
 *
 * The analyzer's name and version are recorded in every index manifest; change ANALYZER.version
 * whenever a change here can change an index.
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// wink-nlp and its model are CommonJS.
const winkNLP = require("wink-nlp") as (model: unknown, pipe?: string[]) => WinkNlp;
const model = require("wink-eng-lite-web-model") as unknown;
const modelVersion = (require("wink-eng-lite-web-model/package.json") as { version: string }).version;
const winkVersion = (require("wink-nlp/package.json") as { version: string }).version;

interface WinkTokens {
  out(f: unknown): string[];
}
interface WinkDoc {
  tokens(): WinkTokens;
}
interface WinkNlp {
  readDoc(text: string): WinkDoc;
  its: { pos: unknown; lemma: unknown; normal: unknown; value: unknown };
}

export const ANALYZER = {
  name: "noun-lemmas/wink-nlp",
  version: `2+wink-nlp@${winkVersion}+wink-eng-lite-web-model@${modelVersion}`,
} as const;

/** POS-only pipeline: tokenisation + POS tagging is all the rule needs (sentence splitting etc. are off). */
const nlp = winkNLP(model, ["pos"]);
const its = nlp.its as unknown as {
  pos(i: number, rdd: Rdd): string;
  lemma(i: number, rdd: Rdd, addons: unknown): string;
  normal(i: number, rdd: Rdd): string;
  value: unknown;
};

const LETTER_RUNS = /\p{L}+/gu;

/** The letter runs of a lowercase string: "t-shirt" -> ["t", "shirt"], "3d" -> ["d"], "," -> []. */
export function letterRuns(s: string): string[] {
  return s.match(LETTER_RUNS) ?? [];
}

/**
 * Closed-class words that the phrase-candidate postings leave out (they occur in most captions and
 * carry no concept). Phrase matching still checks them, in order, when it verifies a candidate.
 */
export const PHRASE_STOPWORDS: ReadonlySet<string> = new Set(
  ("a an the of in on at to for with and or by from as is are was were be been being this that these those " +
    "it its his her their our my your some any no not into onto over under up down out off than then there here " +
    "while during about after before near").split(" "),
);

/** One token of a caption as phrase matching sees it. */
export interface PhraseToken {
  /** Lowercase surface form, letters only ("" when the token has no letters: punctuation, numbers). */
  surface: string;
  /** Lowercase lemma, letters only. */
  lemma: string;
}

export interface CaptionAnalysis {
  /** Distinct noun and proper-noun lemmas (the paper's per-caption set), in first-occurrence order. */
  nouns: string[];
  /** Distinct surface forms and lemmas of all tokens, minus PHRASE_STOPWORDS (phrase candidates). */
  terms: string[];
}

function isNounTag(pos: string): boolean {
  return pos === "NOUN" || pos === "PROPN";
}

/**
 * What the analyzer keeps of one token (a function of its tag, lemma and normal form only):
 * whether it is a noun, the letter runs of its lemma and of its surface form, and its
 * phrase-candidate terms.
 */
interface TokenForms {
  /** The batch separator token (see analyzeCaptionsForIndex). */
  boundary: boolean;
  noun: boolean;
  lemmaRuns: string[];
  surfaceRuns: string[];
  terms: string[];
}

function tokenForms(pos: string, lemma: string, normal: string): TokenForms {
  const lemmaRuns = letterRuns(lemma.toLowerCase());
  const surfaceRuns = normal === lemma ? lemmaRuns : letterRuns(normal.toLowerCase());
  const terms: string[] = [];
  for (const run of lemmaRuns) if (!PHRASE_STOPWORDS.has(run) && !terms.includes(run)) terms.push(run);
  for (const run of surfaceRuns) if (!PHRASE_STOPWORDS.has(run) && !terms.includes(run)) terms.push(run);
  return { boundary: normal === BATCH_MARK, noun: isNounTag(pos), lemmaRuns, surfaceRuns, terms };
}

/*
 * Speed: tagging dominates, and next comes reading each token's tag, lemma and normal form through
 * three `out()` passes, with the lemmatizer's dictionary probes for every token. A token's forms are
 * a pure function of its lexeme and its tag (contractions aside), so they are memoised under that
 * key and read in ONE pass through a token mapper registered with wink-nlp (its `out()` accepts
 * only registered mappers). The mapper reads wink's token layout (4 slots per token: lexeme,
 * contraction flag, tag bits); if that ever changes, `fastPathAgrees()` below fails the test suite,
 * and without the registry the public three-pass path is used.
 */
interface Rdd {
  tokens: ArrayLike<number>;
}
const TOKEN_SLOTS = 4;
const POS_MASK = 0x3f00000;
const POS_SHIFT = 20;
const MEMO_LIMIT = 1 << 20;
const formsById: TokenForms[] = [];
const idByKey = new Map<number, number>();
const idByContraction = new Map<string, number>();

function remember(forms: TokenForms): number {
  formsById.push(forms);
  return formsById.length - 1;
}

function tokenFormsId(i: number, rdd: Rdd, addons: unknown): number {
  const t = rdd.tokens;
  const k = i * TOKEN_SLOTS;
  if (t[k + 1]! > 65535) {
    // a contraction's expansion ("don't" -> "do", "not"): keyed by its forms
    const pos = its.pos(i, rdd);
    const lemma = its.lemma(i, rdd, addons);
    const normal = its.normal(i, rdd);
    const key = `${pos}\u0001${lemma}\u0001${normal}`;
    let id = idByContraction.get(key);
    if (id === undefined) idByContraction.set(key, (id = remember(tokenForms(pos, lemma, normal))));
    return id;
  }
  const key = t[k]! * 64 + ((t[k + 2]! & POS_MASK) >>> POS_SHIFT);
  let id = idByKey.get(key);
  if (id === undefined) {
    id = remember(tokenForms(its.pos(i, rdd), its.lemma(i, rdd, addons), its.normal(i, rdd)));
    idByKey.set(key, id);
  }
  return id;
}

const winkAllowed = (() => {
  try {
    return require("wink-nlp/src/allowed.js") as { its4token?: Set<unknown> };
  } catch {
    return undefined;
  }
})();
const fastPath = winkAllowed?.its4token instanceof Set;
if (fastPath) winkAllowed!.its4token!.add(tokenFormsId);

/** The forms of every token of a text, in order. */
function captionTokens(text: string): TokenForms[] {
  if (formsById.length > MEMO_LIMIT) {
    formsById.length = 0;
    idByKey.clear();
    idByContraction.clear();
  }
  const tokens = nlp.readDoc(text).tokens();
  if (fastPath) return (tokens.out(tokenFormsId) as unknown as number[]).map((id) => formsById[id]!);
  return slowCaptionTokens(tokens);
}

/** The public three-pass path (reference for the fast path, and the fallback). */
function slowCaptionTokens(tokens: WinkTokens): TokenForms[] {
  const pos = tokens.out(its.pos);
  const lemma = tokens.out(its.lemma);
  const normal = tokens.out(its.normal);
  return pos.map((p, i) => tokenForms(p, lemma[i]!, normal[i]!));
}

/** True when the memoised one-pass path gives exactly the three-pass path's forms for `text`. */
export function fastPathAgrees(text: string): boolean {
  if (!fastPath) return true;
  const fast = captionTokens(text);
  const slow = slowCaptionTokens(nlp.readDoc(text).tokens());
  return JSON.stringify(fast) === JSON.stringify(slow);
}

/** The paper's per-caption set: sorted distinct lowercase letters-only lemmas of NOUN/PROPN tokens. */
export function analyzeCaption(text: string): string[] {
  const set = new Set<string>();
  for (const t of captionTokens(text)) if (t.noun) for (const run of t.lemmaRuns) set.add(run);
  return [...set].sort();
}

/** Both sets the index stores for a caption, from one pass of the tagger (first-occurrence order). */
export function analyzeCaptionForIndex(text: string): CaptionAnalysis {
  const analysis: CaptionAnalysis = { nouns: [], terms: [] };
  for (const t of captionTokens(text)) addCaptionForms(t, analysis);
  return analysis;
}

/**
 * Captions tagged in batches: joined by a line holding only BATCH_MARK, one `readDoc` per batch,
 * which saves wink-nlp's per-document overhead (about a third of the time for 10-token captions).
 * The mark, on its own line between two line breaks, is a hard boundary for the tagger: on all
 * 15,833 CC-3M validation captions every tag comes out as when each caption is tagged alone (the
 * test suite checks this on tricky cases). A caption that itself contains the mark is analysed alone.
 */
const BATCH_MARK = "\u2042"; // ⁂ ASTERISM
const BATCH_SEPARATOR = `\n${BATCH_MARK}\n`;

function addCaptionForms(forms: TokenForms, into: CaptionAnalysis): void {
  if (forms.noun) for (const run of forms.lemmaRuns) if (!into.nouns.includes(run)) into.nouns.push(run);
  for (const run of forms.terms) if (!into.terms.includes(run)) into.terms.push(run);
}

/** analyzeCaptionForIndex for many captions at once (the index build's path). */
export function analyzeCaptionsForIndex(texts: readonly string[]): CaptionAnalysis[] {
  const out: CaptionAnalysis[] = texts.map(() => ({ nouns: [], terms: [] }));
  const batch: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (!fastPath || texts[i]!.includes(BATCH_MARK)) out[i] = analyzeCaptionForIndex(texts[i]!);
    else batch.push(i);
  }
  if (batch.length === 0) return out;
  let k = 0;
  for (const forms of captionTokens(batch.map((i) => texts[i]!).join(BATCH_SEPARATOR))) {
    if (forms.boundary) k++;
    else addCaptionForms(forms, out[batch[k]!]!);
  }
  if (k !== batch.length - 1) throw new Error(`batch analysis found ${k + 1} captions, expected ${batch.length}`);
  return out;
}

/**
 * The token sequence phrase matching compares against. A token with several letter runs
 * ("t-shirt" when the tokenizer keeps it whole) contributes one entry per run.
 */
export function phraseTokens(text: string): PhraseToken[] {
  const out: PhraseToken[] = [];
  for (const t of captionTokens(text)) {
    const { lemmaRuns, surfaceRuns } = t;
    if (lemmaRuns.length === 0 && surfaceRuns.length === 0) {
      out.push({ surface: "", lemma: "" }); // punctuation or a number: breaks a phrase
    } else if (lemmaRuns.length === surfaceRuns.length) {
      for (let k = 0; k < lemmaRuns.length; k++) out.push({ surface: surfaceRuns[k]!, lemma: lemmaRuns[k]! });
    } else {
      for (const run of surfaceRuns) out.push({ surface: run, lemma: run });
    }
  }
  return out;
}

/**
 * Lemmatises one word as a noun: the word is tagged in the noun context "the WORD ." so that the
 * tagger and lemmatizer used for captions decide its lemma ("geese" -> "goose", "leaves" -> "leaf").
 * Returns the letter runs of the lemma (a word may hold several: "o'" -> ["o"]).
 */
const nounLemmaMemo = new Map<string, string[]>();

export function lemmatizeAsNoun(word: string): string[] {
  const w = word.toLowerCase();
  const known = nounLemmaMemo.get(w);
  if (known) return [...known];
  const runs = lemmatizeAsNounUncached(w);
  if (nounLemmaMemo.size < 100_000) nounLemmaMemo.set(w, runs);
  return [...runs];
}

/** lemmatizeAsNoun without the memo (the reference the batched path is tested against). */
export function lemmatizeAsNounUncached(w: string): string[] {
  return nounContextRuns(nlp.readDoc(`the ${w} .`).tokens(), 1, -1);
}

/** The noun-context lemma runs of the tokens in [from, to) of a tagged "the WORD ." document. */
function nounContextRuns(tokens: WinkTokens, from: number, toFromEnd: number, all?: { lemma: string[]; pos: string[]; value: string[] }): string[] {
  const lemma = all?.lemma ?? tokens.out(its.lemma);
  const pos = all?.pos ?? tokens.out(its.pos);
  const value = all?.value ?? tokens.out(its.value);
  const to = toFromEnd < 0 ? lemma.length + toFromEnd : toFromEnd;
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    // Only a noun reading's lemma is trusted; otherwise the word stays as written
    // (wink reads "cd" as the contraction of "could": the concept "cd" must stay "cd").
    const form = isNounTag(pos[i]!) ? lemma[i]! : value[i]!;
    out.push(...letterRuns(form.toLowerCase()));
  }
  return out;
}

/**
 * Lemmatises many words as nouns in one tagger pass ("the WORD ." contexts joined by the batch
 * boundary line, as for captions) and remembers them, so that a list of thousands of concepts is
 * parsed quickly. Gives the same lemmas as lemmatizeAsNoun word by word (tested).
 */
export function prepareNounLemmas(words: Iterable<string>): void {
  const todo = [...new Set([...words].map((w) => w.toLowerCase()))].filter((w) => !nounLemmaMemo.has(w) && !w.includes(BATCH_MARK));
  for (let start = 0; start < todo.length; start += 256) {
    const chunk = todo.slice(start, start + 256);
    const tokens = nlp.readDoc(chunk.map((w) => `the ${w} .`).join(BATCH_SEPARATOR)).tokens();
    const all = { lemma: tokens.out(its.lemma), pos: tokens.out(its.pos), value: tokens.out(its.value) };
    // split at boundary marks, dropping the line-break (SPACE) tokens around them
    const bounds: [number, number][] = [];
    let begin = 0;
    for (let i = 0; i <= all.value.length; i++) {
      if (i === all.value.length || all.value[i] === BATCH_MARK) {
        let b = begin;
        let e = i;
        while (b < e && all.pos[b] === "SPACE") b++;
        while (e > b && all.pos[e - 1] === "SPACE") e--;
        bounds.push([b, e]);
        begin = i + 1;
      }
    }
    if (bounds.length !== chunk.length) {
      for (const w of chunk) lemmatizeAsNoun(w); // unexpected tokenisation: fall back word by word
      continue;
    }
    chunk.forEach((w, k) => {
      const [b, e] = bounds[k]!;
      if (nounLemmaMemo.size < 100_000) nounLemmaMemo.set(w, nounContextRuns(tokens, b + 1, e - 1, all));
    });
  }
}
