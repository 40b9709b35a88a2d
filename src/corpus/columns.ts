/**
 * Which columns of a TSV/CSV file hold the caption and the key: `textColumn`/`keyColumn` are a
 * 0-based index or, when the file has a header, a column name. Without either, the caption is
 * column 0 (headerless) or the first of `caption`, `TEXT`, `text` in the header.
 */
import { UserError } from "../errors.js";

export const DEFAULT_TEXT_FIELDS = ["caption", "TEXT", "text"] as const;

export interface ColumnChoice {
  text: number;
  key: number; // -1: no key column
  /** Columns a row needs: max(text, key) + 1. */
  needed: number;
}

const INDEX = /^\d+$/;

/** Column choice for a headerless file. */
export function columnsWithoutHeader(file: string, textColumn: string | undefined, keyColumn: string | undefined): ColumnChoice {
  const text = textColumn === undefined ? 0 : indexWithoutHeader(file, textColumn, "--text-column");
  const key = keyColumn === undefined ? -1 : indexWithoutHeader(file, keyColumn, "--key-column");
  return { text, key, needed: Math.max(text, key) + 1 };
}

function indexWithoutHeader(file: string, column: string, flag: string): number {
  if (INDEX.test(column)) return Number(column);
  throw new UserError(
    `${flag} "${column}" is a column name but ${file} is read without a header; pass --header if its first row names the columns, or give a 0-based column index.`,
  );
}

/** Column choice for a file whose first row (`names`) names the columns. */
export function columnsFromHeader(file: string, names: string[], textColumn: string | undefined, keyColumn: string | undefined): ColumnChoice {
  let text: number;
  if (textColumn === undefined) {
    text = -1;
    for (const name of DEFAULT_TEXT_FIELDS) {
      text = names.indexOf(name);
      if (text !== -1) break;
    }
    if (text === -1) {
      throw new UserError(
        `${file} has no caption, TEXT or text column (columns: ${listNames(names)}); choose the caption column with --text-column.`,
      );
    }
  } else {
    text = indexInHeader(file, names, textColumn, "--text-column");
  }
  const key = keyColumn === undefined ? -1 : indexInHeader(file, names, keyColumn, "--key-column");
  return { text, key, needed: Math.max(text, key) + 1 };
}

function indexInHeader(file: string, names: string[], column: string, flag: string): number {
  const byName = names.indexOf(column);
  if (byName !== -1) return byName;
  if (INDEX.test(column)) {
    const i = Number(column);
    if (i < names.length) return i;
    throw new UserError(`${flag} ${column} is beyond the ${names.length} columns of the header of ${file} (columns: ${listNames(names)}).`);
  }
  throw new UserError(`${flag} "${column}" is not a column of ${file} (columns: ${listNames(names)}).`);
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 20).map((n) => JSON.stringify(n));
  return shown.join(", ") + (names.length > 20 ? `, ... (${names.length} in all)` : "");
}
