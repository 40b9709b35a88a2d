/**
 * Where every reader puts its rows: checks a caption (blank, too long), turns a malformed row into
 * a record with empty text (or, in strict mode, into a UserError naming file and place), and cuts
 * the rows into batches.
 */
import { UserError } from "../errors.js";
import type { CaptionRow, MalformedKind } from "./record.js";

/** What a reader calls its places in a file: a line, a row (Parquet) or a sample (WebDataset). */
export type LocationUnit = "line" | "row" | "sample";

const KIND_WORDS: Record<MalformedKind, string> = {
  wrong_column_count: "wrong column count",
  invalid_utf8: "invalid UTF-8",
  empty_caption: "empty caption",
  caption_too_long: "caption too long",
  bad_json: "bad JSON",
};

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
    if (this.strict) {
      const where = `${this.file} ${this.unit} ${location}${key !== undefined && this.unit === "sample" ? ` (key ${key})` : ""}`;
      throw new UserError(`${where}: ${KIND_WORDS[kind]}${detail ? ` (${detail})` : ""}.`);
    }
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
