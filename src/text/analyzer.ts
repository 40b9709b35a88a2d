/**
 * Caption analysis: the ONE place that decides what a word is.
 *
 * A caption is reduced to the set of lowercase, letters-only lemmas of its NOUN and PROPN tokens
 * (the paper's rule), plus — for `--match phrase` — the sequence of all its tokens' surface forms and
 * lemmas. Concept names go through the same tokenizer, tagger and lemmatizer (see concept-query.ts).
 *
 * The analyzer's name and version (analyzer-version.ts) are recorded in every index manifest;
 * change ANALYZER.version whenever a change here can change an index.
 */
import { createRequire } from "node:module";
import { createWinkTagger, MAX_PIECE_BYTES, type WinkCache, type WinkTagger } from "./wink-tagger.js";
import { growInt32 } from "./grow-int32.js";
import { packageModel, taggerModel, type TaggerModel } from "./wink-model.js";

// wink-nlp and its model are CommonJS. Each is required on first use: the tagger needs only parts
// of them (wink-model.ts), so an index build's workers never load the rest. wink-nlp's instance
// and the tagger each decode their own lexicon (a lexicon cache grows with the words it meets, so
// two must never share one).
const require = createRequire(import.meta.url);

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

export { ANALYZER } from "./analyzer-version.js";

/**
 * POS-only pipeline: tokenisation + POS tagging is all the rule needs (sentence splitting etc. are
 * off). Made on first use: captions go through the tagger (wink-tagger.ts), which needs only the
 * model's lexicon and POS rules, so an index build's workers never load wink's other models.
 */
let nlpInstance: WinkNlp | undefined;
function nlp(): WinkNlp {
  if (!nlpInstance) {
    const winkNLP = require("wink-nlp") as (model: unknown, pipe?: string[]) => WinkNlp;
    nlpInstance = winkNLP(packageModel(), ["pos"]);
  }
  return nlpInstance;
}
const its = (() => {
  try {
    return require("wink-nlp/src/its.js") as unknown;
  } catch {
    return nlp().its;
  }
})() as {
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

/** The phrase token that breaks a phrase (punctuation; what has no letters or digits). */
export const PHRASE_BREAK: PhraseToken = Object.freeze({ surface: "", lemma: "" });

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

export interface CaptionAnalysis {
  /** Distinct noun and proper-noun lemmas (the paper's per-caption set), in first-occurrence order. */
  nouns: string[];
  /** Distinct surface forms and lemmas (phrase runs) of all tokens, minus PHRASE_STOPWORDS (phrase candidates). */
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
  noun: boolean;
  /** Letter runs of the lemma (the paper's rule). */
  lemmaRuns: string[];
  /** The phrase tokens this token contributes: [] for a joiner, [PHRASE_BREAK] for punctuation. */
  phrase: PhraseToken[];
  terms: string[];
  /** nouns' ids in NOUN_TERMS when `noun` (else empty) and terms' ids in PHRASE_TERMS (the index build's path). */
  nounIds: number[];
  termIds: number[];
  /** phrase's ids in PHRASE_TOKENS. */
  phraseIds: number[];
}

/** Interned terms: a dense id per distinct string (the index build accumulates postings by id). */
export class TermIds {
  private ids = new Map<string, number>();
  texts: string[] = [];
  clear(): void {
    this.ids = new Map();
    this.texts = [];
  }
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }
}
export const NOUN_TERMS = new TermIds();
export const PHRASE_TERMS = new TermIds();
/** Interned phrase tokens (phraseTokenKey; "" is the break): the index build's positions. */
export const PHRASE_TOKENS = new TermIds();

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

function tokenForms(pos: string, lemma: string, normal: string): TokenForms {
  const lemmaRuns = letterRuns(lemma.toLowerCase());
  const phrase = phraseTokensOfToken(lemma, normal);
  const terms: string[] = [];
  const pLemmaRuns = phraseRuns(lemma.toLowerCase());
  const pSurfaceRuns = normal === lemma ? pLemmaRuns : phraseRuns(normal.toLowerCase());
  for (const run of pLemmaRuns) if (!PHRASE_STOPWORDS.has(run) && !terms.includes(run)) terms.push(run);
  for (const run of pSurfaceRuns) if (!PHRASE_STOPWORDS.has(run) && !terms.includes(run)) terms.push(run);
  const noun = isNounTag(pos);
  const nounIds = noun ? [...new Set(lemmaRuns)].map((r) => NOUN_TERMS.id(r)) : [];
  const termIds = terms.map((r) => PHRASE_TERMS.id(r));
  const phraseIds = phrase.map((t) => PHRASE_TOKENS.id(phraseTokenKey(t)));
  return { noun, lemmaRuns, phrase, terms, nounIds, termIds, phraseIds };
}

