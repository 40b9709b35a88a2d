/**
 * Where every reader puts its rows: checks a caption (blank, too long), turns a malformed row into
 * a record with empty text (or, in strict mode, into a UserError naming file and place), and cuts
 * the rows into batches.
 */
import { UserError } from "../errors.js";
import type { CaptionBytes, CaptionRow, MalformedKind } from "./record.js";

/** What a reader calls its places in a file: a line, a row (Parquet) or a sample (WebDataset). */
export type LocationUnit = "line" | "row" | "sample";

const KIND_WORDS: Record<MalformedKind, string> = {
  wrong_column_count: "wrong column count",
  invalid_utf8: "invalid UTF-8",
  empty_caption: "empty caption",
  caption_too_long: "caption too long",
  bad_json: "bad JSON",
  unclosed_quote: "unclosed quote",
};

/** Strict mode's error for a malformed row: file, place, kind and detail. */
function malformedError(file: string, unit: LocationUnit, kind: MalformedKind, location: number, detail?: string, key?: string): UserError {
  const where = `${file} ${unit} ${location}${key !== undefined && unit === "sample" ? ` (key ${key})` : ""}`;
  return new UserError(`${where}: ${KIND_WORDS[kind]}${detail ? ` (${detail})` : ""}.`);
}

/** The rows over which the share of malformed rows is judged (all of them, in a shorter file). */
export const MALFORMED_SAMPLE_ROWS = 10_000;
/** The largest share of malformed rows among a file's first MALFORMED_SAMPLE_ROWS that an index build accepts by default. */
export const DEFAULT_MAX_MALFORMED = 0.5;

/**
 * Stops a read whose file is mostly malformed rows (a wrong --format, --text-column or --header,
 * or not a caption file at all: 201 million empty lines), which would otherwise give an index of
 * nothing with exit status 0. Judged once, after the first MALFORMED_SAMPLE_ROWS rows or at the
 * end of a shorter file, so that a few bad rows at the start do not stop a good file.
 */
class MalformedShare {
  private rows = 0;
  private bad = 0;
  private readonly kinds = new Map<MalformedKind, number>();
  private judged = false;

  constructor(
    private readonly file: string,
    private readonly max: number,
  ) {}

  row(kind: MalformedKind | undefined): void {
    if (this.judged) return;
    this.rows++;
    if (kind) {
      this.bad++;
      this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    }
    if (this.rows === MALFORMED_SAMPLE_ROWS) this.judge();
  }

  /** The end of the file. */
  end(): void {
    if (!this.judged) this.judge();
  }

