/** Phrase tokens: one token of a caption as phrase matching (`--match phrase`) sees it. */
import { isPhraseJoiner, phraseRuns } from "./word-rule.js";

/** One token of a caption as phrase matching sees it. */
export interface PhraseToken {
  /** Lowercase surface form, letters and digits only ("" for a phrase break: punctuation). */
  surface: string;
  /** Lowercase lemma, letters and digits only. */
  lemma: string;
}

/** The text a phrase token is interned under (PHRASE_TOKENS, the index's phrase-token dictionary): "" for a break. */
export function phraseTokenKey(t: PhraseToken): string {
  return t.surface === t.lemma ? t.surface : `${t.surface}\t${t.lemma}`;
}

/** The phrase token of a phraseTokenKey. */
export function phraseTokenOfKey(key: string): PhraseToken {
  const tab = key.indexOf("\t");
  return tab < 0 ? { surface: key, lemma: key } : { surface: key.slice(0, tab), lemma: key.slice(tab + 1) };
}

/** The phrase token that breaks a phrase (punctuation; what has no letters or digits). */
export const PHRASE_BREAK: PhraseToken = Object.freeze({ surface: "", lemma: "" });

/**
 * The phrase rule for one token, from its lemma and surface (normal) form: the one place that
 * decides what phrase matching sees, for captions and concept names alike. Word runs are
 * phraseRuns (letters and digits); a token with several runs ("t-shirt", "c-130" when the tokenizer
 * keeps it whole) gives one phrase token per run (lemma and surface paired when they have as many
 * runs, else the surface's runs); a joiner (isPhraseJoiner) gives none; other tokens without
 * letters or digits (punctuation) give a break.
 */
export function phraseTokensOfToken(lemma: string, normal: string): PhraseToken[] {
  const l = lemma.toLowerCase();
  const n = normal.toLowerCase();
  const lemmaRuns = phraseRuns(l);
  const surfaceRuns = n === l ? lemmaRuns : phraseRuns(n);
  if (lemmaRuns.length === 0 && surfaceRuns.length === 0) return isPhraseJoiner(n) ? [] : [PHRASE_BREAK];
  if (lemmaRuns.length === surfaceRuns.length) return surfaceRuns.map((s, k) => ({ surface: s, lemma: lemmaRuns[k]! }));
  return surfaceRuns.map((s) => ({ surface: s, lemma: s }));
}
