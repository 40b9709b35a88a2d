/**
 * Concept names as queries. A name goes through the same analyzer as captions:
 * lowercase; alternates separated by "|" ("sea lion|sealion"); a parenthesised part is a
 * disambiguation, not a required word ("kite (bird of prey)" -> "kite"); words split on whitespace,
 * "_", "-" and "/"; each word lemmatised as a noun ("geese" -> "goose").
 *
 * Under the phrase rule (phraseAlternatesOf) an alternate is read by the captions' own tokenizer
 * and phrase rule (analyzer.ts phraseTokens: letters and digits, joiners dropped, punctuation
 * dropped), "_" read as a space; each word's lemma is its noun-context lemma ("geese" -> "goose").
 */
import { UserError } from "../errors.js";
import { phraseTokens } from "./analyzer.js";
import { letterRuns, phraseRuns } from "./word-rule.js";
import { lemmatizeAsNoun, nounLemmaForms, prepareNounLemmas } from "./concept-lemmas.js";
import type { PhraseToken } from "./phrase-tokens.js";

/**
 * The longest concept name accepted, in characters. A name is a few words; wink's tokenizer costs
 * a long word its length squared, so a runaway name (a whole file pasted as one line) is refused
 * rather than tagged for minutes.
 */
export const MAX_CONCEPT_NAME_LENGTH = 1000;

function checkConceptName(name: string): void {
  if (name.length > MAX_CONCEPT_NAME_LENGTH) {
    throw new UserError(
      `concept name ${JSON.stringify(name.slice(0, 40))}... is ${name.length} characters long, over the limit of ${MAX_CONCEPT_NAME_LENGTH}.`,
    );
  }
}

/** One required word of a concept: its noun lemma and its lowercase surface form (letters only). */
export interface ConceptWord {
  lemma: string;
  surface: string;
}

export interface ConceptQuery {
  /** The name exactly as given (the key of every output). */
  name: string;
  /** Each alternate is a sequence of words; a caption matches the concept when it matches any alternate. */
  alternates: ConceptWord[][];
}

const WORD_SEPARATORS = /[\s_\-/]+/u;
const DISAMBIGUATION = /\([^)]*\)/gu;

function alternateWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(DISAMBIGUATION, " ")
    .split(WORD_SEPARATORS)
    .filter((w) => w !== "");
}

function parseAlternate(text: string): ConceptWord[] {
  const words: ConceptWord[] = [];
  for (const word of alternateWords(text)) {
    const surfaces = letterRuns(word);
    if (surfaces.length === 0) continue;
    const lemmas = lemmatizeAsNoun(word);
    if (lemmas.length === surfaces.length) {
      for (let i = 0; i < lemmas.length; i++) words.push({ lemma: lemmas[i]!, surface: surfaces[i]! });
    } else {
      for (const s of surfaces) words.push({ lemma: s, surface: s });
    }
  }
  return words;
}

/** Parses a concept name into its query. Alternates with no letters at all are dropped. */
export function parseConcept(name: string): ConceptQuery {
  checkConceptName(name);
  const alternates = name
    .split("|")
    .map(parseAlternate)
    .filter((a) => a.length > 0);
  return { name, alternates };
}

/** The forms under which a concept word may appear in a caption's noun set (lemma first). */
export function wordForms(w: ConceptWord): string[] {
  return w.lemma === w.surface ? [w.lemma] : [w.lemma, w.surface];
}

/** Parses many concept names, lemmatising all their words in one tagger pass first. */
export function parseConcepts(names: readonly string[]): ConceptQuery[] {
  for (const n of names) checkConceptName(n);
  prepareNounLemmas(names.flatMap((n) => n.split("|").flatMap(alternateWords)));
  return names.map(parseConcept);
}

/** An alternate's phrase tokens: the caption tokenizer and phrase rule over the alternate's text, breaks left out. */
function alternatePhraseTokens(text: string): PhraseToken[] {
  const t = text.toLowerCase().replace(DISAMBIGUATION, " ").replace(/_/g, " ");
  return phraseTokens(t).filter((p) => p.surface !== "");
}

function phraseWord(t: PhraseToken): ConceptWord {
  const lemmas = nounLemmaForms(t.surface).flatMap(phraseRuns);
  return { lemma: lemmas.length === 1 ? lemmas[0]! : t.lemma, surface: t.surface };
}

const phraseAlternatesMemo = new WeakMap<ConceptQuery, ConceptWord[][]>();

/**
 * The query's alternates under the phrase rule (`--match phrase`): words are letters and digits
 * ("boeing 717" -> boeing, 717; "c-130" -> c, 130; "t-shirt" and "t shirt" -> t, shirt).
 * Alternates without a word are dropped.
 */
export function phraseAlternatesOf(query: ConceptQuery): ConceptWord[][] {
  let alts = phraseAlternatesMemo.get(query);
  if (!alts) {
    alts = query.name
      .split("|")
      .map((a) => alternatePhraseTokens(a).map(phraseWord))
      .filter((a) => a.length > 0);
    phraseAlternatesMemo.set(query, alts);
  }
  return alts;
}

/**
 * A query parsed elsewhere (another thread) with its phrase alternates as phraseAlternatesOf gave
 * them there: phrase matching then needs no tagger.
 */
export function adoptPhraseAlternates(query: ConceptQuery, alternates: ConceptWord[][]): void {
  phraseAlternatesMemo.set(query, alternates);
}

/** phraseAlternatesOf for many queries, their words lemmatised in one tagger pass first. */
export function preparePhraseAlternates(queries: readonly ConceptQuery[]): void {
  const todo = queries.filter((q) => !phraseAlternatesMemo.has(q));
  prepareNounLemmas(todo.flatMap((q) => q.name.split("|").flatMap((a) => alternatePhraseTokens(a).map((t) => t.surface))));
  for (const q of todo) phraseAlternatesOf(q);
}
