/**
 * Splits a byte stream into lines on raw Buffers (searching for 0x0A), without decoding anything.
 *
 * Each line is handed over as (buffer, start, end) with end excluding the "\n" (a "\r" before it is
 * left for the format to strip), its 1-based number, and whether its bytes are valid UTF-8. The
 * UTF-8 check is made once for all whole lines of a chunk (a "\n" byte never occurs inside a
 * multi-byte UTF-8 sequence, so the lines are valid if the span is), and per line only in a chunk
 * that holds an invalid one. A UTF-8 byte order mark at the start of the file is dropped. An empty
 * last line (the file ends with "\n") is not a line.
 */
import { isUtf8 } from "node:buffer";
import { UserError } from "../errors.js";

export type LineHandler = (buf: Buffer, start: number, end: number, line: number, utf8: boolean) => void;

/** The longest line the splitter holds in memory: past it the input is surely not line-oriented. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private line = 0;
  private atStart = true;

  constructor(
    private readonly file: string,
    private readonly onLine: LineHandler,
  ) {}

  push(chunk: Buffer): void {
    if (this.atStart) {
      // Wait for 3 bytes to decide on a byte order mark.
      if (this.partBytes + chunk.length < 3) {
        this.keep(chunk);
        return;
      }
      if (this.partBytes) {
        chunk = Buffer.concat([...this.parts, chunk]);
        this.parts = [];
        this.partBytes = 0;
      }
      this.atStart = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    let pos = 0;
    let nl = chunk.indexOf(10);
    if (nl === -1) {
      this.keep(chunk);
      return;
    }
    if (this.partBytes) {
      const head = Buffer.concat([...this.parts, chunk.subarray(0, nl)]);
      this.parts = [];
      this.partBytes = 0;
      this.onLine(head, 0, head.length, ++this.line, isUtf8(head));
      pos = nl + 1;
      nl = chunk.indexOf(10, pos);
    }
    if (nl !== -1) {
      const last = chunk.lastIndexOf(10);
      const allValid = isUtf8(chunk.subarray(pos, last));
      while (nl !== -1) {
        const valid = allValid || isUtf8(chunk.subarray(pos, nl));
        this.onLine(chunk, pos, nl, ++this.line, valid);
        pos = nl + 1;
        nl = chunk.indexOf(10, pos);
      }
    }
    if (pos < chunk.length) this.keep(chunk.subarray(pos));
  }

  /** Call at the end of the stream: hands over a last line that has no "\n". */
  end(): void {
    if (this.atStart && this.partBytes) {
      let buf = Buffer.concat(this.parts);
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      this.parts = [buf];
      this.partBytes = buf.length;
    }
    if (this.partBytes === 0) return;
    const last = Buffer.concat(this.parts);
    this.parts = [];
    this.partBytes = 0;
    this.onLine(last, 0, last.length, ++this.line, isUtf8(last));
  }

  /** Number of lines handed over so far. */
  get lines(): number {
    return this.line;
  }

  private keep(bytes: Buffer): void {
    this.parts.push(bytes);
    this.partBytes += bytes.length;
    if (this.partBytes > MAX_LINE_BYTES) {
      throw new UserError(
        `${this.file} line ${this.line + 1}: the line is longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB; is this really a line-oriented (TSV/CSV/JSONL) file? Pass --format.`,
      );
    }
  }
}
