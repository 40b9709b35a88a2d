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
const its = nlp.its;

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
  /** Sorted, distinct noun and proper-noun lemmas (the paper's per-caption set). */
  nouns: string[];
  /** Sorted, distinct surface forms and lemmas of all tokens, minus PHRASE_STOPWORDS (phrase candidates). */
  terms: string[];
}

function isNounTag(pos: string): boolean {
  return pos === "NOUN" || pos === "PROPN";
}

/** The paper's per-caption set: sorted distinct lowercase letters-only lemmas of NOUN/PROPN tokens. */
export function analyzeCaption(text: string): string[] {
  const tokens = nlp.readDoc(text).tokens();
  const pos = tokens.out(its.pos);
  const lemma = tokens.out(its.lemma);
  const set = new Set<string>();
  for (let i = 0; i < pos.length; i++) {
    if (!isNounTag(pos[i]!)) continue;
    for (const run of letterRuns(lemma[i]!.toLowerCase())) set.add(run);
  }
  return [...set].sort();
}

/** Both sets the index stores for a caption, from one pass of the tagger. */
export function analyzeCaptionForIndex(text: string): CaptionAnalysis {
  const tokens = nlp.readDoc(text).tokens();
  const pos = tokens.out(its.pos);
  const lemma = tokens.out(its.lemma);
  const normal = tokens.out(its.normal);
  const nouns = new Set<string>();
  const terms = new Set<string>();
  for (let i = 0; i < pos.length; i++) {
    const lem = lemma[i]!.toLowerCase();
    const lemRuns = letterRuns(lem);
    if (isNounTag(pos[i]!)) for (const run of lemRuns) nouns.add(run);
    for (const run of lemRuns) if (!PHRASE_STOPWORDS.has(run)) terms.add(run);
    const norm = normal[i]!.toLowerCase();
    if (norm !== lem) for (const run of letterRuns(norm)) if (!PHRASE_STOPWORDS.has(run)) terms.add(run);
  }
  return { nouns: [...nouns].sort(), terms: [...terms].sort() };
}

/**
 * The token sequence phrase matching compares against. A token with several letter runs
 * ("t-shirt" when the tokenizer keeps it whole) contributes one entry per run.
 */
export function phraseTokens(text: string): PhraseToken[] {
  const tokens = nlp.readDoc(text).tokens();
  const lemma = tokens.out(its.lemma);
  const normal = tokens.out(its.normal);
  const out: PhraseToken[] = [];
  for (let i = 0; i < lemma.length; i++) {
    const lemRuns = letterRuns(lemma[i]!.toLowerCase());
    const surfRuns = letterRuns(normal[i]!.toLowerCase());
    if (lemRuns.length === 0 && surfRuns.length === 0) {
      out.push({ surface: "", lemma: "" }); // punctuation or a number: breaks a phrase
      continue;
    }
    if (lemRuns.length === surfRuns.length) {
      for (let k = 0; k < lemRuns.length; k++) out.push({ surface: surfRuns[k]!, lemma: lemRuns[k]! });
    } else {
      for (const run of surfRuns) out.push({ surface: run, lemma: run });
    }
  }
  return out;
}

/**
 * Lemmatises one word as a noun: the word is tagged in the noun context "the WORD ." so that the
 * tagger and lemmatizer used for captions decide its lemma ("geese" -> "goose", "leaves" -> "leaf").
 * Returns the letter runs of the lemma (a word may hold several: "o'" -> ["o"]).
 */
export function lemmatizeAsNoun(word: string): string[] {
  const w = word.toLowerCase();
  const tokens = nlp.readDoc(`the ${w} .`).tokens();
  const lemma = tokens.out(its.lemma);
  const pos = tokens.out(its.pos);
  const value = tokens.out(its.value);
  const out: string[] = [];
  for (let i = 1; i < lemma.length - 1; i++) {
    // Only a noun reading's lemma is trusted; otherwise the word stays as written
    // (wink reads "cd" as the contraction of "could": the concept "cd" must stay "cd").
    const form = isNounTag(pos[i]!) ? lemma[i]! : value[i]!;
    out.push(...letterRuns(form.toLowerCase()));
  }
  return out;
}
