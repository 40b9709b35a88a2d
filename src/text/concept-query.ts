/**
 * Concept names as queries. A name goes through the same analyzer as captions:
 * lowercase; alternates separated by "|" ("sea lion|sealion"); a parenthesised part is a
 * disambiguation, not a required word ("kite (bird of prey)" -> "kite"); words split on whitespace,
 * "_", "-" and "/"; each word lemmatised as a noun ("geese" -> "goose").
 */
import { UserError } from "../errors.js";
import { lemmatizeAsNoun, letterRuns, prepareNounLemmas } from "./analyzer.js";

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
