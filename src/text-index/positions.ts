/**
 * Each caption's phrase-token sequence (analyzer.ts phraseTokens), kept so that `--match phrase`
 * verifies a candidate from the index instead of re-analysing its caption:
 *   phrase-tokens.txt  the phrase-token dictionary: one token a line (analyzer.ts phraseTokenKey:
 *                      "surface" or "surface\tlemma"); the token on line k (from 0) has id k + 1,
 *                      id 0 is the phrase break (punctuation)
 *   positions.bin      blocks of 128 docs (the last one the rest), in doc order; a block is a byte W
 *                      (2 or 4: 2 when its records take less than 64 KiB), then for each of its docs
 *                      the byte offset where that doc's record ends, counted from the first record, as
 *                      a W-byte little-endian integer, then the records one after another; a record is
 *                      its doc's token ids as varints (LEB128, 7 bits a byte, low bits first); a
 *                      malformed row's record is empty
 *   positions.offsets  u64 little-endian: the byte offset of block k for k = 0, 1, ...,
 *                      ceil(docCount / 128) - 1, then positions.bin's size
 * A reader finds doc d from its block's offset and the two record ends before and at d at the
 * block's head: two loads, not a chain of loads through the records before d.
 */
import { readFileSync, statSync } from "node:fs";
import { closeFiles, finishThenClose, openFilesForWriting, writeAllSync } from "../io/file-system.js";
import { DamagedFileError } from "../postings/posting-file.js";
import { phraseTokenOfKey, type PhraseToken } from "../text/phrase-tokens.js";

export const POSITIONS_BLOCK = 128;
/** Candidates whose records docsWithSequence locates together before reading them. */
const GROUP = 16;

/** The dictionary's text: one key a line (no key holds a line break: keys are letters, digits and one tab). */
export function dictionaryText(keys: readonly string[]): string {
  return keys.length === 0 ? "" : keys.join("\n") + "\n";
}

const NO_IDS = new Int32Array(0);

/** Writes positions.bin and positions.offsets, one doc after another. */
export class PositionsWriter {
  private readonly binFd: number;
  private readonly offsetsFd: number;
  private buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  /** Bytes of positions.bin written (flushed or buffered). */
  private size = 0;
  private offsets: number[] = [];
  docs = 0;

  constructor(
    private readonly binPath: string,
    private readonly offsetsPath: string,
  ) {
    [this.binFd, this.offsetsFd] = openFilesForWriting([binPath, offsetsPath]) as [number, number];
  }

  /** The open block's records (their bytes) and each record's byte length. */
  private blockBytes = Buffer.allocUnsafe(1 << 16);
  private blockUsed = 0;
  private readonly blockLengths = new Uint32Array(POSITIONS_BLOCK);
  private blockDocs = 0;

