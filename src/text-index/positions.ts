/**
 * Each caption's phrase-token sequence (analyzer.ts phraseTokens), kept so that `--match phrase`
 * verifies a candidate from the index instead of re-analysing its caption:
 *   phrase-tokens.txt  the phrase-token dictionary: one token a line (analyzer.ts phraseTokenKey:
 *                      "surface" or "surface\tlemma"); the token on line k (from 0) has id k + 1,
 *                      id 0 is the phrase break (punctuation)
 *   positions.bin      per doc, in doc order: a varint byte length L, then L bytes of varint token ids
 *                      (LEB128, 7 bits a byte, low bits first); a malformed row's sequence is empty
 *   positions.offsets  u64 little-endian: the byte offset of doc 128k's record for k = 0, 1, ...,
 *                      ceil(docCount / 128) - 1, then positions.bin's size
 * A reader finds doc d by its block's offset and skips the records before it by their lengths.
 */
import { readFileSync, statSync, writeSync } from "node:fs";
import { closeFiles, namingPath, openFilesForWriting } from "../io/file-system.js";
import { DamagedFileError } from "../postings/posting-file.js";
import { phraseTokenOfKey, type PhraseToken } from "../text/phrase-tokens.js";

export const POSITIONS_BLOCK = 128;

/** The dictionary's text: one key a line (no key holds a line break: keys are letters, digits and one tab). */
export function dictionaryText(keys: readonly string[]): string {
  return keys.length === 0 ? "" : keys.join("\n") + "\n";
}

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
  private seq = Buffer.allocUnsafe(1024);

  constructor(
    private readonly binPath: string,
    private readonly offsetsPath: string,
  ) {
    [this.binFd, this.offsetsFd] = openFilesForWriting([binPath, offsetsPath]) as [number, number];
  }

  /** Appends the next doc's sequence: ids[from, to). */
  add(ids: ArrayLike<number>, from = 0, to = ids.length): void {
    if (this.docs % POSITIONS_BLOCK === 0) this.offsets.push(this.size);
    this.docs++;
    if (this.seq.length < 5 * (to - from)) this.seq = Buffer.allocUnsafe(5 * (to - from) * 2);
    const seq = this.seq;
    let n = 0;
    for (let i = from; i < to; i++) {
      let v = ids[i]!;
      while (v >= 0x80) {
        seq[n++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      seq[n++] = v;
    }
    if (this.used + n + 5 > this.buf.length) this.flush();
    if (n + 5 > this.buf.length) this.buf = Buffer.allocUnsafe(2 * (n + 5));
    const buf = this.buf;
    const start = this.used;
    let v = n;
    while (v >= 0x80) {
      buf[this.used++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.used++] = v;
    seq.copy(buf, this.used, 0, n);
    this.used += n;
    this.size += this.used - start;
  }

  /** Appends empty sequences until `docs` docs are written. */
  fillTo(docs: number): void {
    const none = new Int32Array(0);
    while (this.docs < docs) this.add(none);
  }

  private flush(): void {
    const b = this.buf.subarray(0, this.used);
    namingPath(this.binPath, () => {
      for (let w = 0; w < b.length; ) w += writeSync(this.binFd, b, w);
    });
    this.used = 0;
  }

  private get files(): { fd: number; path: string }[] {
    return [
      { fd: this.binFd, path: this.binPath },
      { fd: this.offsetsFd, path: this.offsetsPath },
    ];
  }

  close(): void {
    try {
      this.flush();
      const o = new BigUint64Array(this.offsets.length + 1);
      this.offsets.forEach((x, k) => (o[k] = BigInt(x)));
      o[this.offsets.length] = BigInt(this.size);
      const bytes = new Uint8Array(o.buffer);
      namingPath(this.offsetsPath, () => {
        for (let w = 0; w < bytes.length; ) w += writeSync(this.offsetsFd, bytes, w);
      });
    } catch (e) {
      closeFiles(this.files, false);
      throw e;
    }
    closeFiles(this.files, true);
  }

  abort(): void {
    closeFiles(this.files, false);
  }
}

/**
 * The positions, read by doc id. On open the offsets are checked (count, ascending, within
 * positions.bin); positions.bin and the dictionary are read into memory on first use (a paper-rule
 * count never reads them), the dictionary checked against the expected token count; each record
 * read checks its own bounds and ids.
 */
export class Positions {
  private binBytes: Buffer | undefined;
  private readonly binSize: number;
  private readonly blockStarts: Float64Array;
  private keyList: string[] | undefined;
  private byForm: Map<string, number[]> | undefined;
  /** Where the last read record ended, and its doc (sequential reads skip from there). */
  private cursorDoc = -1;
  private cursorAt = 0;

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

  /** The ids of the tokens whose surface or lemma is `form` (a map made on first use). */
  idsOfForm(form: string): readonly number[] {
    if (!this.byForm) {
      const m = new Map<string, number[]>();
      const add = (f: string, id: number) => {
        const l = m.get(f);
        if (l) l.push(id);
        else m.set(f, [id]);
      };
      this.keys.forEach((key, k) => {
        const t = phraseTokenOfKey(key);
        add(t.surface, k + 1);
        if (t.lemma !== t.surface) add(t.lemma, k + 1);
      });
      this.byForm = m;
    }
    return this.byForm.get(form) ?? [];
  }

  /** Reads a varint at `at` (bounds checked); returns [value, next]. */
  private varint(at: number, end: number, doc: number): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (at >= end || shift > 28) throw this.damaged(this.binPath, `doc ${doc}'s record is cut short or malformed`);
      const b = this.bin[at++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.varintEnd = at;
    return v;
  }
  private varintEnd = 0;

  /** The byte range [start, end) of doc's sequence of varints. */
  private record(doc: number): [number, number] {
    if (!Number.isInteger(doc) || doc < 0 || doc >= this.docCount) throw new RangeError(`doc ${doc} out of range`);
    const block = Math.floor(doc / POSITIONS_BLOCK);
    let d: number;
    let at: number;
    if (this.cursorDoc >= 0 && this.cursorDoc < doc && Math.floor(this.cursorDoc / POSITIONS_BLOCK) === block) {
      d = this.cursorDoc + 1;
      at = this.cursorAt;
    } else {
      d = block * POSITIONS_BLOCK;
      at = this.blockStarts[block]!;
    }
    const end = this.blockStarts[block + 1]!;
    for (;;) {
      const len = this.varint(at, end, d);
      const start = this.varintEnd;
      if (start + len > end) throw this.damaged(this.binPath, `doc ${d}'s record runs past its block`);
      if (d === doc) {
        this.cursorDoc = doc;
        this.cursorAt = start + len;
        return [start, start + len];
      }
      at = start + len;
      d++;
    }
  }

  /** Writes doc's token ids into `out` (grown as needed) and returns [out, their number]. */
  sequence(doc: number, out: Int32Array<ArrayBufferLike>): [Int32Array<ArrayBufferLike>, number] {
    const [start, end] = this.record(doc);
    if (out.length < end - start) out = new Int32Array(2 * (end - start));
    const bin = this.bin;
    const max = this.keys.length;
    let n = 0;
    for (let at = start; at < end; ) {
      let v = bin[at++]!;
      if (v >= 0x80) {
        v = this.varint(at - 1, end, doc);
        at = this.varintEnd;
      }
      if (v > max) throw this.damaged(this.binPath, `doc ${doc} holds token id ${v}, beyond the dictionary's ${max}`);
      out[n++] = v;
    }
    return [out, n];
  }

  /** Reads every record (for `index verify`). */
  checkAll(): void {
    void this.keys; // the dictionary is read and its token count checked
    let seq: Int32Array<ArrayBufferLike> = new Int32Array(256);
    for (let d = 0; d < this.docCount; d++) [seq] = this.sequence(d, seq);
  }
}
