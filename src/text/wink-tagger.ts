/**
 * wink-nlp's POS-only `readDoc`, reproduced for throughput.
 *
 * The index build tags every caption of a corpus; wink-nlp spends most of that time re-doing work
 * that does not depend on the caption: hashing each word into its lexicon (a probe into a
 * 90k-key dictionary-mode object per word), re-tokenizing the same words, and running its POS
 * rule automata through object-keyed transitions. This module runs the SAME model the same way,
 * with the caption-independent work done once:
 *
 *  - tokenization: wink splits a text on whitespace runs and tokenizes each piece on its own
 *    (precedingSpaces aside, which tagging never reads). Each distinct piece is tokenized once by
 *    wink's own tokenizer, against the same lexicon cache, and remembered;
 *  - a token's tagging inputs (default tag, posHint, normal form) are a function of its lexeme and
 *    are read from wink's cache once per distinct token;
 *  - the POS rule automata from the model are compiled to dense transition tables and run by a
 *    transcription of wink's greedy `recognize()`, followed by wink's updater and setter rules.
 *
 * The result is wink's token array (lexeme, contraction pointer, POS + lemma) for the text, so
 * every downstream reader (`its.pos`, `its.lemma`, `its.normal`) sees exactly what `readDoc`
 * would give. The test suite compares both on tricky texts; `npm run bench` compares them on the
 * real CC-3M captions. If the model's automata ever use a feature this transcription does not
 * cover, `createWinkTagger` returns undefined and callers use `readDoc`.
 */
import { createRequire } from "node:module";
import type { TaggerModel } from "./wink-model.js";
import { guardCompiledTRex, linearFeatures } from "./wink-linear.js";

const require = createRequire(import.meta.url);

/** The parts of wink-nlp's lexicon cache this module reads. */
export interface WinkCache {
  lookup(text: string): number[] | null;
  value(index: number): string;
  property(index: number, prop: string): unknown;
  normal(index: number): number;
  nox(binaryWord: number): number;
  posOf(index: number): number;
  mappedSpelling(index: number): number;
  isMemberPOS(lexemeIdx: number, posIdx: string | number): boolean;
  currentSize(): number;
  intrinsicSize(): number;
}


/** wink's token layout: 4 numbers per token. */
const TK = 4;
const BITS4LEMMA = 20;
const POS_MASK = 0x3f00000;
/** wink's automaton symbols (automaton.js) and the posHint offset (the model's pos-transformers.js). */
const EOS_TOKEN = 2070000;
const OTHERWISE = 2070003;
const HINT_DELTA = 1080000;
/** What the default tag falls back to (tokens-mappers.js). */
const DEFAULT_POS = 8;
const MAX_TAG = 64;
/** A token the automata pass over (a line break not marked as a name). */
const SKIP = -3;

interface Machine {
  nSym: number;
  /** Next state for (state, symbol): trans[state * nSym + sym]; 0 (root) when absent. */
  trans: Int32Array;
  /** The "otherwise" state of a state (0 when none). */
  otherwise: Int32Array;
  /** Terminal states: index into names, -1 when not terminal. */
  terminal: Int32Array;
  /** Marked states: how far a match's start moves right (the end is not used by the updater). */
  markStart: Int32Array;
  /** Pattern names: target tags (negative: force; positive: only when the word can take the tag). */
  names: number[];
  nameIsZero: boolean[];
  /** Symbol of a tag value (-1: no transition). */
  tagSym: Int32Array;
  eosSym: number;
  symOf: Map<string, number>;
}

