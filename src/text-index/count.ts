/**
 * Counting semantics (see README "Counting semantics"):
 *
 * paper  — a caption matches a concept alternate when every word of it, lemmatised as a noun, is in
 *          the caption's set of noun/proper-noun lemmas (a word also matches under its own surface
 *          form, which catches proper-noun plurals the lemmatizer leaves alone: "Beatles", "Jeans").
 * phrase — the alternate's words occur contiguously, in order, in the caption's phrase-token
 *          sequence, any part of speech; a word matches a token when its lemma or surface form
 *          equals the token's lemma or surface form. Words are letters and digits; a hyphen, dash or
 *          slash between two words joins them (analyzer.ts phraseTokensOfToken).
 * A concept's count is the number of captions matching ANY of its alternates ("sea lion|sealion").
 */
import { phraseTokens } from "../text/analyzer.js";
import { PHRASE_STOPWORDS } from "../text/word-rule.js";
import { type PhraseToken } from "../text/phrase-tokens.js";
import { parseConcepts, phraseAlternatesOf, preparePhraseAlternates, wordForms, type ConceptQuery, type ConceptWord } from "../text/concept-query.js";
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import type { TextIndex } from "./text-index.js";

export type MatchMode = "paper" | "phrase";

/**
 * Where `--match phrase` reads a candidate caption's phrase tokens: the index's positions (the
 * default), or the caption re-analysed (the reference the positions are tested against).
 */
export type PhraseSource = "positions" | "captions";

/** Docs matching the concept under the given rule. */
export function matchConcept(index: TextIndex, query: ConceptQuery, match: MatchMode = "paper", phraseFrom: PhraseSource = "positions"): RoaringBitmap32 {
  const parts =
    match === "paper"
      ? query.alternates.map((words) => matchAllNouns(index, words))
      : phraseAlternatesOf(query).map((words) => (phraseFrom === "positions" ? matchPhraseFromPositions(index, words) : matchPhrase(index, words)));
  if (parts.length === 0) return new RoaringBitmap32();
  return parts.length === 1 ? parts[0]! : RoaringBitmap32.orMany(parts);
}

/**
 * While countConcepts runs: the postings of frequent words, read once and shared by the concepts
 * that hold them (never mutated; at most MEMO_IDS ids in all). Words of fewer than MEMO_MIN_IDS
 * docs are read each time (cheap).
 */
let memo: { files: WeakMap<object, Map<string, RoaringBitmap32>>; ids: number } | undefined;
const MEMO_MIN_IDS = 4096;
const MEMO_IDS = 32_000_000;

/** The docs holding any of the word's forms; `shared` when it came from the memo (not to be mutated). */
function wordPostings(file: TextIndex["nouns"], w: ConceptWord): { ids: RoaringBitmap32; shared: boolean } {
  const forms = wordForms(w).filter((f) => file.has(f));
  if (forms.length === 0) return { ids: new RoaringBitmap32(), shared: false };
  const read = () => (forms.length === 1 ? file.get(forms[0]!) : RoaringBitmap32.orMany(forms.map((f) => file.get(f))));
  let n = 0;
  for (const f of forms) n += file.cardinality(f);
  if (!memo || n < MEMO_MIN_IDS || memo.ids + n > MEMO_IDS) return { ids: read(), shared: false };
  let byForms = memo.files.get(file);
  if (!byForms) memo.files.set(file, (byForms = new Map()));
  const key = forms.join("\0");
  let ids = byForms.get(key);
  if (!ids) {
    byForms.set(key, (ids = read()));
    memo.ids += n;
  }
  return { ids, shared: true };
}

/** Intersects word postings, rarest first, stopping early when empty. */
function intersectWords(file: TextIndex["nouns"], words: ConceptWord[]): RoaringBitmap32 {
  const ordered = [...words].sort(
    (a, b) => sumCard(file, a) - sumCard(file, b),
  );
  let acc: RoaringBitmap32 | undefined;
  let shared = false;
  for (const w of ordered) {
    const p = wordPostings(file, w);
    if (acc === undefined) [acc, shared] = [p.ids, p.shared];
    else if (shared) [acc, shared] = [RoaringBitmap32.and(acc, p.ids), false];
    else acc.andInPlace(p.ids);
    if (acc.isEmpty) break;
  }
  if (acc === undefined) return new RoaringBitmap32();
  return shared ? acc.clone() : acc;
}

function sumCard(file: TextIndex["nouns"], w: ConceptWord): number {
  let n = 0;
  for (const f of wordForms(w)) n += file.cardinality(f);
  return n;
}

function matchAllNouns(index: TextIndex, words: ConceptWord[]): RoaringBitmap32 {
  return intersectWords(index.nouns, words);
}

/** Candidates: captions holding every non-stopword of the phrase in any POS (undefined: none can match). */
function phraseCandidates(index: TextIndex, words: ConceptWord[]): RoaringBitmap32 | undefined {
  const content = words.filter((w) => !(PHRASE_STOPWORDS.has(w.lemma) && PHRASE_STOPWORDS.has(w.surface)));
  if (content.length === 0) return undefined; // a phrase of stopwords only is not a concept
  return intersectWords(index.terms, content);
}

