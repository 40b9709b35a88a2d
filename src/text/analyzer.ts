/**
 * Caption analysis: the ONE place that decides what a word is.
 *
 * A caption is reduced to the set of lowercase, letters-only lemmas of its NOUN and PROPN tokens
 * (the paper's rule), plus — for `--match phrase` — the sequence of all its tokens' surface forms and
 * lemmas. Concept names go through the same tokenizer, tagger and lemmatizer (see concept-query.ts).
 *
 * Its parts, one idea each: word-rule.ts (what a word is), phrase-tokens.ts, forms-memo.ts (each
 * token's forms, memoised, through the tagger wink-tagger.ts or wink's readDoc, wink-doc.ts),
 * term-interning.ts (ids for the build) and concept-lemmas.ts (concept words as nouns).
 *
 * The analyzer's name and version (analyzer-version.ts) are recorded in every index manifest;
 * change ANALYZER.version whenever a change in any of them can change an index.
 */
import { captionTokens, type TokenForms } from "./forms-memo.js";
import type { PhraseToken } from "./phrase-tokens.js";

export { ANALYZER } from "./analyzer-version.js";
export { lemmatizeAsNoun } from "./concept-lemmas.js";

export interface CaptionAnalysis {
  /** Distinct noun and proper-noun lemmas (the paper's per-caption set), in first-occurrence order. */
  nouns: string[];
  /** Distinct surface forms and lemmas (phrase runs) of all tokens, minus PHRASE_STOPWORDS (phrase candidates). */
  terms: string[];
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

function addCaptionForms(forms: TokenForms, into: CaptionAnalysis): void {
  if (forms.noun) for (const run of forms.lemmaRuns) if (!into.nouns.includes(run)) into.nouns.push(run);
  for (const run of forms.terms) if (!into.terms.includes(run)) into.terms.push(run);
}

/**
 * The token sequence phrase matching compares against (phraseTokensOfToken of every token, in
 * order). The index keeps it for every caption (positions.bin); this is the reference it is
 * tested against.
 */
export function phraseTokens(text: string): PhraseToken[] {
  const out: PhraseToken[] = [];
  for (const t of captionTokens(text)) for (const p of t.phrase) out.push(p);
  return out;
}
