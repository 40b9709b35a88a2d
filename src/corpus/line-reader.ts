/**
 * Drives a line-oriented format (TSV, CSV, JSONL): file bytes (decompressed) -> lines -> the
 * format's line parser -> rows in the sink -> batches, one chunk of the file at a time, so memory
 * stays bounded whatever the file's size.
 */
import type { Readable } from "node:stream";
import { cannotRead, readBytes } from "./byte-stream.js";
import { LineSplitter } from "./line-splitter.js";
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
): AsyncGenerator<B> {
  const stream: Readable = await readBytes(path, onBytes);
  const splitter = new LineSplitter(path, (buf, start, end, line, utf8) => format.line(buf, start, end, line, utf8));
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
