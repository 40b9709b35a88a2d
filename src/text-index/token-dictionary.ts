/**
 * The build's phrase-token dictionary kept as bytes, not strings: the texts a worker sends of its
 * new PHRASE_TOKENS ids (TokenTexts: UTF-8, transferable), and the dictionary the reading thread
 * builds from them (TokenDictionary), keyed by those bytes. At 20M captions the dictionary holds
 * about a million tokens; as strings in a Map they were 70 of the reading thread's 100 MB heap, which
 * V8 marks in each of the build's few hundred full collections; typed arrays are not traced.
 */
import { FNV_OFFSET, FNV_PRIME, PIECE_STRIDE, PIECE_TOKENS, PieceTable } from "../text/byte-hash-table.js";
import { growInt32 } from "../text/grow-int32.js";

/** Token texts as UTF-8: token k is bytes[ends[k - 1] (0 for k = 0), ends[k]). */
export interface TokenTexts {
  bytes: Uint8Array;
  ends: Uint32Array;
}

const encoder = new TextEncoder();

/** texts[from..] as TokenTexts (their buffers are their own, to be transferred). */
export function encodeTokenTexts(texts: readonly string[], from: number): TokenTexts {
  const n = Math.max(0, texts.length - from);
  let room = 0;
  for (let k = from; k < texts.length; k++) room += 3 * texts[k]!.length;
  const bytes = new Uint8Array(room);
  const ends = new Uint32Array(n);
  let used = 0;
  for (let k = 0; k < n; k++) {
    used += encoder.encodeInto(texts[from + k]!, bytes.subarray(used)).written;
    ends[k] = used;
  }
  return { bytes: bytes.subarray(0, used), ends };
}

function grownBytes(a: Uint8Array, used: number, need: number): Uint8Array {
  if (need <= a.length) return a;
  const b = new Uint8Array(Math.max(2 * a.length, need));
  b.set(a.subarray(0, used));
  return b;
}

/** One worker's token texts of one meaning of its ids (TokenTexts appended as they arrive): id w is token w. */
export class WorkerTokenTexts {
  private bytes: Uint8Array = new Uint8Array(1 << 16);
  private used = 0;
  /** Where each token's bytes end. */
  private ends: Int32Array = new Int32Array(1024);
  count = 0;

  append(t: TokenTexts): void {
    this.bytes = grownBytes(this.bytes, this.used, this.used + t.bytes.length);
    this.bytes.set(t.bytes, this.used);
    if (this.count + t.ends.length > this.ends.length) this.ends = growInt32(this.ends, this.count + t.ends.length);
    for (let k = 0; k < t.ends.length; k++) this.ends[this.count++] = this.used + t.ends[k]!;
    this.used += t.bytes.length;
  }

  /** The dictionary id of token w (adding it to the dictionary when it is new there). */
  idIn(dictionary: TokenDictionary, w: number): number {
    if (w >= this.count) throw new Error(`worker token ${w} was used before its text arrived (${this.count} known)`);
    return dictionary.id(this.bytes, w === 0 ? 0 : this.ends[w - 1]!, this.ends[w]!);
  }
}

/**
 * Phrase tokens by their UTF-8 bytes, with ids from 1 in order of first use; the empty token (a
 * phrase break) is 0. Its text is phrase-tokens.txt: each token and a line feed, in id order.
 */
export class TokenDictionary {
  private readonly table = new PieceTable();
  private text: Uint8Array = new Uint8Array(1 << 16);
  private textUsed = 0;
  /** Tokens in the dictionary (the break not counted). */
  size = 0;

  /** The id of the token bytes[at, end), which takes the next id when it is new. */
  id(bytes: Uint8Array, at: number, end: number): number {
    if (end === at) return 0;
    let h = FNV_OFFSET;
    for (let i = at; i < end; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
    const s = this.table.find(bytes, at, end - at, h);
    if (s >= 0) return this.table.table[s * PIECE_STRIDE + PIECE_TOKENS]!;
    const id = ++this.size;
    this.table.add(bytes, at, end - at, h, [id]);
    this.text = grownBytes(this.text, this.textUsed, this.textUsed + end - at + 1);
    this.text.set(bytes.subarray(at, end), this.textUsed);
    this.textUsed += end - at;
    this.text[this.textUsed++] = 0x0a;
    return id;
  }

  /** phrase-tokens.txt's bytes. */
  fileBytes(): Uint8Array {
    return this.text.subarray(0, this.textUsed);
  }
}
