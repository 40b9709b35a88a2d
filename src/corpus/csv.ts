/**
 * Parsing a small CSV text held in memory (concept lists and other side files) with the same
 * RFC 4180 rules as the streaming CSV corpus reader (see csv-record.ts). An empty last line (the
 * text ends with a line break) is not a record.
 */
import { CsvRecordParser } from "./csv-record.js";

/** The records of a CSV text, each a list of fields. */
export function parseCsv(text: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const parser = new CsvRecordParser();
  const records: string[][] = [];
  for (const line of lines) {
    if (parser.feed(line)) {
      records.push(parser.fields);
      parser.reset();
    }
  }
  if (parser.inQuotes) {
    parser.finishOpen();
    records.push(parser.fields);
  }
  return records;
}
