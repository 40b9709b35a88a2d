/**
 * Parquet caption files (LAION metadata and the like) through hyparquet, one row group at a time
 * from an AsyncBuffer over a file handle: the file is never loaded whole, only the caption (and
 * key) column chunks of one row group are in memory at once. Page compression: whatever
 * hyparquet-compressors decodes (snappy, gzip, zstd, brotli, lz4).
 *
 * The caption is the `textColumn` column, by default the first of `caption`, `TEXT`, `text`. A
 * null or non-string caption is `empty_caption`; bytes that are not UTF-8 are `invalid_utf8`.
 * Locations are 1-based row numbers.
 */
import { isUtf8 } from "node:buffer";
import type { FileHandle } from "node:fs/promises";
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { UserError } from "../errors.js";
import { errorMessage, openFile } from "./byte-stream.js";
import { DEFAULT_TEXT_FIELDS } from "./columns.js";
import type { CaptionRow, ReaderOptions } from "./record.js";
import type { RowSink } from "./row-sink.js";

/** What the string parser returns for bytes that are not UTF-8 (the caller decides what that means). */
class InvalidUtf8 {
  constructor(readonly bytes: Uint8Array) {}
}

const utf8 = new TextDecoder("utf-8");

function stringFromBytes(bytes: Uint8Array): string | InvalidUtf8 | undefined {
  if (bytes === undefined || bytes === null) return undefined;
  return isUtf8(bytes) ? utf8.decode(bytes) : new InvalidUtf8(bytes);
}

export async function* readParquet(path: string, sink: RowSink, options: ReaderOptions): AsyncGenerator<CaptionRow[]> {
  const handle = await openFile(path);
  try {
    const file = await fileBuffer(path, handle);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      throw notParquet(path, e);
    }
    const names = parquetSchema(metadata).children.map((c) => c.element.name);
    const textColumn = chooseColumn(path, names, options.textColumn, "--text-column");
    const keyColumn = options.keyColumn === undefined ? undefined : chooseColumn(path, names, options.keyColumn, "--key-column");
    const columns = keyColumn === undefined || keyColumn === textColumn ? [textColumn] : [textColumn, keyColumn];
    const keyAt = keyColumn === undefined ? -1 : columns.indexOf(keyColumn);

    const groups = options.rowGroups ?? { start: 0, end: metadata.row_groups.length };
    if (groups.end > metadata.row_groups.length) {
      throw new UserError(`${path} has ${metadata.row_groups.length} row groups, not the ${groups.end} its corpus plan names (was it replaced since?).`);
    }
    let groupStart = 0;
    for (let g = 0; g < groups.start; g++) groupStart += Number(metadata.row_groups[g]!.num_rows);
    for (const group of metadata.row_groups.slice(groups.start, groups.end)) {
      const groupRows = Number(group.num_rows);
      if (groupRows === 0) continue;
      let rows: unknown[][] = [];
      try {
        await parquetRead({
          file,
          metadata,
          columns,
          rowStart: groupStart,
          rowEnd: groupStart + groupRows,
          compressors,
          parsers: { stringFromBytes },
          rowFormat: "array",
          onComplete: (r: unknown[][]) => {
            rows = r;
          },
        });
      } catch (e) {
        throw notParquet(path, e, `row group starting at row ${groupStart + 1}`);
      }
      if (rows.length !== groupRows) {
        throw new UserError(`cannot read ${path} as Parquet: a row group of ${groupRows} rows gave ${rows.length}.`);
      }
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const location = groupStart + i + 1;
        const key = keyAt === -1 ? undefined : keyString(row[keyAt]);
        const text = row[0];
        if (typeof text === "string") sink.caption(text, location, key);
        else if (text instanceof InvalidUtf8) sink.malformed("invalid_utf8", location, undefined, key);
        else sink.malformed("empty_caption", location, text === null || text === undefined ? `${textColumn} is null` : `${textColumn} is not a string`, key);
        if (i % 4096 === 4095) for (const batch of sink.takeFull()) yield batch;
      }
      rows = [];
      for (const batch of sink.takeFull()) yield batch;
      groupStart += groupRows;
    }
    for (const batch of sink.takeAll()) yield batch;
  } finally {
    await handle.close();
  }
}

/** An AsyncBuffer reading slices of the open file on demand. */
async function fileBuffer(path: string, handle: FileHandle): Promise<AsyncBuffer> {
  const { size } = await handle.stat();
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const length = Math.max(0, Math.min(end, size) - start);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(out, done, length - done, start + done));
        } catch (e) {
          throw new UserError(`cannot read ${path}: ${errorMessage(e)}.`);
        }
        if (bytesRead === 0) throw new UserError(`cannot read ${path}: the file ended early (was it truncated while reading?).`);
        done += bytesRead;
      }
      return out.buffer;
    },
  };
}

function chooseColumn(path: string, names: string[], asked: string | undefined, flag: string): string {
  if (asked === undefined) {
    const found = DEFAULT_TEXT_FIELDS.find((f) => names.includes(f));
    if (found) return found;
    throw new UserError(`${path} has no caption, TEXT or text column (columns: ${names.join(", ")}); choose the caption column with --text-column.`);
  }
  if (names.includes(asked)) return asked;
  if (/^\d+$/.test(asked) && Number(asked) < names.length) return names[Number(asked)]!;
  throw new UserError(`${flag} "${asked}" is not a column of ${path} (columns: ${names.join(", ")}).`);
}

function keyString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v;
  if (v instanceof InvalidUtf8) return Buffer.from(v.bytes).toString("utf8");
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  return String(v);
}

function notParquet(path: string, e: unknown, where?: string): UserError {
  if (e instanceof UserError) return e;
  return new UserError(`cannot read ${path} as Parquet${where ? ` (${where})` : ""}: ${errorMessage(e)}.`);
}
