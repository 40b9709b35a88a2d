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
 *    transcription of wink's greedy `recognize()` (automaton.ts), followed by wink's updater and setter rules.
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
import { compileMachine, newMatchBuffer, recognize, SKIP, type Machine } from "./automaton.js";
import { FNV_OFFSET, FNV_PRIME, PIECE_STRIDE, PIECE_TOKENS, PieceTable } from "./byte-hash-table.js";
import { growInt32 } from "./grow-int32.js";

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
/** The posHint offset (the model's pos-transformers.js). */
const HINT_DELTA = 1080000;
/** What the default tag falls back to (tokens-mappers.js). */
const DEFAULT_POS = 8;

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
  const matches = newMatchBuffer();

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

  /** The automaton's input symbol of each of the n tokens (tags[], isName[]) for machine m, into syms[0..n). */
  function inputSymbols(m: Machine, hintAt: number, n: number): void {
    const tagSym = m.tagSym;
    for (let j = 0; j < n; j++) {
      const tag = tags[j]!;
      if (isName[j] === 0 && tag === keyLF) {
        syms[j] = SKIP;
      } else {
        const h = rec[recs[j]! * RS + hintAt]!;
        syms[j] = h !== -2 ? h : tagSym[tag]!;
      }
    }
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
        inputSymbols(m, REC_HINT + mi, n);
        const np = recognize(m, syms, n, matches);
        const matchFirst = matches.first;
        const matchName = matches.name;
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
