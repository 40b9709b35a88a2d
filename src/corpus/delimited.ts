/**
 * TSV and CSV caption files, headerless by default (CC-3M is `caption<TAB>url`, CC-12M and YFCC
 * are `url<TAB>caption`; pick the caption column with `textColumn`).
 *
 * TSV is a plain split on tabs with no quoting at all, as in the Conceptual Captions files: a
 * quote is an ordinary character and a caption cannot hold a tab or a line break. CSV follows
 * RFC 4180 (see csv-record.ts); a record whose quoted field is never closed is malformed
 * `unclosed_quote`, and the lines it swallowed are read again. In both, a trailing "\r" ends the line like "\n", the header row
 * (with `header: true`) is not a row, and a row with fewer columns than the caption (or key)
 * column needs is malformed `wrong_column_count`.
 */
import { UserError } from "../errors.js";
import { columnsFromHeader, columnsWithoutHeader, type ColumnChoice } from "./columns.js";
import { CsvRecordParser } from "./csv-record.js";
import type { LineFormat } from "./line-reader.js";
import type { ReaderOptions } from "./record.js";
import { CaptionBytesSink, type RowSink } from "./row-sink.js";

/** A CSV record may span lines; past this many characters an open quoted field is taken as a missing closing quote. */
export const MAX_CSV_RECORD_CHARS = 64 * 1024 * 1024;

abstract class DelimitedFormat implements LineFormat {
  protected columns: ColumnChoice | undefined;
  private readonly header: boolean;

  constructor(
    protected readonly file: string,
    protected readonly sink: RowSink | CaptionBytesSink,
    protected readonly options: ReaderOptions,
  ) {
    this.header = options.header === true;
    if (!this.header) this.columns = columnsWithoutHeader(file, options.textColumn, options.keyColumn);
  }

  /** No row read yet: a row too short for the columns asked for is then an error, not a malformed row. */
  private firstRow = true;

  abstract line(buf: Buffer, start: number, end: number, line: number, utf8: boolean): void;

  /**
   * A row of `found` columns, fewer than the caption (or key) column needs: malformed
   * `wrong_column_count`, except in the first row of a headerless file, where the column asked
   * for is surely beyond the file's width (every row would be malformed): an error.
   */
  protected shortRow(found: number, location: number): void {
    const columns = this.columns!;
    if (this.firstRow && !this.header) {
      const flag = columns.text + 1 > found ? `--text-column ${columns.text}` : `--key-column ${columns.key}`;
      throw new UserError(
        `${flag} is beyond the ${found} column${found === 1 ? "" : "s"} of the first row of ${this.file} (line ${location}; columns are counted from 0).`,
      );
    }
    this.sink.malformed("wrong_column_count", location, columnCountDetail(columns.needed, found));
  }

  /** Call once a data row has been read whole. */
  protected rowRead(): void {
    this.firstRow = false;
  }
  abstract end(): void;

  /** Fields of a complete record: the header (first record with `header: true`) or a row. */
  protected record(fields: string[], location: number, utf8: boolean): void {
    const columns = this.columns;
    if (columns === undefined) {
      if (!utf8) throw new UserError(`${this.file} line ${location}: the header row is not valid UTF-8.`);
      this.columns = columnsFromHeader(this.file, fields, this.options.textColumn, this.options.keyColumn);
      return;
    }
    if (!utf8) {
      this.sink.malformed("invalid_utf8", location);
      return;
    }
    if (fields.length < columns.needed) {
      this.shortRow(fields.length, location);
      return;
    }
    this.rowRead();
    this.caption(fields[columns.text]!, location, columns.key === -1 ? undefined : fields[columns.key]);
  }

  /** Hands a row's caption (and key) to the sink, as text or, for a CaptionBytesSink, as its bytes. */
  protected caption(text: string, location: number, key: string | undefined): void {
    if (this.sink instanceof CaptionBytesSink) {
      const bytes = Buffer.from(text, "utf8");
      this.sink.caption(bytes, 0, bytes.length, location);
    } else {
      this.sink.caption(text, location, key);
    }
  }
}

function columnCountDetail(needed: number, found: number): string {
  return `expected at least ${needed} column${needed === 1 ? "" : "s"}, found ${found}`;
}

