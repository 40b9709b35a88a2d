/**
 * A file's bytes as a stream of Buffers, decompressed on the fly when the file is gzip or zstd.
 * Compression is recognised by the file's first bytes (gzip 1f 8b, zstd 28 b5 2f fd), not by its
 * name; neither magic can begin a UTF-8 text, so a plain text file is never mistaken for one.
 *
 * gzip: Node's zlib. zstd (Node 20's zlib has none): the `zstd` command in a child process when it
 * is on the PATH (about ten times faster than JavaScript, and on another core), else fzstd in
 * JavaScript. CONCEPTFREQ_ZSTD=js or =command forces one of them.
 */
import { spawn, spawnSync } from "node:child_process";
import { open, type FileHandle } from "node:fs/promises";
import { PassThrough, Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import { UserError } from "../errors.js";

export type Compression = "none" | "gzip" | "zstd";

const CHUNK_BYTES = 1 << 20;

/** Opens `path` for reading; a missing or unreadable file is a UserError `cannot read FILE: ...`. */
export async function openFile(path: string): Promise<FileHandle> {
  try {
    const handle = await open(path, "r");
    const st = await handle.stat().catch(async (e: unknown) => {
      await handle.close();
      throw e;
    });
    if (st.isDirectory()) {
      await handle.close();
      throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    }
    return handle;
  } catch (e) {
    throw cannotRead(path, e);
  }
}

/**
 * The file's bytes, decompressed. Errors while reading surface from the stream as UserErrors.
 * `onBytes`, when given, hears how many bytes of the file (compressed) have been read so far — for
 * progress bars; a zstd file decoded by the `zstd` command reports nothing.
 */
export async function readBytes(path: string, onBytes?: (bytesRead: number) => void, range?: { start: number; end: number }): Promise<Readable> {
  if (range && path === STDIN) throw new UserError("a byte range of rows cannot be read from standard input.");
  if (path === STDIN) return streamBytes(path, process.stdin, onBytes);
  const handle = await openFile(path);
  let regular: boolean;
  try {
    regular = (await handle.stat()).isFile();
  } catch (e) {
    await handle.close();
    throw cannotRead(path, e);
  }
  // a FIFO, a pipe (/dev/stdin, <(zstdcat x.zst)) or a device: read once, in order, never seeking
  if (!regular && range) {
    await handle.close();
    throw new UserError(`${path} is not a regular file; a byte range of its rows can be read only from one.`);
  }
  if (!regular) return streamBytes(path, handle.createReadStream({ highWaterMark: CHUNK_BYTES }), onBytes);
  let compression: Compression;
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    compression = sniffCompression(head.subarray(0, bytesRead));
  } catch (e) {
    await handle.close();
    throw cannotRead(path, e);
  }
  if (range && compression !== "none") {
    await handle.close();
    throw new UserError(`${path} is ${compression}-compressed; a byte range of its rows can be read only from an uncompressed file.`);
  }
  if (range) {
    if (range.end <= range.start) {
      await handle.close();
      return Readable.from([]);
    }
    const raw = handle.createReadStream({ start: range.start, end: range.end - 1, highWaterMark: CHUNK_BYTES });
    return onBytes ? pipeline(raw, byteCounter(onBytes), () => {}) : raw;
  }
  if (compression === "zstd" && zstdDecoder() === "command") {
    await handle.close();
    return zstdCommand(path);
  }
  const raw = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES });
  const counted = onBytes ? pipeline(raw, byteCounter(onBytes), () => {}) : raw;
  if (compression === "none") return counted;
  const inflate = compression === "gzip" ? createGunzip({ chunkSize: 256 * 1024 }) : new ZstdDecompress();
  // pipeline destroys every stream on error; the error reaches whoever iterates `inflate`.
  return pipeline(counted, inflate, () => {});
}

/** The input name that means standard input. */
export const STDIN = "-";

