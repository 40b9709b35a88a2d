/**
 * JSON Lines: one JSON object per line. The caption is the `textColumn` field, by default the first
 * of `caption`, `TEXT`, `text` that the line has. A line that is not JSON, or not an object, is
 * malformed `bad_json`; a missing, null or non-string caption is `empty_caption`. Every line is a
 * row, an empty one too (it is `bad_json`), except an empty last line.
 */
import { errorMessage } from "./byte-stream.js";
import { DEFAULT_TEXT_FIELDS } from "./columns.js";
import type { LineFormat } from "./line-reader.js";
import type { ReaderOptions } from "./record.js";
import type { RowSink } from "./row-sink.js";

export class JsonlFormat implements LineFormat {
  private readonly textField: string | undefined;
  private readonly keyField: string | undefined;

  constructor(
    private readonly sink: RowSink,
    options: ReaderOptions,
  ) {
    this.textField = options.textColumn;
    this.keyField = options.keyColumn;
  }

  line(buf: Buffer, start: number, end: number, line: number, utf8: boolean): void {
    if (end > start && buf[end - 1] === 13) end--;
    if (!utf8) {
      this.sink.malformed("invalid_utf8", line);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(buf.toString("utf8", start, end));
    } catch (e) {
      this.sink.malformed("bad_json", line, errorMessage(e));
      return;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.sink.malformed("bad_json", line, "not a JSON object");
      return;
    }
    const obj = value as Record<string, unknown>;
    const key = this.keyField === undefined ? undefined : keyValue(obj, this.keyField);
    captionFromObject(this.sink, obj, this.textField, line, key);
  }

  end(): void {}
}

/**
 * Puts the caption field of a JSON object (JSONL line, WebDataset .json member) into the sink:
 * `field`, or the first of caption/TEXT/text present when `field` is undefined.
 */
export function captionFromObject(sink: RowSink, obj: Record<string, unknown>, field: string | undefined, location: number, key?: string): void {
  let name = field;
  if (name === undefined) {
    for (const f of DEFAULT_TEXT_FIELDS) {
      if (Object.hasOwn(obj, f)) {
        name = f;
        break;
      }
    }
    if (name === undefined) {
      sink.malformed("empty_caption", location, "no caption, TEXT or text field", key);
      return;
    }
  }
  const text = Object.hasOwn(obj, name) ? obj[name] : undefined;
  if (typeof text === "string") {
    sink.caption(text, location, key);
    return;
  }
  const what = text === undefined ? `no ${JSON.stringify(name)} field` : `field ${JSON.stringify(name)} is ${text === null ? "null" : `a ${Array.isArray(text) ? "list" : typeof text}`}, not a string`;
  sink.malformed("empty_caption", location, what, key);
}

/** A key field as a string (numbers too); undefined when missing, null or not a scalar. */
export function keyValue(obj: Record<string, unknown>, field: string): string | undefined {
  if (!Object.hasOwn(obj, field)) return undefined;
  const v = obj[field];
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return undefined;
}