export class TsvFormat extends DelimitedFormat {
  // The last tab found by Buffer.indexOf (which searches to the end of the buffer, past the line):
  // reused while it lies ahead, so a file with few or no tabs is still searched once, not per line.
  private tabBuf: Buffer | undefined;
  private tabAt = -1;

  line(buf: Buffer, start: number, end: number, line: number, utf8: boolean): void {
    if (end > start && buf[end - 1] === 13) end--;
    const columns = this.columns;
    if (columns === undefined || !utf8) {
      this.record(utf8 ? buf.toString("utf8", start, end).split("\t") : [], line, utf8);
      return;
    }
    // Walk the tabs only as far as the columns needed; decode only those columns (none for a
    // CaptionBytesSink, which takes the caption's bytes).
    let textFrom = 0;
    let textTo = 0;
    let keyFrom = 0;
    let keyTo = -1;
    let from = start;
    for (let col = 0; ; col++) {
      const tab = this.nextTab(buf, from, end);
      const to = tab === -1 ? end : tab;
      if (col === columns.text) {
        textFrom = from;
        textTo = to;
      }
      if (col === columns.key) {
        keyFrom = from;
        keyTo = to;
      }
      if (col + 1 === columns.needed) break;
      if (tab === -1) {
        this.shortRow(col + 1, line);
        return;
      }
      from = tab + 1;
    }
    this.rowRead();
    if (this.sink instanceof CaptionBytesSink) this.sink.caption(buf, textFrom, textTo, line);
    else this.sink.caption(buf.toString("utf8", textFrom, textTo), line, keyTo === -1 ? undefined : buf.toString("utf8", keyFrom, keyTo));
  }

  /** Position of the first tab in buf[from, end), or -1. */
  private nextTab(buf: Buffer, from: number, end: number): number {
    let at: number;
    if (buf === this.tabBuf && (this.tabAt === -1 || this.tabAt >= from)) {
      at = this.tabAt;
    } else {
      at = buf.indexOf(9, from);
      this.tabBuf = buf;
      this.tabAt = at;
    }
    return at !== -1 && at < end ? at : -1;
  }

  end(): void {}
}

export class CsvFormat extends DelimitedFormat {
  private parser = new CsvRecordParser();
  private recordLine = 0; // first line of the open record
  private recordUtf8 = true;
  /** The lines of the open record after its first (re-read as records if its quote never closes). */
  private openLines: { text: string; line: number; utf8: boolean }[] = [];

  line(buf: Buffer, start: number, end: number, line: number, utf8: boolean): void {
    this.lineText(buf.toString("utf8", start, end), line, utf8);
  }

  private lineText(s: string, line: number, utf8: boolean): void {
    const parser = this.parser;
    if (!parser.inQuotes) {
      if (s.indexOf('"') === -1) {
        // Fast path: no quoting on this line.
        const plain = s.length > 0 && s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
        this.record(plain.split(","), line, utf8);
        return;
      }
      this.recordLine = line;
      this.recordUtf8 = utf8;
    } else {
      this.openLines.push({ text: s, line, utf8 });
      if (!utf8) this.recordUtf8 = false;
    }
    if (parser.feed(s)) {
      const fields = parser.fields;
      parser.reset();
      this.openLines = [];
      this.record(fields, this.recordLine, this.recordUtf8);
    } else if (parser.pendingLength > MAX_CSV_RECORD_CHARS) {
      throw new UserError(
        `${this.file} line ${this.recordLine}: a quoted field runs on for more than ${MAX_CSV_RECORD_CHARS / (1024 * 1024)} Mi characters; is a closing quote missing?`,
      );
    }
  }

  end(): void {
    while (this.parser.inQuotes) {
      // The file ended inside a quoted field: its quote was never closed. The record's first line
      // is malformed, and the lines it swallowed are read again as rows of their own.
      const swallowed = this.openLines;
      this.openLines = [];
      this.parser = new CsvRecordParser();
      if (this.columns === undefined) throw new UserError(`${this.file} line ${this.recordLine}: the header row has a quoted field that is never closed.`);
      this.sink.malformed("unclosed_quote", this.recordLine, "a quoted field opened on this line is never closed");
      for (const l of swallowed) this.lineText(l.text, l.line, l.utf8);
    }
  }
}