function compileMachine(json: string): Machine | undefined {
  const m = JSON.parse(json) as [number, number, Record<string, Record<string, number>>, Record<string, string>, Record<string, [number, number]>, Record<string, unknown>];
  const [, lastUsedState, fsm, terminalStates, markedStates, custom] = m;
  if (Object.keys(custom).length > 0) return undefined; // custom properties feed a callback wink's POS pipe never sets
  const symOf = new Map<string, number>();
  for (const state of Object.keys(fsm)) {
    for (const key of Object.keys(fsm[state]!)) if (key !== String(OTHERWISE) && !symOf.has(key)) symOf.set(key, symOf.size);
  }
  let maxState = lastUsedState;
  for (const s of [...Object.keys(fsm), ...Object.keys(terminalStates), ...Object.keys(markedStates)]) {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || String(n) !== s) return undefined;
    maxState = Math.max(maxState, n);
  }
  const nStates = maxState + 1;
  const nSym = Math.max(1, symOf.size);
  const trans = new Int32Array(nStates * nSym);
  const otherwise = new Int32Array(nStates);
  for (const s of Object.keys(fsm)) {
    const state = Number(s);
    for (const [key, next] of Object.entries(fsm[s]!)) {
      if (!Number.isInteger(next) || next < 0 || next >= nStates) return undefined;
      if (key === String(OTHERWISE)) otherwise[state] = next;
      else trans[state * nSym + symOf.get(key)!] = next;
    }
  }
  const names: number[] = [];
  const nameIsZero: boolean[] = [];
  const nameIndex = new Map<string, number>();
  const terminal = new Int32Array(nStates).fill(-1);
  for (const [s, name] of Object.entries(terminalStates)) {
    // A name is a target tag written as an integer; "" would not count as terminal in wink.
    const value = Number(name);
    if (name === "" || !Number.isInteger(value) || String(value) !== name || Math.abs(value) >= MAX_TAG) return undefined;
    let k = nameIndex.get(name);
    if (k === undefined) {
      k = names.length;
      nameIndex.set(name, k);
      names.push(value);
      nameIsZero.push(name === "0");
    }
    terminal[Number(s)] = k;
  }
  const markStart = new Int32Array(nStates);
  for (const [s, mark] of Object.entries(markedStates)) {
    if (!Array.isArray(mark) || !Number.isInteger(mark[0])) return undefined;
    markStart[Number(s)] = mark[0];
  }
  const tagSym = new Int32Array(MAX_TAG).fill(-1);
  for (let t = 0; t < MAX_TAG; t++) tagSym[t] = symOf.get(String(t)) ?? -1;
  return { nSym, trans, otherwise, terminal, markStart, names, nameIsZero, tagSym, eosSym: symOf.get(String(EOS_TOKEN)) ?? -1, symOf };
}

/**
 * Tags texts: `tag()` returns the number of tokens n, and token k's record and third slot in
 * wink's layout are then records[k] and slots[k] (k < n); writeToken() gives all of its slots.
 */
export interface WinkTagger {
  /** The tagger's own lexicon cache (the lexemes of tokens refer to it). */
  readonly cache: WinkCache;
  /** The model's add-ons (its lemmatizer), as wink passes them to `its.lemma`. */
  readonly addons: unknown;
  /** Tags text.slice(from, to) (default: all of it). A lone surrogate is read as U+FFFD. */
  tag(text: string, from?: number, to?: number): number;
  /** tag() of UTF-8 text: bytes[from, to) (default: all of them), which must be valid UTF-8. */
  tagBytes(bytes: Uint8Array, from?: number, to?: number): number;
  /** records[k]: token k's record, a dense id per distinct token (lexeme, pointer, preset tag). */
  records: Int32Array;
  /** slots[k]: token k's third slot in wink's layout, its POS (and a contraction's lemma). */
  slots: Int32Array;
  /** Writes token k of the last text tagged in wink's layout (lexeme, contraction pointer, POS/lemma, 0) into into[at..at+4). */
  writeToken(k: number, into: Int32Array, at: number): void;
  /** Distinct tokens seen so far (record ids are below this). */
  readonly recordCount: number;
}

interface Internals {
  tokenizer: (trex: unknown, categories: unknown, preserve: unknown) => (doc: unknown, text: string) => void;
  compileTRex: (trex: unknown) => unknown;
  docDataWrapper: (rdd: unknown) => unknown;
  cache: (core: unknown, featureFn: unknown) => WinkCache;
}

function loadInternals(): Internals | undefined {
  try {
    return {
      tokenizer: require("wink-nlp/src/tokenizer.js"),
      compileTRex: require("wink-nlp/src/compile-trex.js"),
      docDataWrapper: require("wink-nlp/src/dd-wrapper.js"),
      cache: require("wink-nlp/src/cache.js"),
    };
  } catch {
    return undefined;
  }
}

const PIECE_LIMIT = 1 << 21;

