/** Concept-word lemmatising: a concept word's lemma as a noun, by the tagger and lemmatizer captions use. */
import { its, nlp, type WinkTokens } from "./wink-doc.js";
import { isNounTag, letterRuns } from "./word-rule.js";

/**
 * Concept words are lemmatised in batches of "the WORD ." contexts joined by a line holding only
 * BATCH_MARK, one `readDoc` per batch (see prepareNounLemmas): the mark, on its own line between
 * two line breaks, is a hard boundary for wink's tagger (tested).
 */
const BATCH_MARK = "\u2042"; // ⁂ ASTERISM
const BATCH_SEPARATOR = `\n${BATCH_MARK}\n`;

/** Noun-context forms per lowercase word (nounLemmaForms; at most 100,000 words). */
const nounLemmaMemo = new Map<string, string[]>();

/**
 * Lemmatises one word as a noun: the word is tagged in the noun context "the WORD ." so that the
 * tagger and lemmatizer used for captions decide its lemma ("geese" -> "goose", "leaves" -> "leaf").
 * Returns the letter runs of the lemma (a word may hold several: "o'" -> ["o"]).
 */
export function lemmatizeAsNoun(word: string): string[] {
  return nounLemmaForms(word).flatMap(letterRuns);
}

/**
 * The lowercase forms (one per token) of a word tagged in the noun context, as lemmatizeAsNoun
 * reads them before taking their letter runs: the lemma of a noun reading, else the word as
 * written (the phrase rule takes their phraseRuns).
 */
export function nounLemmaForms(word: string): string[] {
  const w = word.toLowerCase();
  const known = nounLemmaMemo.get(w);
  if (known) return [...known];
  const forms = nounContextForms(nlp().readDoc(`the ${w} .`).tokens(), 1, -1);
  if (nounLemmaMemo.size < 100_000) nounLemmaMemo.set(w, forms);
  return [...forms];
}

/** lemmatizeAsNoun without the memo (the reference the batched path is tested against). */
export function lemmatizeAsNounUncached(w: string): string[] {
  return nounContextForms(nlp().readDoc(`the ${w} .`).tokens(), 1, -1).flatMap(letterRuns);
}

/** The noun-context lemma forms of the tokens in [from, to) of a tagged "the WORD ." document. */
function nounContextForms(tokens: WinkTokens, from: number, toFromEnd: number, all?: { lemma: string[]; pos: string[]; value: string[] }): string[] {
  const lemma = all?.lemma ?? tokens.out(its.lemma);
  const pos = all?.pos ?? tokens.out(its.pos);
  const value = all?.value ?? tokens.out(its.value);
  const to = toFromEnd < 0 ? lemma.length + toFromEnd : toFromEnd;
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    // Only a noun reading's lemma is trusted; otherwise the word stays as written
    // (wink reads "cd" as the contraction of "could": the concept "cd" must stay "cd").
    const form = isNounTag(pos[i]!) ? lemma[i]! : value[i]!;
    out.push(form.toLowerCase());
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
    const tokens = nlp().readDoc(chunk.map((w) => `the ${w} .`).join(BATCH_SEPARATOR)).tokens();
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
      for (const w of chunk) nounLemmaForms(w); // unexpected tokenisation: fall back word by word
      continue;
    }
    chunk.forEach((w, k) => {
      const [b, e] = bounds[k]!;
      if (nounLemmaMemo.size < 100_000) nounLemmaMemo.set(w, nounContextForms(tokens, b + 1, e - 1, all));
    });
  }
}
