/**
 * The word rule: what a word is for the paper's noun rule (letter runs of NOUN/PROPN lemmas) and
 * for the phrase rule (letter-and-digit runs, joiners, stopwords).
 */

const LETTER_RUNS = /\p{L}+/gu;

/** The letter runs of a lowercase string: "t-shirt" -> ["t", "shirt"], "3d" -> ["d"], "," -> []. */
export function letterRuns(s: string): string[] {
  return s.match(LETTER_RUNS) ?? [];
}

const PHRASE_RUNS = /[\p{L}\p{N}]+/gu;

/**
 * The word runs of a lowercase string under the phrase rule (`--match phrase`): letters and digits
 * ("boeing 717" -> ["boeing", "717"], "a320" -> ["a320"], "c-130" -> ["c", "130"]). The paper's
 * rule (noun lemmas) keeps letterRuns.
 */
export function phraseRuns(s: string): string[] {
  return s.match(PHRASE_RUNS) ?? [];
}

/**
 * A token made only of hyphens, dashes and slashes ("-", "–", "—", "/"): under the phrase rule it
 * joins the words on either side instead of breaking a phrase ("t - shirt" reads as "t shirt", as
 * "t-shirt" does), as the concept-name parser reads "-" and "/" as word separators.
 */
const PHRASE_JOINER = /^[-\u2010-\u2015\u2212/]+$/u;
export function isPhraseJoiner(s: string): boolean {
  return PHRASE_JOINER.test(s);
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

/** A NOUN or PROPN tag: the paper's rule counts these tokens. */
export function isNounTag(pos: string): boolean {
  return pos === "NOUN" || pos === "PROPN";
}