/**
 * A piece (a run of characters between spaces) longer than this many UTF-8 bytes is not a word: a
 * base64 blob, a minified URL, a run of letters. wink's tokenizer regexes cost such a piece up to
 * its length squared (its e-mail, URL and short-form detectors try every start position), so it
 * is not tokenized: it becomes one token, wink's token for LONG_PIECE (U+FFFC OBJECT REPLACEMENT
 * CHARACTER: an "unk" token tagged X, without letters), which adds no noun and no phrase term and
 * breaks a phrase. Analysis then costs time linear in a caption's length. (CC-3M's longest piece
 * is 16 characters; long URLs, up to 256 bytes, are still read as URLs.)
 */
export const MAX_PIECE_BYTES = 256;
const LONG_PIECE = "\uFFFC";

/**
 * wink's splitter classes: runs of spaces separate, runs of line breaks are tokens, the rest are
 * pieces. The tagger reads UTF-8: the ASCII spaces and line breaks are one byte each; the other
 * spaces wink splits on (U+00A0, U+2002-2005, U+2009, U+200A, U+202F, U+205F) start with byte
 * 0xC2 or 0xE2, which BYTE_CLASS marks WIDE for a closer look (wideClass).
 */
const OTHER = 0;
const SPACE = 1;
const LINE = 2;
const WIDE = 3;
const BYTE_CLASS = (() => {
  const t = new Uint8Array(256);
  t[0x20] = SPACE;
  for (const c of [0x0a, 0x0d, 0x09]) t[c] = LINE;
  t[0xc2] = WIDE;
  t[0xe2] = WIDE;
  return t;
})();
/** The class of the character starting at bytes[i] (lead byte 0xC2 or 0xE2): SPACE or OTHER. */
function wideClass(bytes: Uint8Array, i: number, to: number): number {
  if (bytes[i] === 0xc2) return i + 1 < to && bytes[i + 1] === 0xa0 ? SPACE : OTHER;
  if (i + 2 >= to) return OTHER;
  const b1 = bytes[i + 1]!;
  const b2 = bytes[i + 2]!;
  if (b1 === 0x80) return (b2 >= 0x82 && b2 <= 0x85) || b2 === 0x89 || b2 === 0x8a || b2 === 0xaf ? SPACE : OTHER;
  return b1 === 0x81 && b2 === 0x9f ? SPACE : OTHER;
}
/** The UTF-8 length of the space character at bytes[i]. */
function spaceWidth(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  return b === 0x20 ? 1 : b === 0xc2 ? 2 : 3;
}
const utf8 = new TextDecoder();
const encoder = new TextEncoder();
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * Distinct pieces and their tokens (record ids), found by hashing the piece's UTF-8 bytes in the
 * caption, so a known piece costs no string. Open addressing with linear probing, the entries in
 * the table itself: a piece's fields and, up to INLINE_BYTES, its bytes lie together in 32 bytes,
 * so finding a known word reads one memory line of the table.
 */
class PieceTable {
  size = 0;
  /** Entry of slot s: table[s * PIECE_STRIDE + PIECE_*]; an empty slot has length 0. */
  table: Int32Array = new Int32Array(PIECE_STRIDE << 14);
  /** The bytes of pieces longer than INLINE_BYTES, one after another. */
  private chars: Uint8Array = new Uint8Array(1 << 12);
  private charsUsed = 0;
  /** The token counts and records of pieces of other than one token. */
  pool: Int32Array = new Int32Array(1 << 12);
  private poolUsed = 0;

