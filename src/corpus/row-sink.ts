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

export class RowSink {
  private batch: CaptionRow[] = [];
  private readonly ready: CaptionRow[][] = [];

  constructor(
    private readonly file: string,
    private readonly unit: LocationUnit,
    private readonly strict: boolean,
    private readonly maxCaptionLength: number,
    private readonly batchRows: number,
  ) {}

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

  /** Everything left, the last (short) batch included. */
  takeAll(): CaptionRow[][] {
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

  constructor(
    private readonly file: string,
    private readonly strict: boolean,
    private readonly maxCaptionLength: number,
    private readonly batchRows: number,
  ) {}

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
    this.push();
  }

  /** A malformed row: kept (empty caption) so row numbers stay aligned, or an error in strict mode. */
  malformed(kind: MalformedKind, location: number, detail?: string): void {
    if (this.strict) throw malformedError(this.file, "line", kind, location, detail);
    (this.malformedRows ??= new Map()).set(this.ends.length, kind);
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
