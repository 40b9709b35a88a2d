/**
 * WebDataset shards: a tar file (optionally .tar.gz / .tar.zst) whose members are grouped into
 * samples by `__key__`, the member name up to the first dot of its base name
 * (`shard/000123.jpg` and `shard/000123.txt` are sample `shard/000123`, extensions `jpg`, `txt`).
 * Members of one sample are consecutive, as WebDataset writes them; a key that comes back after
 * another sample starts a new sample. Members whose base name has no dot, or begins with one, belong
 * to no sample and are skipped (as WebDataset does).
 *
 * The caption is the `.txt` member, else the `caption`/`TEXT`/`text` field of the `.json` member.
 * With `textColumn` set it is the member with that extension (e.g. `caption` for `.caption`,
 * `caption.txt`), else that field of the `.json` member. A sample without a caption is
 * `empty_caption`. Each sample is one row, with `key` = `__key__` and location = its 1-based sample
 * number in the shard. Only the caption members are read; images are skipped.
 */
import { isUtf8 } from "node:buffer";
import type { Readable } from "node:stream";
import tar, { type Header } from "tar-stream";
import { UserError } from "../errors.js";
import { errorMessage, readBytes } from "./byte-stream.js";
import { captionFromObject } from "./jsonl.js";
import type { CaptionRow, ReaderOptions } from "./record.js";
import type { RowSink } from "./row-sink.js";

/** A tar member as tar-stream hands it over. */
type Entry = AsyncIterable<Buffer> & { header: Header };

/** A .json member larger than this is not read (and is `bad_json`). */
export const MAX_JSON_MEMBER_BYTES = 64 * 1024 * 1024;

interface Member {
  bytes?: Buffer; // undefined when it was too large to read
  size: number;
}

interface Sample {
  key: string;
  text?: Member; // the .txt member, or the member named by textColumn
  json?: Member;
}

export async function* readWebDataset(path: string, sink: RowSink, options: ReaderOptions): AsyncGenerator<CaptionRow[]> {
  const textExt = options.textColumn ?? "txt";
  const textField = options.textColumn; // field of the .json member; undefined: caption/TEXT/text
  // A text member bigger than this holds more than maxCaptionLength characters whatever it says
  // (a UTF-16 code unit takes at most 3 bytes of UTF-8), so it is not read.
  const maxTextBytes = 3 * (options.maxCaptionLength ?? Number.MAX_SAFE_INTEGER);
  const bytes: Readable = await readBytes(path, options.onBytes);
  const extract = tar.extract();
  bytes.on("error", (e) => extract.destroy(e));
  bytes.pipe(extract);
  const entries = extract[Symbol.asyncIterator]() as AsyncIterator<Entry>;
  let sampleNo = 0;
  let sample: Sample | undefined;

  const finish = (s: Sample): void => {
    const location = ++sampleNo;
    if (s.text) {
      textCaption(sink, s.text, location, s.key, maxTextBytes);
    } else if (s.json) {
      jsonCaption(sink, s.json, textField, location, s.key);
    } else {
      sink.malformed("empty_caption", location, `no .${textExt} or .json member`, s.key);
    }
  };

  try {
    for (;;) {
      let next: IteratorResult<Entry>;
      try {
        next = await entries.next();
      } catch (e) {
        throw notTar(path, e);
      }
      if (next.done) break;
      const entry = next.value;
      const name = entry.header.name;
      const type = entry.header.type;
      const slash = name.lastIndexOf("/");
      const dot = name.indexOf(".", slash + 1);
      if ((type !== "file" && type !== "contiguous-file") || dot <= slash + 1) {
        await skip(path, entry);
        continue;
      }
      const key = name.slice(0, dot);
      const ext = name.slice(dot + 1);
      if (sample === undefined || sample.key !== key) {
        if (sample !== undefined) finish(sample);
        sample = { key };
        for (const batch of sink.takeFull()) yield batch;
      }
      const size = entry.header.size ?? 0;
      if (ext === textExt && sample.text === undefined) {
        sample.text = { size, bytes: size > maxTextBytes ? await skip(path, entry) : await readAll(path, entry) };
      } else if (ext === "json" && sample.json === undefined) {
        sample.json = { size, bytes: size > MAX_JSON_MEMBER_BYTES ? await skip(path, entry) : await readAll(path, entry) };
      } else {
        await skip(path, entry);
      }
    }
    if (sample !== undefined) finish(sample);
    for (const batch of sink.takeAll()) yield batch;
  } finally {
    bytes.destroy();
    extract.destroy();
  }
}

function textCaption(sink: RowSink, member: Member, location: number, key: string, maxTextBytes: number): void {
  if (member.bytes === undefined) {
    sink.malformed("caption_too_long", location, `a caption member of ${member.size} bytes, over ${maxTextBytes / 3} characters`, key);
  } else if (!isUtf8(member.bytes)) {
    sink.malformed("invalid_utf8", location, undefined, key);
  } else {
    sink.caption(member.bytes.toString("utf8"), location, key);
  }
}

function jsonCaption(sink: RowSink, member: Member, field: string | undefined, location: number, key: string): void {
  if (member.bytes === undefined) {
    sink.malformed("bad_json", location, `a .json member of ${member.size} bytes is too large to read`, key);
    return;
  }
  if (!isUtf8(member.bytes)) {
    sink.malformed("invalid_utf8", location, undefined, key);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(member.bytes.toString("utf8"));
  } catch (e) {
    sink.malformed("bad_json", location, errorMessage(e), key);
    return;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    sink.malformed("bad_json", location, "the .json member is not a JSON object", key);
    return;
  }
  captionFromObject(sink, value as Record<string, unknown>, field, location, key);
}

async function readAll(path: string, entry: Entry): Promise<Buffer> {
  const parts: Buffer[] = [];
  try {
    for await (const part of entry) parts.push(part as Buffer);
  } catch (e) {
    throw notTar(path, e);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

async function skip(path: string, entry: Entry): Promise<undefined> {
  try {
    for await (const _ of entry) {
      // drain
    }
  } catch (e) {
    throw notTar(path, e);
  }
  return undefined;
}

function notTar(path: string, e: unknown): UserError {
  if (e instanceof UserError) return e;
  return new UserError(`cannot read ${path} as a WebDataset tar: ${errorMessage(e)}.`);
}
