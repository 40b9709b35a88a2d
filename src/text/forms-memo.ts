/**
 * The forms memo: what the analyzer keeps of each token of a caption (TokenForms), memoised per
 * token, read through the tagger (wink-tagger.ts) or wink's own readDoc, and handed to the index
 * build as interned term ids. Module-level state: the memo, the tagger (made on first use, renewed
 * as its lexicon grows) and the build's scratch arrays.
 */
import { createRequire } from "node:module";
import { growInt32 } from "./grow-int32.js";
import { phraseTokenKey, phraseTokensOfToken, type PhraseToken } from "./phrase-tokens.js";
import { NOUN_TERMS, PHRASE_TERMS, PHRASE_TOKENS } from "./term-interning.js";
import { its, nlp, type Rdd, type WinkTokens } from "./wink-doc.js";
import { packageModel, taggerModel, type TaggerModel } from "./wink-model.js";
import { createWinkTagger, MAX_PIECE_BYTES, type WinkCache, type WinkTagger } from "./wink-tagger.js";
import { isNounTag, letterRuns, phraseRuns, PHRASE_STOPWORDS } from "./word-rule.js";

const require = createRequire(import.meta.url);

/**
 * What the analyzer keeps of one token (a function of its tag, lemma and normal form only):
 * whether it is a noun, the letter runs of its lemma and of its surface form, and its
 * phrase-candidate terms.
 */
export interface TokenForms {
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
const TOKEN_SLOTS = 4;
const POS_MASK = 0x3f00000;
const POS_SHIFT = 20;
const MEMO_LIMIT = 1 << 20;
/** The remembered forms by id: kept only while `keepForms` (captionTokens reads them; the index build needs only the flat ids below). */
const formsById: TokenForms[] = [];
/** Forms remembered (ids are below this). */
let formsCount = 0;
/**
 * Whether the memo keeps each forms object (TokenForms: a dozen small arrays and strings) beside
 * its flat ids. An index build reads only the ids, and a million forms objects held for the whole
 * build cost the garbage collector's marking more than anything else the worker keeps, so a build
 * worker turns this off (analyzeForIndexOnly); captionTokens turns it back on.
 */
let keepForms = true;
const idByKey = new Map<number, number>();
const idByContraction = new Map<string, number>();
const taggerIdByKey = new Map<number, number>();
const taggerIdByContraction = new Map<string, number>();

/** Flat copies of every remembered forms' nounIds and termIds (the index build reads these). */
let formsIdStart: Int32Array = new Int32Array(1 << 12);
let formsIdPool: Int32Array = new Int32Array(1 << 14);
let formsIdPoolUsed = 0;

function remember(forms: TokenForms): number {
  const id = formsCount++;
  if (keepForms) formsById.push(forms);
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
  formsCount = 0;
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
export function captionTokens(text: string): TokenForms[] {
  if (!keepForms) {
    keepForms = true;
    forgetAllForms(); // the forms remembered without their objects are made again, with them
  }
  const n = captionFormIds(text);
  const out = new Array<TokenForms>(n);
  for (let i = 0; i < n; i++) out[i] = formsById[formIds[i]!]!;
  return out;
}

/**
 * Makes the memo keep only what the index build reads (the forms' flat ids), not the forms
 * objects (see keepForms): for a process that analyses captions only to index them. A later
 * captionTokens() starts the memo again with the objects.
 */
export function analyzeForIndexOnly(): void {
  if (!keepForms) return;
  keepForms = false;
  forgetAllForms();
}

/** Forms ids of the tokens of the caption being analysed: formIds[0..n). */
let formIds = new Int32Array(256);

/**
 * Fills formIds with the forms id of every token of text.slice(from, to) and returns their
 * number: through the tagger, or wink's own readDoc when there is none.
 */
function captionFormIds(text: string, from = 0, to = text.length): number {
  if (formsCount > MEMO_LIMIT) forgetAllForms();
  const t = theTagger();
  if (t) return taggedFormIds(t, t.tag(text, from, to));
  return readDocFormIdsInto(from === 0 && to === text.length ? text : text.slice(from, to));
}

/** captionFormIds of the UTF-8 text bytes[from, to). */
function captionBytesFormIds(bytes: Uint8Array, from: number, to: number): number {
  if (formsCount > MEMO_LIMIT) forgetAllForms();
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
 * phrase[phraseStart..nPhrase) (the arrays grow as needed). phraseStart is 0 unless the caller sets
 * it: the index build sets it to the last caption's nPhrase, so that a batch's sequences are
 * written one after another, where they are sent from.
 */
export interface CaptionTermIds {
  nouns: Int32Array;
  nNouns: number;
  terms: Int32Array;
  nTerms: number;
  phrase: Int32Array;
  phraseStart: number;
  nPhrase: number;
}

export function newCaptionTermIds(): CaptionTermIds {
  return { nouns: new Int32Array(64), nNouns: 0, terms: new Int32Array(256), nTerms: 0, phrase: new Int32Array(256), phraseStart: 0, nPhrase: 0 };
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
  let nPhrase = out.phraseStart;
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