  /** The slot holding bytes[at, at + length) (whose hash is `hash`), or -1. */
  find(bytes: Uint8Array, at: number, length: number, hash: number): number {
    const table = this.table;
    const mask = table.length / PIECE_STRIDE - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = s * PIECE_STRIDE;
      const len = table[e + PIECE_LENGTH]!;
      if (len === 0) return -1;
      if (len === length && table[e + PIECE_HASH] === hash) {
        let q = 0;
        if (length <= INLINE_BYTES) {
          while (q < length && ((table[e + PIECE_BYTES + (q >> 2)]! >>> ((q & 3) << 3)) & 0xff) === bytes[at + q]) q++;
        } else {
          const chars = this.chars;
          const from = table[e + PIECE_BYTES]!;
          while (q < length && chars[from + q] === bytes[at + q]) q++;
        }
        if (q === length) return s;
      }
    }
  }

  /** Adds bytes[at, at + length), hashing to `hash`, with its tokens' records; returns its slot. */
  add(bytes: Uint8Array, at: number, length: number, hash: number, records: number[]): number {
    if ((this.size + 1) * 4 > 3 * (this.table.length / PIECE_STRIDE)) this.rehash((2 * this.table.length) / PIECE_STRIDE);
    this.size++;
    const table = this.table;
    const mask = table.length / PIECE_STRIDE - 1;
    let s = hash & mask;
    while (table[s * PIECE_STRIDE + PIECE_LENGTH] !== 0) s = (s + 1) & mask;
    const e = s * PIECE_STRIDE;
    table[e + PIECE_HASH] = hash;
    table[e + PIECE_LENGTH] = length;
    if (length <= INLINE_BYTES) {
      for (let q = 0; q < length; q++) table[e + PIECE_BYTES + (q >> 2)]! |= bytes[at + q]! << ((q & 3) << 3);
    } else {
      if (this.charsUsed + length > this.chars.length) {
        const c = new Uint8Array(Math.max(this.chars.length * 2, this.charsUsed + length));
        c.set(this.chars);
        this.chars = c;
      }
      table[e + PIECE_BYTES] = this.charsUsed;
      this.chars.set(bytes.subarray(at, at + length), this.charsUsed);
      this.charsUsed += length;
    }
    if (records.length === 1) {
      table[e + PIECE_TOKENS] = records[0]!;
    } else {
      if (this.poolUsed + records.length + 1 > this.pool.length) this.pool = growInt32(this.pool, this.poolUsed + records.length + 1);
      table[e + PIECE_TOKENS] = ~this.poolUsed;
      this.pool[this.poolUsed++] = records.length;
      for (const r of records) this.pool[this.poolUsed++] = r;
    }
    return s;
  }

  clear(): void {
    this.size = 0;
    this.table = new Int32Array(PIECE_STRIDE << 14);
    this.charsUsed = 0;
    this.poolUsed = 0;
  }

  /** Moves every entry to a table of `capacity` slots. */
  private rehash(capacity: number): void {
    const old = this.table;
    const table = new Int32Array(capacity * PIECE_STRIDE);
    const mask = capacity - 1;
    for (let e = 0; e < old.length; e += PIECE_STRIDE) {
      if (old[e + PIECE_LENGTH] === 0) continue;
      let s = old[e + PIECE_HASH]! & mask;
      while (table[s * PIECE_STRIDE + PIECE_LENGTH] !== 0) s = (s + 1) & mask;
      table.set(old.subarray(e, e + PIECE_STRIDE), s * PIECE_STRIDE);
    }
    this.table = table;
  }
}
/** A record's fields: wink's three token slots, its default tag, its normal form and the tags it can take, then its posHint symbol per machine (-2: none). */
const REC_LEX = 0;
const REC_SLOT1 = 1;
const REC_SLOT2 = 2;
const REC_POS0 = 3;
const REC_NORMAL = 4;
/** Bit t set when the normal form can take tag t < 32 (cache.isMemberPOS, per POS cluster). */
const REC_MEMBER = 5;
const REC_HINT = 6;
/**
 * A piece's entry (32 bytes): hash, length, its token: the record id of a one-token piece, or ~p
 * for another, whose token count is pool[p] and records follow it; then its bytes, four to an
 * int (little end first, zeros after the last), or where its bytes start in `chars` when it is
 * longer than INLINE_BYTES.
 */
const PIECE_STRIDE = 8;
const PIECE_HASH = 0;
const PIECE_LENGTH = 1;
const PIECE_TOKENS = 2;
const PIECE_BYTES = 3;
const INLINE_BYTES = 4 * (PIECE_STRIDE - PIECE_BYTES);