/**
 * The bytes of a stream that cannot seek (standard input, a FIFO), decompressed: its first bytes
 * are read to recognise gzip or zstd (decoded in JavaScript: the zstd command wants a file), then
 * handed on ahead of the rest.
 */
async function streamBytes(path: string, raw: Readable, onBytes?: (bytesRead: number) => void): Promise<Readable> {
  const source = onBytes ? pipeline(raw, byteCounter(onBytes), () => {}) : raw;
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  let ended = false;
  try {
    while (head.length < 4) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      head = Buffer.concat([head, next.value]);
    }
  } catch (e) {
    source.destroy();
    throw cannotRead(path, e);
  }
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    while (!ended) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const plain = Readable.from(all(), { objectMode: false });
  plain.on("close", () => source.destroy());
  const compression = sniffCompression(head.subarray(0, 4));
  if (compression === "none") return plain;
  const inflate = compression === "gzip" ? createGunzip({ chunkSize: 256 * 1024 }) : new ZstdDecompress();
  return pipeline(plain, inflate, () => {});
}

function byteCounter(onBytes: (bytesRead: number) => void): Transform {
  let read = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      read += chunk.length;
      onBytes(read);
      done(null, chunk);
    },
  });
}

export function sniffCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return "none";
}

let zstdFound: boolean | undefined;

/** Which zstd decoder to use: the `zstd` command when it runs, else JavaScript. */
export function zstdDecoder(): "command" | "js" {
  const forced = process.env.CONCEPTFREQ_ZSTD;
  if (forced === "js" || forced === "command") return forced;
  if (zstdFound === undefined) {
    const r = spawnSync("zstd", ["--version"], { stdio: "ignore", timeout: 10_000 });
    zstdFound = !r.error && r.status === 0;
  }
  return zstdFound ? "command" : "js";
}

/** `zstd -dc FILE` as a stream; a failure of the command becomes an error of the stream. */
function zstdCommand(path: string): Readable {
  const child = spawn("zstd", ["-d", "-c", "-q", "--", path], { stdio: ["ignore", "pipe", "pipe"] });
  const out = new PassThrough({ highWaterMark: CHUNK_BYTES });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => {
    if (stderr.length < 2000) stderr += d;
  });
  child.stdout.pipe(out, { end: false });
  let exited = false;
  child.on("error", (e) => {
    exited = true;
    out.destroy(new Error(`cannot run zstd (${errorMessage(e)})`));
  });
  child.on("close", (code, signal) => {
    exited = true;
    if (code === 0) out.end();
    else if (!out.destroyed) {
      const why = stderr.trim().split("\n").pop()?.replace(/^zstd: /, "").replace(/^.*?: /, "") || `zstd exited with ${code ?? signal}`;
      out.destroy(new Error(`not valid zstd data (${why})`));
    }
  });
  out.on("close", () => {
    if (!exited) child.kill();
  });
  return out;
}

/** Streaming zstd decompression (Node 20's zlib has none) through fzstd. */
class ZstdDecompress extends Transform {
  private readonly inflater = new Decompress((data) => {
    if (data.length) this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
  });

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.inflater.push(chunk);
      done();
    } catch (e) {
      done(zstdError(e));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.inflater.push(new Uint8Array(0), true);
      done();
    } catch (e) {
      done(zstdError(e));
    }
  }
}

function zstdError(e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(`not valid zstd data (${msg})`);
}

/** `cannot read FILE: reason.` for an error met while opening or reading a file. */
export function cannotRead(path: string, e: unknown): UserError {
  if (e instanceof UserError) return e;
  return new UserError(`cannot read ${path}: ${describeReadError(e)}.`);
}

function describeReadError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    case "Z_DATA_ERROR":
    case "Z_BUF_ERROR":
      return `not valid gzip data (${errorMessage(e)})`;
    default:
      return errorMessage(e);
  }
}

export function errorMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/\.+$/, "");
}
