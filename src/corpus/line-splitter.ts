/**
 * Splits a byte stream into lines on raw Buffers (searching for line-end bytes), without decoding
 * anything.
 *
 * Line ends. A file's first line end decides: when it is "\n" or "\r\n" (nearly every file), a
 * line ends at "\n" and is handed over with a "\r" before the "\n" left for the format to strip
 * (a "\r" elsewhere is an ordinary byte, as it always was). When it is a bare "\r" (classic Mac
 * line ends, which would otherwise make a whole file one line), "\r\n", "\n" and bare "\r" all
 * end a line and none of them is handed over; a "\r\n" split across two chunks is one line end.
 *
 * Each line is handed over as (buffer, start, end), its 1-based number, and whether its bytes are
 * valid UTF-8. The UTF-8 check is made once for all whole lines of a chunk (a line-end byte never
 * occurs inside a multi-byte UTF-8 sequence, so the lines are valid if the span is), and per line
 * only in a chunk that holds an invalid one. A UTF-8 byte order mark at the start of the file is
 * dropped. An empty last line (the file ends with a line end) is not a line.
 */
import { isUtf8 } from "node:buffer";
import { UserError } from "../errors.js";

export type LineHandler = (buf: Buffer, start: number, end: number, line: number, utf8: boolean) => void;

/** The longest line the splitter holds in memory: past it the input is surely not line-oriented. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Line ends not known yet; "\n" (CRLF or LF files); or "\r", "\r\n" and "\n" (a file whose first line end is a bare "\r"). */
const UNDECIDED = 0;
const LF = 1;
const CR = 2;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private line = 0;
  private atStart = true;
  private mode = UNDECIDED;
  /** Undecided, and the bytes kept end with a "\r" (the next byte decides). */
  private pendingCr = false;
  /** Bare-CR mode, and the last chunk ended with "\r". */
  private skipLf = false;

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
    if (this.mode === UNDECIDED && !this.decide(chunk)) {
      this.keep(chunk);
      return;
    }
    if (this.mode === LF) this.pushLf(chunk);
    else this.pushCr(chunk);
  }

  /** Decides the line ends from the first one (in the bytes kept so far, then chunk); false: not yet known. */
  private decide(chunk: Buffer): boolean {
    if (this.pendingCr) {
      // the bytes kept end with the file's first line-end byte, a "\r"
      if (chunk.length === 0) return false;
      this.pendingCr = false;
      if (chunk[0] === 10) {
        this.mode = LF;
        return true;
      }
      this.mode = CR;
      const kept = Buffer.concat(this.parts);
      this.parts = [];
      this.partBytes = 0;
      this.onLine(kept, 0, kept.length - 1, ++this.line, isUtf8(kept));
      return true;
    }
    const nl = chunk.indexOf(10);
    const cr = chunk.indexOf(13);
    if (cr !== -1 && (nl === -1 || cr < nl)) {
      if (cr + 1 === chunk.length) {
        this.pendingCr = true;
        return false;
      }
      this.mode = chunk[cr + 1] === 10 ? LF : CR;
      return true;
    }
    if (nl === -1) return false;
    this.mode = LF;
    return true;
  }

  /** Lines end at "\n" (a "\r" before it is left in the line). */
  private pushLf(chunk: Buffer): void {
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

  /** Lines end at "\r\n", "\n" or a bare "\r" (none of them handed over). */
  private pushCr(chunk: Buffer): void {
    let pos = 0;
    if (this.skipLf) {
      // the last chunk ended with "\r": a "\n" starting this one belongs to that line end
      if (chunk.length === 0) return;
      this.skipLf = false;
      if (chunk[0] === 10) pos = 1;
    }
    // the next "\n" and "\r" at or after pos, each searched again only once passed (linear)
    let nl = chunk.indexOf(10, pos);
    let cr = chunk.indexOf(13, pos);
    const eol = (): number => (nl === -1 ? cr : cr === -1 ? nl : Math.min(nl, cr));
    let e = eol();
    if (e === -1) {
      if (pos < chunk.length) this.keep(chunk.subarray(pos));
      return;
    }
    const lastEol = Math.max(chunk.lastIndexOf(10), chunk.lastIndexOf(13));
    const allValid = isUtf8(chunk.subarray(pos, lastEol));
    while (e !== -1) {
      if (this.partBytes) {
        const head = Buffer.concat([...this.parts, chunk.subarray(pos, e)]);
        this.parts = [];
        this.partBytes = 0;
        this.onLine(head, 0, head.length, ++this.line, isUtf8(head));
      } else {
        this.onLine(chunk, pos, e, ++this.line, allValid || isUtf8(chunk.subarray(pos, e)));
      }
      pos = e + 1;
      if (chunk[e] === 13) {
        if (pos === chunk.length) this.skipLf = true;
        else if (chunk[pos] === 10) pos++;
      }
      if (nl !== -1 && nl < pos) nl = chunk.indexOf(10, pos);
      if (cr !== -1 && cr < pos) cr = chunk.indexOf(13, pos);
      e = eol();
    }
    if (pos < chunk.length) this.keep(chunk.subarray(pos));
  }

  /** Call at the end of the stream: hands over a last line that has no "\n". */
  end(): void {
    if (this.atStart) {
      this.atStart = false;
      let buf = Buffer.concat(this.parts);
      this.parts = [];
      this.partBytes = 0;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      if (buf.length) this.push(buf);
    }
    if (this.partBytes === 0) return;
    let last = Buffer.concat(this.parts);
    this.parts = [];
    this.partBytes = 0;
    // a file whose only line end is one "\r" at its very end: bare-CR line ends
    if (this.mode === UNDECIDED && this.pendingCr) last = last.subarray(0, last.length - 1);
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