/** `a` copied into an array of at least `need` slots (its size doubled as often as needed). */
export function growInt32(a: Int32Array, need: number): Int32Array {
  let size = Math.max(1, a.length);
  while (size < need) size *= 2;
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/**
 * Builds a tagger for `model` with its own lexicon cache, made as wink-nlp makes its own, or
 * returns undefined when wink's internals are not as this module expects.
 */
export function createWinkTagger(model: TaggerModel): WinkTagger | undefined {
  const internals = loadInternals();
  if (!internals) return undefined;
  const core = model.core();
  // (wink-linear.ts: two of wink's regexes replaced by linear stand-ins that give the same answers)
  const cache = internals.cache(core, linearFeatures(model.featureFn));
  const machines: Machine[] = [];
  for (const json of model.pos().machines) {
    const m = compileMachine(json);
    if (!m) return undefined;
    machines.push(m);
  }
  const trex = internals.compileTRex(core.trex);
  guardCompiledTRex(trex);
  const tokenize = internals.tokenizer(trex, core.tcat.hash, core.preserve);
  const keyLF = cache.lookup(cache.value(0))![0]!;

  // Distinct tokens ("records"): raw token slots and tagging inputs, by (lexeme, pointer, preset),
  // record r's fields at rec[r * RS + REC_*] (together: one memory line per token).
  const RS = REC_HINT + machines.length;
  let nRec = 0;
  let rec: Int32Array = new Int32Array(RS << 14);
  const recordOf = new Map<string, number>();
  const pieces = new PieceTable();

  function record(lex: number, slot1: number, slot2: number): number {
    const key = `${lex},${slot1},${slot2}`;
    let r = recordOf.get(key);
    if (r !== undefined) return r;
    if ((nRec + 1) * RS > rec.length) rec = growInt32(rec, (nRec + 1) * RS);
    r = nRec++;
    const b = r * RS;
    rec[b + REC_LEX] = lex;
    rec[b + REC_SLOT1] = slot1;
    rec[b + REC_SLOT2] = slot2;
    // tokens-mappers.js: default POS, and the normal form the updater checks tags against
    rec[b + REC_POS0] = slot2 === 0 ? cache.posOf(cache.mappedSpelling(lex)) || DEFAULT_POS : (slot2 & POS_MASK) >>> BITS4LEMMA;
    const normal = slot1 > 65535 ? cache.nox(slot1) : cache.normal(lex);
    rec[b + REC_NORMAL] = normal;
    rec[b + REC_MEMBER] = memberMask(normal);
    // pos-transformers.js: a posHint replaces the tag as the automaton's input
    const mapped = cache.property(lex, "posHint") as number | string | null;
    for (let k = 0; k < machines.length; k++) {
      rec[b + REC_HINT + k] = mapped ? (machines[k]!.symOf.get(String((mapped as number) + HINT_DELTA)) ?? -1) : -2;
    }
    recordOf.set(key, r);
    return r;
  }

  // isMemberPOS(lexeme, tag) asks whether the lexeme's POS cluster holds the tag: a mask of the
  // tags below 32 per cluster, made from the first lexeme met in each
  const clusterMasks = new Map<unknown, number>();
  function memberMask(lexeme: number): number {
    const cluster = cache.property(lexeme, "lexemeCID");
    let mask = clusterMasks.get(cluster);
    if (mask === undefined) {
      mask = 0;
      for (let t = 0; t < 32; t++) if (cache.isMemberPOS(lexeme, t)) mask |= 1 << t;
      clusterMasks.set(cluster, mask);
    }
    return mask;
  }

  // The tokenizer asks the cache whether a piece (or a part of it) is a known word. Words wink
  // learnt from earlier texts (out-of-vocabulary words it added) are hidden from that question,
  // so a piece is tokenized as in a fresh wink instance: wink's own readDoc splits "dog's" into
  // "dog" + "'s" until some other text has taught it "dog's" as a word, after which it keeps it
  // whole. Hiding them makes every caption's tokens independent of the captions read before it
  // (and so of the worker that reads it).
  const intrinsic = cache.intrinsicSize();
  const freshCache = Object.create(cache as object) as WinkCache;
  freshCache.lookup = (text: string) => {
    const found = cache.lookup(text);
    return found !== null && found.length === 1 && found[0]! >= intrinsic ? null : found;
  };
  // One document wrapper for every piece (wink makes one per document): it keeps the token array
  // it was made with, which is emptied before each piece.
  const scratch = { cache: freshCache, tokens: [] as number[], nonBreakingSpaces: Object.create(null) as object };
  const scratchDoc = internals.docDataWrapper(scratch);
  function tokenizePiece(piece: string): number[] {
    scratch.tokens.length = 0;
    scratch.nonBreakingSpaces = Object.create(null) as object;
    tokenize(scratchDoc, piece);
    const raw = scratch.tokens;
    const out: number[] = [];
    for (let k = 0; k < raw.length; k += TK) {
      // drop precedingSpaces (low 16 bits): only the contraction pointer above them matters
      const slot1 = raw[k + 1]! > 65535 ? raw[k + 1]! & ~0xffff : 0;
      out.push(record(raw[k]!, slot1, raw[k + 2]!));
    }
    return out;
  }

  let longPiece = -1;
  /** The record of the token that stands for a piece longer than MAX_PIECE_BYTES (wink's token for LONG_PIECE). */
  function longPieceRecord(): number {
    if (longPiece < 0) {
      const records = tokenizePiece(LONG_PIECE);
      if (records.length !== 1) throw new Error(`wink tokenizes ${JSON.stringify(LONG_PIECE)} as ${records.length} tokens, not 1`);
      longPiece = records[0]!;
    }
    return longPiece;
  }

  let encoded = new Uint8Array(1024);
  let cap = 256;
  let recs = new Int32Array(cap);
  let tags = new Int32Array(cap);
  let slots = new Int32Array(cap);
  let isName = new Uint8Array(cap);
  /** A machine's input symbol per token (recognize), SKIP for a token it passes over. */
  let syms = new Int32Array(cap);
  let matchFirst = new Int32Array(cap);
  let matchName = new Int32Array(cap);

  function ensure(n: number): void {
    if (n <= cap) return;
    while (cap < n) cap *= 2;
    const kept = recs;
    recs = new Int32Array(cap);
    recs.set(kept);
    tags = new Int32Array(cap);
    slots = new Int32Array(cap);
    isName = new Uint8Array(cap);
    syms = new Int32Array(cap);
  }

  /** automaton.js pushMatch2Patterns(): keeps a match's (marked) first token and name; returns the new count. */
  function pushMatch(m: Machine, np: number, first: number, state: number): number {
    const name = m.terminal[state]!;
    if (m.nameIsZero[name]) return np;
    if (np === matchFirst.length) {
      const f = new Int32Array(np * 2);
      f.set(matchFirst);
      matchFirst = f;
      const g = new Int32Array(np * 2);
      g.set(matchName);
      matchName = g;
    }
    matchFirst[np] = first + m.markStart[state]!;
    matchName[np] = name;
    return np + 1;
  }

  /**
   * automaton.js recognize() for one machine; returns the number of matches (first token, name).
   * Each token's input symbol is worked out once, before the run: the greedy search goes back over
   * tokens after a failed partial match.
   */
  function recognize(m: Machine, rec: Int32Array, hintAt: number, n: number): number {
    const { trans, otherwise, terminal, tagSym, nSym } = m;
    for (let j = 0; j < n; j++) {
      const tag = tags[j]!;
      if (isName[j] === 0 && tag === keyLF) {
        syms[j] = SKIP;
      } else {
        const h = rec[recs[j]! * RS + hintAt]!;
        syms[j] = h !== -2 ? h : tagSym[tag]!;
      }
    }
    syms[n] = m.eosSym;
    let np = 0;
    let first = 0;
    let state = 0;
    let ns = 0;
    let lastOtherwiseIndex = 0;
    let lastOtherwiseState = 0;
    for (let i = 0; i <= n; i++) {
      for (let j = i; j <= n; j++) {
        const sym = syms[j]!;
        if (sym === SKIP) continue;
        ns = sym < 0 ? 0 : trans[state * nSym + sym]!;
        if (state === 0 && ns !== 0) first = j;
        if (terminal[ns]! >= 0) {
          np = pushMatch(m, np, first, ns);
          i = j;
          j = n + 100;
          ns = 0;
          lastOtherwiseState = 0;
        } else if (ns === 0) {
          if (lastOtherwiseState !== 0) {
            np = pushMatch(m, np, first, lastOtherwiseState);
            i = lastOtherwiseIndex;
            j = n + 100;
            ns = 0;
            lastOtherwiseState = 0;
          } else {
            j = n + 100;
          }
        }
        state = ns;
        if (otherwise[state] !== 0) {
          lastOtherwiseIndex = j;
          lastOtherwiseState = otherwise[state]!;
        }
      }
    }
    return np;
  }

  const tagger: WinkTagger = {
    cache,
    addons: model.addons,
    records: recs,
    slots,
    get recordCount() {
      return nRec;
    },
    tag(text: string, from = 0, to = text.length): number {
      // (TextEncoder writes a lone surrogate as U+FFFD, as the caption store does)
      if (3 * (to - from) > encoded.length) encoded = new Uint8Array(Math.max(3 * (to - from), 2 * encoded.length));
      const { written } = encoder.encodeInto(from === 0 && to === text.length ? text : text.slice(from, to), encoded);
      return tagger.tagBytes(encoded, 0, written);
    },
    tagBytes(bytes: Uint8Array, from = 0, to = bytes.length): number {
      if (pieces.size > PIECE_LIMIT) pieces.clear();
      // tokenizer.js: split on whitespace runs; space runs only separate, line-break runs are tokens
      let n = 0;
      let i = from;
      while (i < to) {
        let cls = BYTE_CLASS[bytes[i]!]!;
        if (cls === WIDE) cls = wideClass(bytes, i, to);
        if (cls === SPACE) {
          i += spaceWidth(bytes, i);
          continue;
        }
        const start = i;
        let h = FNV_OFFSET;
        for (; i < to; i++) {
          const d = bytes[i]!;
          const c = BYTE_CLASS[d]!;
          if (c !== cls && (c !== WIDE || wideClass(bytes, i, to) !== cls)) break;
          h = Math.imul(h ^ d, FNV_PRIME);
        }
        let tokens: number;
        if (cls === OTHER && i - start > MAX_PIECE_BYTES) {
          tokens = longPieceRecord(); // not a word: one token, read without wink's regexes
        } else {
          let piece = pieces.find(bytes, start, i - start, h);
          if (piece < 0) piece = pieces.add(bytes, start, i - start, h, tokenizePiece(utf8.decode(bytes.subarray(start, i))));
          tokens = pieces.table[piece * PIECE_STRIDE + PIECE_TOKENS]!;
        }
        if (tokens >= 0) {
          ensure(n + 1);
          recs[n++] = tokens;
        } else {
          const pool = pieces.pool;
          const first = ~tokens;
          const count = pool[first]!;
          ensure(n + count);
          for (let q = 1; q <= count; q++) recs[n++] = pool[first + q]!;
        }
      }
      ensure(n + 1);
      for (let k = 0; k < n; k++) {
        tags[k] = rec[recs[k]! * RS + REC_POS0]!;
        isName[k] = 0;
      }
      for (let mi = 0; mi < machines.length; mi++) {
        const m = machines[mi]!;
        const np = recognize(m, rec, REC_HINT + mi, n);
        // pos-updater.js
        for (let q = 0; q < np; q++) {
          const target = m.names[matchName[q]!]!;
          const at = matchFirst[q]!;
          if (at < 0 || at >= n) continue;
          if (target < 0) {
            tags[at] = -target;
            isName[at] = 0;
          } else if (target < 32 ? (rec[recs[at]! * RS + REC_MEMBER]! >>> target) & 1 : cache.isMemberPOS(rec[recs[at]! * RS + REC_NORMAL]!, target)) {
            tags[at] = target;
            isName[at] = 1;
          }
        }
      }
      // pos-setter.js: a token without a preset (contraction) tag takes its tag
      for (let k = 0; k < n; k++) {
        const preset = rec[recs[k]! * RS + REC_SLOT2]!;
        slots[k] = preset === 0 ? tags[k]! << BITS4LEMMA : preset;
      }
      tagger.records = recs;
      tagger.slots = slots;
      return n;
    },
    writeToken(k: number, into: Int32Array, at: number): void {
      const b = recs[k]! * RS;
      into[at] = rec[b + REC_LEX]!;
      into[at + 1] = rec[b + REC_SLOT1]!;
      into[at + 2] = slots[k]!;
      into[at + 3] = 0;
    },
  };
  return tagger;
}