  /** Appends the next doc's sequence: ids[from, to). */
  add(ids: ArrayLike<number>, from = 0, to = ids.length): void {
    const seq = this.openRecord(to - from);
    let n = this.blockUsed;
    for (let i = from; i < to; i++) {
      let v = ids[i]!;
      while (v >= 0x80) {
        seq[n++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      seq[n++] = v;
    }
    this.closeRecord(n);
  }

  /** Starts the next doc's record, of `count` ids, in the open block; returns the block's bytes (the record starts at blockUsed). */
  private openRecord(count: number): Buffer {
    this.docs++;
    if (this.blockBytes.length < this.blockUsed + 5 * count) {
      const grown = Buffer.allocUnsafe(2 * (this.blockUsed + 5 * count));
      this.blockBytes.copy(grown, 0, 0, this.blockUsed);
      this.blockBytes = grown;
    }
    return this.blockBytes;
  }

  /** Ends the record openRecord started, at byte `end` of the open block (a full block is written). */
  private closeRecord(end: number): void {
    this.blockLengths[this.blockDocs++] = end - this.blockUsed;
    this.blockUsed = end;
    if (this.blockDocs === POSITIONS_BLOCK) this.endBlock();
  }

  /**
   * add() of a batch, its ids mapped on the way: doc docs[j] (ascending, from this.docs on; the docs
   * between are empty) has the sequence of[ids[k]] for k in [ends[j - 1] (0 for j = 0), ends[j]). An
   * id whose entry in `of` is negative is mapped by `meet(id)`, which sets its entry. One pass over
   * the ids, mapping and encoding (the build's reading thread spends its time here).
   */
  addMapped(docs: Uint32Array, ids: Int32Array, ends: Uint32Array, of: Int32Array, meet: (id: number) => number): void {
    for (let j = 0, at = 0; j < docs.length; at = ends[j++]!) {
      this.fillTo(docs[j]!);
      const to = ends[j]!;
      const seq = this.openRecord(to - at);
      let n = this.blockUsed;
      for (let i = at; i < to; i++) {
        const w = ids[i]!;
        let v = of[w]!;
        if (v < 0) v = meet(w);
        while (v >= 0x80) {
          seq[n++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        seq[n++] = v;
      }
      this.closeRecord(n);
    }
  }

  /** Writes the open block (its lengths, then its records) to the buffer. */
  private endBlock(): void {
    if (this.blockDocs === 0) return;
    this.offsets.push(this.size);
    const width = this.blockUsed < 0x10000 ? 2 : 4;
    const need = 1 + width * this.blockDocs + this.blockUsed;
    if (this.used + need > this.buf.length) this.flush();
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(2 * need);
    const buf = this.buf;
    const start = this.used;
    buf[this.used++] = width;
    let recordEnd = 0;
    for (let k = 0; k < this.blockDocs; k++) {
      recordEnd += this.blockLengths[k]!;
      if (width === 2) buf.writeUInt16LE(recordEnd, this.used);
      else buf.writeUInt32LE(recordEnd, this.used);
      this.used += width;
    }
    this.blockBytes.copy(buf, this.used, 0, this.blockUsed);
    this.used += this.blockUsed;
    this.size += this.used - start;
    this.blockUsed = 0;
    this.blockDocs = 0;
  }

  /** Appends empty sequences until `docs` docs are written. */
  fillTo(docs: number): void {
    while (this.docs < docs) this.add(NO_IDS);
  }

  private flush(): void {
    writeAllSync(this.binFd, this.binPath, this.buf.subarray(0, this.used));
    this.used = 0;
  }

  private get files(): { fd: number; path: string }[] {
    return [
      { fd: this.binFd, path: this.binPath },
      { fd: this.offsetsFd, path: this.offsetsPath },
    ];
  }

  close(): void {
    finishThenClose(this.files, () => {
      this.endBlock();
      this.flush();
      const o = new BigUint64Array(this.offsets.length + 1);
      this.offsets.forEach((x, k) => (o[k] = BigInt(x)));
      o[this.offsets.length] = BigInt(this.size);
      writeAllSync(this.offsetsFd, this.offsetsPath, new Uint8Array(o.buffer));
    });
  }

  abort(): void {
    closeFiles(this.files, false);
  }
}

/**
 * The positions, read by doc id. On open the offsets are checked (count, ascending, within
 * positions.bin); positions.bin and the dictionary are read into memory on first use (a paper-rule
 * count never reads them), the dictionary checked against the expected token count; a block's
 * record ends are checked on its first read, and each record read checks its bounds and ids.
 */
export class Positions {
  private binBytes: Buffer | undefined;
  private readonly binSize: number;
  private readonly blockStarts: Float64Array;
  private keyList: string[] | undefined;
  private byForm: Map<string, number | number[]> | undefined;

  constructor(
    binPath: string,
    offsetsPath: string,
    dictionaryPath: string,
    readonly docCount: number,
    private readonly where: (path: string) => string,
    /** The dictionary's expected line count (the manifest's vocabulary.phraseTokens), checked when it is read. */
    private readonly expectedTokens?: number,
  ) {
    this.binPath = binPath;
    this.dictionaryPath = dictionaryPath;
    this.binSize = statSync(binPath).size;
    const raw = readFileSync(offsetsPath);
    const blocks = Math.ceil(docCount / POSITIONS_BLOCK);
    if (raw.length !== (blocks + 1) * 8) throw this.damaged(offsetsPath, `it is ${raw.length} bytes, not ${(blocks + 1) * 8} (${blocks + 1} offsets for ${docCount} docs)`);
    this.blockStarts = new Float64Array(blocks + 1);
    let prev = 0;
    for (let k = 0; k <= blocks; k++) {
      const o = Number(raw.readBigUInt64LE(8 * k));
      if (o < prev || o > this.binSize || (k === 0 && o !== 0)) throw this.damaged(offsetsPath, `offset ${k} (${o}) is out of order or outside positions.bin's ${this.binSize} bytes`);
      this.blockStarts[k] = prev = o;
    }
    if (prev !== this.binSize) throw this.damaged(offsetsPath, `its last offset is ${prev}, not positions.bin's size ${this.binSize}`);
  }

  private readonly binPath: string;
  private readonly dictionaryPath: string;

  private get bin(): Buffer {
    if (!this.binBytes) {
      const b = readFileSync(this.binPath);
      if (b.length !== this.binSize) throw this.damaged(this.binPath, `it is ${b.length} bytes, not the ${this.binSize} it was on open`);
      this.binBytes = b;
    }
    return this.binBytes;
  }

  /** The dictionary's tokens by id - 1 (read on first use). */
  get keys(): string[] {
    if (!this.keyList) {
      const text = readFileSync(this.dictionaryPath, "utf8");
      if (text !== "" && !text.endsWith("\n")) throw this.damaged(this.dictionaryPath, "its last line does not end with a line break");
      const keys = text === "" ? [] : text.slice(0, -1).split("\n");
      if (this.expectedTokens !== undefined && keys.length !== this.expectedTokens) {
        throw this.damaged(this.dictionaryPath, `it holds ${keys.length} phrase tokens, the manifest says ${this.expectedTokens}`);
      }
      this.keyList = keys;
    }
    return this.keyList;
  }

  private damaged(path: string, problem: string): DamagedFileError {
    return new DamagedFileError(this.where(path), problem);
  }

  get tokenCount(): number {
    return this.keys.length;
  }

  /** The token of an id (0: the break). */
  token(id: number): PhraseToken {
    return id === 0 ? { surface: "", lemma: "" } : phraseTokenOfKey(this.keys[id - 1]!);
  }

  /**
   * Looks up many forms in one pass over the dictionary, for idsOfForm: far cheaper than the map
   * of every form (hundreds of thousands) when a count run needs a few thousand.
   */
  prepareForms(forms: Iterable<string>): void {
    if (this.byForm) return;
    const want = new Set<string>();
    for (const f of forms) if (!this.formIds.has(f)) want.add(f);
    if (want.size === 0) return;
    for (const f of want) this.formIds.set(f, []);
    const keys = this.keys;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const tab = key.indexOf("\t"); // phraseTokenKey: "surface" or "surface\tlemma"
      const surface = tab < 0 ? key : key.slice(0, tab);
      if (want.has(surface)) this.formIds.get(surface)!.push(k + 1);
      if (tab >= 0) {
        const lemma = key.slice(tab + 1);
        if (lemma !== surface && want.has(lemma)) this.formIds.get(lemma)!.push(k + 1);
      }
    }
  }
  private readonly formIds = new Map<string, number[]>();

  /** The ids of the tokens whose surface or lemma is `form` (prepared, or a map of every form made on first use). */
  idsOfForm(form: string): readonly number[] {
    const prepared = this.formIds.get(form);
    if (prepared) return prepared;
    if (!this.byForm) {
      // a form's id, or its ids when several tokens have it (most forms belong to one token)
      const m = new Map<string, number | number[]>();
      const add = (f: string, id: number) => {
        const l = m.get(f);
        if (l === undefined) m.set(f, id);
        else if (typeof l === "number") m.set(f, [l, id]);
        else l.push(id);
      };
      const keys = this.keys;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        const tab = key.indexOf("\t"); // phraseTokenKey: "surface" or "surface\tlemma"
        if (tab < 0) add(key, k + 1);
        else {
          const surface = key.slice(0, tab);
          const lemma = key.slice(tab + 1);
          add(surface, k + 1);
          if (lemma !== surface) add(lemma, k + 1);
        }
      }
      this.byForm = m;
    }
    const ids = this.byForm.get(form);
    return ids === undefined ? [] : typeof ids === "number" ? [ids] : ids;
  }

  /** Reads a varint at `at` (bounds checked: not past `end`, at most 5 bytes); its end is left in varintEnd. */
  private varint(bin: Uint8Array, at: number, end: number, doc: number): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (at >= end || shift > 28) throw this.damaged(this.binPath, `doc ${doc}'s record is cut short or malformed`);
      const b = bin[at++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.varintEnd = at;
    return v;
  }
  private varintEnd = 0;
  private recordEnd = 0;

  /** One bit a block: its record ends were checked (ascending, the last at the block's end). */
  private checkedBlocks = new Uint8Array(0);

  /** Checks a block's record ends once, on its first read. */
  private checkBlock(bin: Uint8Array, block: number, head: number, width: number, docs: number, records: number, blockEnd: number): void {
    if (this.checkedBlocks.length === 0) this.checkedBlocks = new Uint8Array(Math.ceil(this.blockStarts.length / 8));
    let prev = 0;
    for (let j = 0; j < docs; j++) {
      const p = head + width * j;
      const e = width === 2 ? bin[p]! | (bin[p + 1]! << 8) : (bin[p]! | (bin[p + 1]! << 8) | (bin[p + 2]! << 16)) + bin[p + 3]! * 0x1000000;
      if (e < prev) throw this.damaged(this.binPath, `in block ${block}, doc ${block * POSITIONS_BLOCK + j}'s record ends at ${e}, before the one before it (${prev})`);
      prev = e;
    }
    if (records + prev !== blockEnd) throw this.damaged(this.binPath, `block ${block}'s records end at byte ${records + prev}, not at the block's end ${blockEnd}`);
    this.checkedBlocks[block >>> 3]! |= 1 << (block & 7);
  }

  /** Where doc's sequence of varints starts; it ends at recordEnd. */
  private record(bin: Uint8Array, doc: number): number {
    if (!Number.isInteger(doc) || doc < 0 || doc >= this.docCount) throw new RangeError(`doc ${doc} out of range`);
    const block = Math.floor(doc / POSITIONS_BLOCK);
    const first = block * POSITIONS_BLOCK;
    const k = doc - first;
    const blockStart = this.blockStarts[block]!;
    const blockEnd = this.blockStarts[block + 1]!;
    const width = blockStart < blockEnd ? bin[blockStart]! : 0;
    const docs = Math.min(POSITIONS_BLOCK, this.docCount - first);
    if (width !== 2 && width !== 4) throw this.damaged(this.binPath, `block ${block} starts with offset width ${width}, not 2 or 4`);
    const head = blockStart + 1;
    const records = head + width * docs;
    if (records > blockEnd) throw this.damaged(this.binPath, `block ${block}'s ${docs} record offsets run past its end`);
    if (this.checkedBlocks[block >>> 3]! & (1 << (block & 7))) {
      // checked before
    } else this.checkBlock(bin, block, head, width, docs, records, blockEnd);
    let at = records;
    let end = records;
    if (width === 2) {
      const p = head + 2 * k;
      if (k > 0) at += bin[p - 2]! | (bin[p - 1]! << 8);
      end += bin[p]! | (bin[p + 1]! << 8);
    } else {
      const p = head + 4 * k;
      if (k > 0) at += (bin[p - 4]! | (bin[p - 3]! << 8) | (bin[p - 2]! << 16)) + bin[p - 1]! * 0x1000000;
      end += (bin[p]! | (bin[p + 1]! << 8) | (bin[p + 2]! << 16)) + bin[p + 3]! * 0x1000000;
    }
    if (end < at || end > blockEnd || (k === docs - 1 && end !== blockEnd)) {
      throw this.damaged(this.binPath, `doc ${doc}'s record runs from byte ${at} to ${end}, not within (or to the end of) its block, which ends at ${blockEnd}`);
    }
    this.recordEnd = end;
    return at;
  }

  /** Writes doc's token ids into `out` (grown as needed) and returns [out, their number]. */
  sequence(doc: number, out: Int32Array<ArrayBufferLike>): [Int32Array<ArrayBufferLike>, number] {
    const bin = this.bin;
    const start = this.record(bin, doc);
    const end = this.recordEnd;
    if (out.length < end - start) out = new Int32Array(2 * (end - start));
    return [out, this.decode(bin, start, end, doc, out)];
  }

  /** Where the id readId read ends. */
  private idEnd = 0;

  /** The token id whose varint starts at `at` (within `end`), checked against the dictionary's `max`; its end in idEnd. */
  private readId(bin: Uint8Array, at: number, end: number, doc: number, max: number): number {
    let v = bin[at++]!;
    if (v >= 0x80) {
      // up to 4 bytes inline (ids below 2^28); longer ones, or one cut short, through varint()
      let b = bin[at]!;
      if (at < end && b < 0x80) {
        v = (v & 0x7f) | (b << 7);
        at++;
      } else if (at + 1 < end && (b = bin[at + 1]!) < 0x80) {
        v = (v & 0x7f) | ((bin[at]! & 0x7f) << 7) | (b << 14);
        at += 2;
      } else if (at + 2 < end && (b = bin[at + 2]!) < 0x80) {
        v = (v & 0x7f) | ((bin[at]! & 0x7f) << 7) | ((bin[at + 1]! & 0x7f) << 14) | (b << 21);
        at += 3;
      } else {
        v = this.varint(bin, at - 1, end, doc);
        at = this.varintEnd;
      }
    }
    if (v > max) throw this.damaged(this.binPath, `doc ${doc} holds token id ${v}, beyond the dictionary's ${max}`);
    this.idEnd = at;
    return v;
  }

  /** Decodes the varints in [start, end) into out (long enough: one id per byte at most), checking each id. */
  private decode(bin: Uint8Array, start: number, end: number, doc: number, out: Int32Array<ArrayBufferLike>): number {
    const max = this.keys.length;
    let n = 0;
    let at = start;
    while (at < end) {
      const v = this.readId(bin, at, end, doc, max);
      at = this.idEnd;
      out[n++] = v;
    }
    if (at !== end) throw this.damaged(this.binPath, `doc ${doc}'s record is cut short or malformed`);
    return n;
  }

  /**
   * The docs of `candidates` (ascending) whose sequence holds, at consecutive positions, a token of
   * wordIds[0], then one of wordIds[1], ... (each a set of token ids). Shift-And over each record as
   * it is decoded (bit j of the state: the last j + 1 tokens match words 0..j; a bit mask per token
   * id), stopping at the first match; phrases of more than 8 words decode the record and compare sets.
   */
  docsWithSequence(candidates: Uint32Array, wordIds: readonly (readonly number[])[]): Uint32Array {
    const k = wordIds.length;
    if (k === 0 || candidates.length === 0) return new Uint32Array(0);
    if (k > 8) return this.docsWithLongSequence(candidates, wordIds);
    const out = new Uint32Array(candidates.length);
    let found = 0;
    const bin = this.bin;
    const max = this.keys.length;
    const masks = this.maskArray();
    const goal = 1 << (k - 1);
    try {
      for (let j = 0; j < k; j++) for (const id of wordIds[j]!) masks[id] = masks[id]! | (1 << j);
      const starts = this.groupStarts;
      const ends = this.groupEnds;
      for (let c = 0; c < candidates.length; c++) {
        // In groups: the record bounds of GROUP candidates, then a byte of each record, then the
        // records: independent loads, so their cache misses overlap instead of coming one by one.
        const g = c % GROUP;
        if (g === 0) {
          let touched = 0;
          const n = Math.min(GROUP, candidates.length - c);
          for (let i = 0; i < n; i++) {
            starts[i] = this.record(bin, candidates[c + i]!);
            ends[i] = this.recordEnd;
          }
          for (let i = 0; i < n; i++) touched |= bin[starts[i]!] ?? 0;
          this.touched = touched;
        }
        const doc = candidates[c]!;
        let at = starts[g]!;
        const end = ends[g]!;
        let state = 0;
        while (at < end) {
          const v = this.readId(bin, at, end, doc, max);
          at = this.idEnd;
          state = ((state << 1) | 1) & masks[v]!;
          if (state & goal) {
            out[found++] = doc;
            break;
          }
        }
      }
    } finally {
      for (const ids of wordIds) for (const id of ids) masks[id] = 0;
    }
    return out.subarray(0, found);
  }

  private docsWithLongSequence(candidates: Uint32Array, wordIds: readonly (readonly number[])[]): Uint32Array {
    const sets = wordIds.map((ids) => new Set(ids));
    const out: number[] = [];
    let seq: Int32Array<ArrayBufferLike> = this.scratch;
    for (const doc of candidates) {
      const [s, n] = this.sequence(doc, seq);
      seq = this.scratch = s;
      outer: for (let i = 0; i + sets.length <= n; i++) {
        for (let j = 0; j < sets.length; j++) if (!sets[j]!.has(s[i + j]!)) continue outer;
        out.push(doc);
        break;
      }
    }
    return Uint32Array.from(out);
  }

  private readonly groupStarts = new Float64Array(GROUP);
  private readonly groupEnds = new Float64Array(GROUP);
  /** A sink for the bytes read ahead (so the reads are not dropped as dead code). */
  touched = 0;
  private scratch: Int32Array<ArrayBufferLike> = new Int32Array(256);
  private masks: Uint8Array | undefined;
  /** One byte a token id (0, the break, included; bit j: word j), all zero between uses. */
  private maskArray(): Uint8Array {
    return (this.masks ??= new Uint8Array(this.keys.length + 1));
  }

  /** Reads every record (for `index verify`). */
  checkAll(): void {
    void this.keys; // the dictionary is read and its token count checked
    let seq: Int32Array<ArrayBufferLike> = new Int32Array(256);
    for (let d = 0; d < this.docCount; d++) [seq] = this.sequence(d, seq);
  }
}