  private judge(): void {
    this.judged = true;
    if (this.rows === 0 || this.bad <= this.max * this.rows) return;
    const kinds = [...this.kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${KIND_WORDS[k]}: ${n.toLocaleString("en-US")}`);
    const of = this.rows === MALFORMED_SAMPLE_ROWS ? `of the first ${this.rows.toLocaleString("en-US")} rows` : `of its ${this.rows.toLocaleString("en-US")} rows`;
    throw new UserError(
      `${this.file}: ${this.bad.toLocaleString("en-US")} ${of} are malformed (${kinds.join(", ")}), more than --max-malformed ${this.max} allows; check --format, --header and --text-column, or pass --max-malformed 1 to read it anyway.`,
    );
  }
}

/** A MalformedShare for `max` (undefined or 1 or more: none, every share is accepted). */
function malformedShare(file: string, max: number | undefined): MalformedShare | undefined {
  if (max === undefined || max >= 1) return undefined;
  if (!(max >= 0)) throw new UserError(`--max-malformed must be a fraction from 0 to 1, not ${max}.`);
  return new MalformedShare(file, max);
}

export class RowSink {
  private batch: CaptionRow[] = [];
  private readonly ready: CaptionRow[][] = [];
  private readonly share: MalformedShare | undefined;

  constructor(
    private readonly file: string,
    private readonly unit: LocationUnit,
    private readonly strict: boolean,
    private readonly maxCaptionLength: number,
    private readonly batchRows: number,
    maxMalformed?: number,
  ) {
    this.share = malformedShare(file, maxMalformed);
  }

  /** A caption as read; blank or over-long captions become malformed rows. */
  caption(text: string, location: number, key?: string): void {
    if (isBlank(text)) {
      this.malformed("empty_caption", location, undefined, key);
      return;
    }
    if (text.length > this.maxCaptionLength) {
      this.malformed(
        "caption_too_long",
        location,
        `${text.length} characters, the limit is ${this.maxCaptionLength}`,
        key,
      );
      return;
    }
    this.push(key === undefined ? { text, location } : { text, location, key });
  }

  /** A malformed row: kept (empty text) so row numbers stay aligned, or an error in strict mode. */
  malformed(kind: MalformedKind, location: number, detail?: string, key?: string): void {
    if (this.strict) throw malformedError(this.file, this.unit, kind, location, detail, key);
    const row: CaptionRow = key === undefined ? { text: "", location, malformed: kind } : { text: "", location, key, malformed: kind };
    this.push(row);
  }

  private push(row: CaptionRow): void {
    this.share?.row(row.malformed);
    this.batch.push(row);
    if (this.batch.length >= this.batchRows) {
      this.ready.push(this.batch);
      this.batch = [];
    }
  }

  /** Full batches collected since the last call. */
  takeFull(): CaptionRow[][] {
    return this.ready.length ? this.ready.splice(0) : NO_BATCHES;
  }

  /** Everything left, the last (short) batch included (call at the end of the file). */
  takeAll(): CaptionRow[][] {
    this.share?.end();
    const out = this.ready.splice(0);
    if (this.batch.length) out.push(this.batch);
    this.batch = [];
    return out;
  }
}

const NO_BATCHES: CaptionRow[][] = [];

/** True when the caption is empty or only whitespace (fast for the usual caption starting with a letter). */
export function isBlank(s: string): boolean {
  if (s.length === 0) return true;
  const c = s.charCodeAt(0);
  if (c > 0x20 && c < 0x7f) return false;
  return s.trim().length === 0;
}

/**
 * RowSink for captions given as UTF-8 bytes (CaptionBytes batches): the same checks and the same
 * malformed rows, with a caption decoded only when its bytes cannot settle a check (a caption that
 * starts with non-ASCII characters, or one with more bytes than the length limit in characters).
 */
export class CaptionBytesSink {
  private bytes = new Uint8Array(BATCH_BYTES);
  private used = 0;
  private ends: number[] = [];
  private malformedRows: Map<number, MalformedKind> | undefined;
  private readonly ready: CaptionBytes[] = [];
  private readonly share: MalformedShare | undefined;

  constructor(
    private readonly file: string,
    private readonly strict: boolean,
    private readonly maxCaptionLength: number,
    private readonly batchRows: number,
    maxMalformed?: number,
  ) {
    this.share = malformedShare(file, maxMalformed);
  }

  /** The caption in buf[from, to) (valid UTF-8); blank or over-long captions become malformed rows. */
  caption(buf: Uint8Array, from: number, to: number, location: number): void {
    if (blankBytes(buf, from, to)) {
      this.malformed("empty_caption", location);
      return;
    }
    if (to - from > this.maxCaptionLength) {
      // more bytes than the limit in characters: count the characters
      const length = Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString("utf8").length;
      if (length > this.maxCaptionLength) {
        this.malformed("caption_too_long", location, `${length} characters, the limit is ${this.maxCaptionLength}`);
        return;
      }
    }
    const n = to - from;
    if (this.used + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    const bytes = this.bytes;
    if (n > 64) bytes.set(buf.subarray(from, to), this.used);
    else for (let i = 0, at = this.used; i < n; i++) bytes[at + i] = buf[from + i]!; // (no view object for a short caption)
    this.used += n;
    this.share?.row(undefined);
    this.push();
  }

  /** A malformed row: kept (empty caption) so row numbers stay aligned, or an error in strict mode. */
  malformed(kind: MalformedKind, location: number, detail?: string): void {
    if (this.strict) throw malformedError(this.file, "line", kind, location, detail);
    (this.malformedRows ??= new Map()).set(this.ends.length, kind);
    this.share?.row(kind);
    this.push();
  }

  private push(): void {
    this.ends.push(this.used);
    if (this.ends.length >= this.batchRows) this.cut();
  }

  private cut(): void {
    this.ready.push({ rows: this.ends.length, bytes: this.bytes.subarray(0, this.used), ends: Uint32Array.from(this.ends), malformed: this.malformedRows });
    this.bytes = new Uint8Array(BATCH_BYTES); // (the batch's buffer went with it; a long caption's growth is not kept)
    this.used = 0;
    this.ends = [];
    this.malformedRows = undefined;
  }

  takeFull(): CaptionBytes[] {
    return this.ready.length ? this.ready.splice(0) : NO_BYTE_BATCHES;
  }

  takeAll(): CaptionBytes[] {
    this.share?.end();
    if (this.ends.length) this.cut();
    return this.ready.splice(0);
  }
}

const NO_BYTE_BATCHES: CaptionBytes[] = [];
/** A byte batch's first buffer (2,048 captions of web length fit; it grows for longer ones). */
const BATCH_BYTES = 1 << 18;

/**
 * isBlank on a caption's UTF-8 bytes: settled by the bytes when the first one that is not ASCII
 * white space is ASCII (the usual caption starts with a letter); otherwise decided on the text.
 */
function blankBytes(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = buf[i]!;
    if (b > 0x20 && b < 0x7f) return false;
    if (b >= 0x80) return isBlank(Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString("utf8"));
    if (b !== 0x20 && !(b >= 0x09 && b <= 0x0d)) return false; // other control characters are not white space
  }
  return true;
}