/*
 * Speed. Captions are tagged by wink-tagger.ts, a transcription of wink-nlp's readDoc that gives
 * wink's own token array several times faster. Reading each token's tag, lemma and normal form
 * comes next: a token's forms are a pure function of its lexeme and its tag (contractions aside),
 * so they are memoised under that key (and, on the tagger's path, per distinct token with the tag
 * it last took), and the index build reads them as interned term ids from flat arrays. wink's own
 * readDoc remains the reference (`taggerAgrees()`, tested) and the fallback: it is read in one
 * pass through a token mapper registered with wink-nlp (its `out()` accepts only registered
 * mappers), or the public three-pass path when there is no registry. The mapper reads wink's
 * token layout (4 slots per token: lexeme, contraction flag, tag bits); if that ever changes,
 * `taggerAgrees()` fails the test suite.
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
const taggerIdByKey = new Map<number, number>();
const taggerIdByContraction = new Map<string, number>();

/** Flat copies of every remembered forms' nounIds and termIds (the index build reads these). */
let formsIdStart: Int32Array = new Int32Array(1 << 12);
let formsIdPool: Int32Array = new Int32Array(1 << 14);
let formsIdPoolUsed = 0;

function remember(forms: TokenForms): number {
  const id = formsById.length;
  formsById.push(forms);
  // [start] -> nNouns, nTerms, nPhrase, nouns..., terms..., phrase tokens...
  const need = 3 + forms.nounIds.length + forms.termIds.length + forms.phraseIds.length;
  if (id + 1 >= formsIdStart.length) formsIdStart = growInt32(formsIdStart, id + 2);
  if (formsIdPoolUsed + need > formsIdPool.length) formsIdPool = growInt32(formsIdPool, formsIdPoolUsed + need);
  formsIdStart[id] = formsIdPoolUsed;
  formsIdPool[formsIdPoolUsed++] = forms.nounIds.length;
  formsIdPool[formsIdPoolUsed++] = forms.termIds.length;
  formsIdPool[formsIdPoolUsed++] = forms.phraseIds.length;
  for (const x of forms.nounIds) formsIdPool[formsIdPoolUsed++] = x;
  for (const x of forms.termIds) formsIdPool[formsIdPoolUsed++] = x;
  for (const x of forms.phraseIds) formsIdPool[formsIdPoolUsed++] = x;
  return id;
}

function forgetAllForms(): void {
  formsById.length = 0;
  idByKey.clear();
  idByContraction.clear();
  taggerIdByKey.clear();
  taggerIdByContraction.clear();
  formsIdPoolUsed = 0;
  memoGeneration++;
}

/** The forms id of token i of a readDoc document (a registered wink token mapper). */
function tokenFormsId(i: number, rdd: Rdd, addons: unknown): number {
  return formsIdIn(idByKey, idByContraction, i, rdd, addons);
}

/**
 * The forms id of token i in wink's token layout, memoised in the given maps. The tagger keeps
 * its own lexicon cache, whose ids for out-of-vocabulary words differ from readDoc's, so each
 * cache has its own maps.
 */