/** matchPhrase, verifying candidates from the index's positions (token ids), never re-analysing. */
function matchPhraseFromPositions(index: TextIndex, words: ConceptWord[]): RoaringBitmap32 {
  const candidates = phraseCandidates(index, words);
  if (!candidates) return new RoaringBitmap32();
  if (words.length === 1 || candidates.isEmpty) return candidates;
  const p = index.positions;
  // per word, the token ids it matches (tokenMatches: lemma or surface equal to either form)
  const wordIds = words.map((w) => [...new Set([...p.idsOfForm(w.lemma), ...(w.surface === w.lemma ? [] : p.idsOfForm(w.surface))])]);
  if (wordIds.some((s) => s.length === 0)) return new RoaringBitmap32();
  const out = p.docsWithSequence(candidates.toUint32Array(), wordIds);
  return new RoaringBitmap32(out);
}

function matchPhrase(index: TextIndex, words: ConceptWord[]): RoaringBitmap32 {
  // Candidates: captions holding every non-stopword of the phrase in any POS; then verify order.
  const candidates = phraseCandidates(index, words);
  if (!candidates) return new RoaringBitmap32();
  if (words.length === 1) return candidates; // one word: the term postings already say it all
  const out: number[] = [];
  for (const doc of candidates) {
    if (containsPhrase(phraseTokens(index.captions.caption(doc)), words)) out.push(doc);
  }
  return new RoaringBitmap32(out);
}

function tokenMatches(t: PhraseToken, w: ConceptWord): boolean {
  if (t.lemma === "" && t.surface === "") return false;
  return t.lemma === w.lemma || t.surface === w.lemma || t.lemma === w.surface || t.surface === w.surface;
}

export function containsPhrase(tokens: PhraseToken[], words: ConceptWord[]): boolean {
  outer: for (let i = 0; i + words.length <= tokens.length; i++) {
    for (let j = 0; j < words.length; j++) if (!tokenMatches(tokens[i + j]!, words[j]!)) continue outer;
    return true;
  }
  return false;
}

/**
 * The count without reading any bitmap, when the concept is one word with one form present in the
 * index (most class names): the posting's cardinality from the term table.
 */
function singleTermCount(index: TextIndex, query: ConceptQuery, match: MatchMode): number | undefined {
  const alternates = match === "paper" ? query.alternates : phraseAlternatesOf(query);
  if (alternates.length !== 1 || alternates[0]!.length !== 1) return undefined;
  const file = match === "paper" ? index.nouns : index.terms;
  const present = wordForms(alternates[0]![0]!).filter((f) => file.has(f));
  if (present.length === 0) return 0;
  return present.length === 1 ? file.cardinality(present[0]!) : undefined;
}

export interface ConceptCount {
  concept: string;
  count: number;
  /** The matching docs, when asked for. */
  ids?: RoaringBitmap32;
}

export interface CountOptions {
  /** The matching rule (default "paper": every word of an alternate among the caption's noun lemmas). */
  match?: MatchMode;
  /** Return each concept's matching doc ids too. */
  keepIds?: boolean;
  /** Where phrase matching reads a candidate's tokens (default "positions"; "captions" re-analyses, the reference). */
  phraseFrom?: PhraseSource;
  /** The query text each concept is counted as (same order; e.g. its synonym expansion "couch|sofa|lounge"); the output keeps the concept's name. */
  queries?: readonly string[];
  /** The queries already parsed (parseConcepts, then preparePhraseAlternates or adoptPhraseAlternates for phrase): no tagger runs. */
  parsed?: readonly ConceptQuery[];
}

/** Counts each concept (in the given order) under the rule. */
export function countConcepts(index: TextIndex, concepts: readonly string[], opts: CountOptions = {}): ConceptCount[] {
  if (opts.queries && opts.queries.length !== concepts.length) throw new Error(`countConcepts: ${opts.queries.length} queries for ${concepts.length} concepts`);
  if (opts.parsed && opts.parsed.length !== concepts.length) throw new Error(`countConcepts: ${opts.parsed.length} parsed queries for ${concepts.length} concepts`);
  const queries = opts.parsed ? [...opts.parsed] : parseConcepts(opts.queries ?? concepts);
  if (opts.match === "phrase" && !opts.parsed) preparePhraseAlternates(queries);
  const outer = memo;
  memo ??= { files: new WeakMap(), ids: 0 };
  try {
    return countEach(index, concepts, queries, opts);
  } finally {
    memo = outer;
  }
}

function countEach(index: TextIndex, concepts: readonly string[], queries: ConceptQuery[], opts: CountOptions): ConceptCount[] {
  if (opts.match === "phrase" && (opts.phraseFrom ?? "positions") === "positions") {
    // the token ids of every word of a phrase of several words, found in one pass over the dictionary
    const forms = queries.flatMap((q) => phraseAlternatesOf(q).filter((a) => a.length > 1).flatMap((a) => a.flatMap((w) => [w.lemma, w.surface])));
    if (forms.length > 0) index.positions.prepareForms(forms);
  }
  return concepts.map((concept, i) => {
    const query = queries[i]!;
    if (!opts.keepIds) {
      const n = singleTermCount(index, query, opts.match ?? "paper");
      if (n !== undefined) return { concept, count: n };
    }
    const ids = matchConcept(index, query, opts.match ?? "paper", opts.phraseFrom);
    return opts.keepIds ? { concept, count: ids.size, ids } : { concept, count: ids.size };
  });
}
