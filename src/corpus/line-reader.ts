/**
 * Drives a line-oriented format (TSV, CSV, JSONL): file bytes (decompressed) -> lines -> the
 * format's line parser -> rows in the sink -> batches, one chunk of the file at a time, so memory
 * stays bounded whatever the file's size.
 */
import type { Readable } from "node:stream";
import { cannotRead, openFile, readBytes } from "./byte-stream.js";
import { LineSplitter, MAX_LINE_BYTES } from "./line-splitter.js";
/** Where a format puts its rows, in batches (RowSink, or CaptionBytesSink for TSV captions as bytes). */
export interface BatchSink<B> {
  takeFull(): B[];
  takeAll(): B[];
}

export interface LineFormat {
  /** One line: bytes buf[start, end) without "\n", its 1-based number, whether it is valid UTF-8. */
  line(buf: Buffer, start: number, end: number, line: number, utf8: boolean): void;
  /** The input ended (a CSV record may still be open). */
  end(): void;
}

export async function* readLineFormat<B>(
  path: string,
  sink: BatchSink<B>,
  format: LineFormat,
  onBytes?: (bytesRead: number) => void,
  range?: { start: number; end: number; header: boolean },
): AsyncGenerator<B> {
  const splitter = new LineSplitter(path, (buf, start, end, line, utf8) => format.line(buf, start, end, line, utf8));
  // A range after the file's start: its header line (the column names) goes to the format first.
  if (range && range.start > 0 && range.header) splitter.push(await firstLine(path));
  const stream: Readable = await readBytes(path, onBytes, range);
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (e) {
        throw cannotRead(path, e);
      }
      if (next.done) break;
      splitter.push(next.value);
      for (const batch of sink.takeFull()) yield batch;
    }
    splitter.end();
    format.end();
    for (const batch of sink.takeAll()) yield batch;
  } finally {
    stream.destroy();
  }
}

/** The file's first line with its "\n" (read from an uncompressed file). */
async function firstLine(path: string): Promise<Buffer> {
  const handle = await openFile(path);
  try {
    const parts: Buffer[] = [];
    let pos = 0;
    for (;;) {
      const buf = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      const nl = buf.subarray(0, bytesRead).indexOf(10);
      if (nl !== -1 || bytesRead === 0 || pos > MAX_LINE_BYTES) {
        parts.push(buf.subarray(0, nl === -1 ? bytesRead : nl + 1));
        if (nl === -1) parts.push(Buffer.from("\n"));
        return Buffer.concat(parts);
      }
      parts.push(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } catch (e) {
    throw cannotRead(path, e);
  } finally {
    await handle.close();
  }
}