function formsIdIn(idByKey: Map<number, number>, idByContraction: Map<string, number>, i: number, rdd: Rdd, addons: unknown): number {
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

/** The transcription of readDoc (see wink-tagger.ts), unless CONCEPTFREQ_WINK_READDOC=1 asks for wink's own. */
const useTagger = fastPath && process.env.CONCEPTFREQ_WINK_READDOC !== "1";
let tagger: WinkTagger | undefined;
let taggerMade = false;
/** One token in wink's layout, with the tagger's cache: what `its` reads for a token the memo has not seen. */
const oneToken: { tokens: Int32Array; cache: WinkCache | undefined } = { tokens: new Int32Array(TOKEN_SLOTS), cache: undefined };

/**
 * The tagger, made on first use (it decodes the model's lexicon, ~0.2 s: `count` without phrase
 * matching never needs it), and made anew once its lexicon has learnt `taggerRenewal` words, so
 * that its memory stays bounded on corpora with endless vocabularies (web captions: names, codes,
 * typos). Renewing changes no analysis: tokenization does not depend on what was read before.
 */
function theTagger(): WinkTagger | undefined {
  if (!taggerMade) {
    taggerMade = true;
    if (useTagger) renewTagger();
  } else if (learntWords() > taggerRenewal) {
    renewTagger();
  }
  return tagger;
}

let taggerRenewal = 2_000_000;

/** Words the tagger may learn before it is made anew (default 2,000,000; tests set it low). */
export function setTaggerRenewal(learntWords: number): void {
  taggerRenewal = learntWords;
}

function renewTagger(): void {
  if (tagger) forgetAllForms(); // the memo is keyed by the old lexicon's word ids
  tagger = createWinkTagger(taggerModel() ?? (packageModel() as TaggerModel));
  oneToken.cache = tagger?.cache;
}

/**
 * How much the analyzer has learnt from the captions it read: interned terms plus the words the
 * tagger's lexicon added. It grows with the vocabulary met, so a long build resets it now and then.
 */
export function analyzerMemorySize(): number {
  return NOUN_TERMS.texts.length + PHRASE_TERMS.texts.length + PHRASE_TOKENS.texts.length + learntWords();
}

/** Words the tagger's lexicon has added to the model's (0 before it is made). */
function learntWords(): number {
  return tagger ? tagger.cache.currentSize() - tagger.cache.intrinsicSize() : 0;
}

/**
 * Forgets all that: term ids (so no term id may be held elsewhere: the index build calls this right
 * after a spill), memoised forms, and the tagger's lexicon (a fresh tagger is made). A caption's
 * analysis is the same before and after (tokenization does not depend on what was read before).
 */
export function resetAnalyzerMemory(): void {
  NOUN_TERMS.clear();
  PHRASE_TERMS.clear();
  PHRASE_TOKENS.clear();
  forgetAllForms();
  if (tagger) renewTagger();
}

/** The forms of every token of a text, in order. */
function captionTokens(text: string): TokenForms[] {
  const n = captionFormIds(text);
  const out = new Array<TokenForms>(n);
  for (let i = 0; i < n; i++) out[i] = formsById[formIds[i]!]!;
  return out;
}

/** Forms ids of the tokens of the caption being analysed: formIds[0..n). */
let formIds = new Int32Array(256);

/**
 * Fills formIds with the forms id of every token of text.slice(from, to) and returns their
 * number: through the tagger, or wink's own readDoc when there is none.
 */
function captionFormIds(text: string, from = 0, to = text.length): number {
  if (formsById.length > MEMO_LIMIT) forgetAllForms();
  const t = theTagger();
  if (t) return taggedFormIds(t, t.tag(text, from, to));
  return readDocFormIdsInto(from === 0 && to === text.length ? text : text.slice(from, to));
}

/** captionFormIds of the UTF-8 text bytes[from, to). */
function captionBytesFormIds(bytes: Uint8Array, from: number, to: number): number {
  if (formsById.length > MEMO_LIMIT) forgetAllForms();
  const t = theTagger();
  if (t) return taggedFormIds(t, t.tagBytes(bytes, from, to));
  return readDocFormIdsInto(utf8.decode(bytes.subarray(from, to)));
}

const utf8 = new TextDecoder();

/** wink's splitter (its helpers.splitter): runs of spaces, runs of line breaks. */
const WINK_SPLITTER = /([ \u00a0\u2002-\u2005\u2009\u200a\u202f\u205f]+|[\n\r\t]+)/;

/** The text with every piece over MAX_PIECE_BYTES replaced by U+FFFC, as the tagger reads it (wink-tagger.ts). */
function boundLongPieces(text: string): string {
  if (text.length <= MAX_PIECE_BYTES / 3) return text;
  const parts = text.split(WINK_SPLITTER);
  let changed = false;
  for (let k = 0; k < parts.length; k += 2) {
    if (parts[k]!.length > MAX_PIECE_BYTES / 3 && Buffer.byteLength(parts[k]!) > MAX_PIECE_BYTES) {
      parts[k] = "\uFFFC";
      changed = true;
    }
  }
  return changed ? parts.join("") : text;
}

/** Fills formIds through wink's own readDoc (there is no tagger) and returns their number. */
function readDocFormIdsInto(text: string): number {
  const ids = readDocFormIds(boundLongPieces(text));
  if (ids.length > formIds.length) formIds = new Int32Array(Math.max(ids.length, formIds.length * 2));
  formIds.set(ids);
  return ids.length;
}

/*
 * Tagger path: the forms of a token are remembered per tagger record (a distinct token) with the
 * last two tags it took (a word such as "walk" or "fly" alternates between a noun and a verb
 * reading), which spares the lexeme-keyed map for almost every token.
 */
let memoGeneration = 1;
/**
 * Per tagger record r, at m = MEMO_STRIDE * r: memo[m] the memo generation; [m + 1] and [m + 2]
 * the tag slot and forms id it took last, [m + 3] and [m + 4] those it took before (-1: none).
 */
const MEMO_STRIDE = 5;
let recordForms: Int32Array = new Int32Array(MEMO_STRIDE << 14);

/** Fills formIds[0..n) with the forms id of each of the n tokens the tagger has just tagged. */
function taggedFormIds(t: WinkTagger, n: number): number {
  if (MEMO_STRIDE * t.recordCount > recordForms.length) recordForms = growInt32(recordForms, MEMO_STRIDE * t.recordCount);
  const memo = recordForms;
  const gen = memoGeneration;
  if (n > formIds.length) formIds = new Int32Array(Math.max(n, formIds.length * 2));
  const recs = t.records;
  const slots = t.slots;
  for (let i = 0; i < n; i++) {
    const m = MEMO_STRIDE * recs[i]!;
    const slot2 = slots[i]!;
    if (memo[m] === gen && memo[m + 1] === slot2) {
      formIds[i] = memo[m + 2]!;
    } else if (memo[m] === gen && memo[m + 3] === slot2) {
      formIds[i] = memo[m + 4]!;
    } else {
      t.writeToken(i, oneToken.tokens, 0);
      const id = formsIdIn(taggerIdByKey, taggerIdByContraction, 0, oneToken, t.addons);
      if (memo[m] === gen) {
        memo[m + 3] = memo[m + 1]!;
        memo[m + 4] = memo[m + 2]!;
      } else {
        memo[m] = gen;
        memo[m + 3] = -1;
      }
      memo[m + 1] = slot2;
      memo[m + 2] = id;
      formIds[i] = id;
    }
  }
  return n;
}

/**
 * What the index build keeps of a caption: distinct noun ids nouns[0..nNouns) and term ids
 * terms[0..nTerms), in first-occurrence order, and its phrase-token sequence as PHRASE_TOKENS ids
 * phrase[0..nPhrase) (the arrays grow as needed).
 */
export interface CaptionTermIds {
  nouns: Int32Array;
  nNouns: number;
  terms: Int32Array;
  nTerms: number;
  phrase: Int32Array;
  nPhrase: number;
}

export function newCaptionTermIds(): CaptionTermIds {
  return { nouns: new Int32Array(64), nNouns: 0, terms: new Int32Array(256), nTerms: 0, phrase: new Int32Array(256), nPhrase: 0 };
}

let nounSeen: Int32Array = new Int32Array(1 << 12);
let termSeen: Int32Array = new Int32Array(1 << 12);
let captionStamp = 0;

/**
 * analyzeCaptionForIndex of text.slice(from, to) as interned ids (NOUN_TERMS, PHRASE_TERMS),
 * written into `out` (cleared first), without building the strings' arrays per caption (nor
 * slicing the caption out of `text`). The index build uses its byte form below.
 */
export function analyzeCaptionTermIds(text: string, out: CaptionTermIds, from = 0, to = text.length): void {
  collectTermIds(captionFormIds(text, from, to), out);
}

/**
 * analyzeCaptionTermIds of the UTF-8 text bytes[from, to) (valid UTF-8): the index build's path,
 * which reads captions as the caption store keeps them, never decoded to strings.
 */
export function analyzeCaptionBytesTermIds(bytes: Uint8Array, out: CaptionTermIds, from = 0, to = bytes.length): void {
  collectTermIds(captionBytesFormIds(bytes, from, to), out);
}

/** Writes the distinct noun and term ids of the caption's n tokens (formIds[0..n)) into `out`. */
function collectTermIds(n: number, out: CaptionTermIds): void {
  if (NOUN_TERMS.texts.length > nounSeen.length) nounSeen = growInt32(nounSeen, NOUN_TERMS.texts.length);
  if (PHRASE_TERMS.texts.length > termSeen.length) termSeen = growInt32(termSeen, PHRASE_TERMS.texts.length);
  if (++captionStamp === 0x7fffffff) {
    captionStamp = 1;
    nounSeen.fill(0);
    termSeen.fill(0);
  }
  const stamp = captionStamp;
  const pool = formsIdPool;
  let nouns = out.nouns;
  let terms = out.terms;
  let phrase = out.phrase;
  let nNouns = 0;
  let nTerms = 0;
  let nPhrase = 0;
  for (let i = 0; i < n; i++) {
    let at = formsIdStart[formIds[i]!]!;
    const nn = pool[at++]!;
    const nt = pool[at++]!;
    const np = pool[at++]!;
    if (nNouns + nn > nouns.length) nouns = out.nouns = growInt32(nouns, nNouns + nn);
    if (nTerms + nt > terms.length) terms = out.terms = growInt32(terms, nTerms + nt);
    if (nPhrase + np > phrase.length) phrase = out.phrase = growInt32(phrase, nPhrase + np);
    for (const end = at + nn; at < end; at++) {
      const id = pool[at]!;
      if (nounSeen[id] !== stamp) {
        nounSeen[id] = stamp;
        nouns[nNouns++] = id;
      }
    }
    for (const end = at + nt; at < end; at++) {
      const id = pool[at]!;
      if (termSeen[id] !== stamp) {
        termSeen[id] = stamp;
        terms[nTerms++] = id;
      }
    }
    for (const end = at + np; at < end; at++) phrase[nPhrase++] = pool[at]!;
  }
  out.nNouns = nNouns;
  out.nTerms = nTerms;
  out.nPhrase = nPhrase;
}


/** The forms ids of every token of a text as wink-nlp's own readDoc gives them. */
function readDocFormIds(text: string): number[] {
  const tokens = nlp().readDoc(text).tokens();
  if (fastPath) return tokens.out(tokenFormsId) as unknown as number[];
  return slowCaptionTokens(tokens).map(remember);
}

/** The public three-pass path (reference for the fast path, and the fallback). */
function slowCaptionTokens(tokens: WinkTokens): TokenForms[] {
  const pos = tokens.out(its.pos);
  const lemma = tokens.out(its.lemma);
  const normal = tokens.out(its.normal);
  return pos.map((p, i) => tokenForms(p, lemma[i]!, normal[i]!));
}

/**
 * True when the analyzer's own path (the tagger and the memo) gives exactly the forms that wink-nlp's
 * readDoc gives for `text`, read through its public three-pass API. (Where readDoc itself depends on
 * the texts it read before, see wink-tagger.ts, the tagger gives what a fresh wink instance gives.)
 */
export function taggerAgrees(text: string): boolean {
  if (!fastPath) return true;
  const fast = captionTokens(text);
  const slow = slowCaptionTokens(nlp().readDoc(text).tokens());
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
 * Concept words are lemmatised in batches of "the WORD ." contexts joined by a line holding only
 * BATCH_MARK, one `readDoc` per batch (see prepareNounLemmas): the mark, on its own line between
 * two line breaks, is a hard boundary for wink's tagger (tested).
 */
const BATCH_MARK = "\u2042"; // ⁂ ASTERISM
const BATCH_SEPARATOR = `\n${BATCH_MARK}\n`;

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

/**
 * Lemmatises one word as a noun: the word is tagged in the noun context "the WORD ." so that the
 * tagger and lemmatizer used for captions decide its lemma ("geese" -> "goose", "leaves" -> "leaf").
 * Returns the letter runs of the lemma (a word may hold several: "o'" -> ["o"]).
 */
const nounLemmaMemo = new Map<string, string[]>();

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

