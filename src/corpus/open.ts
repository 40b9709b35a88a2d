/**
 * Opening a corpus file: the format from the option or the file name, then the format's streaming
 * reader. Every reader yields the same CaptionRow records, in file order, in batches; TSV can also
 * be read as CaptionBytes batches (the same records, captions as UTF-8 bytes) for the index build.
 */
import { statSync } from "node:fs";
import { basename, join } from "node:path";
import { UserError } from "../errors.js";
import { cannotRead, STDIN } from "./byte-stream.js";
import { columnsWithoutHeader } from "./columns.js";
import { CsvFormat, TsvFormat } from "./delimited.js";
import { JsonlFormat } from "./jsonl.js";
import { readLineFormat } from "./line-reader.js";
import { DEFAULT_BATCH_ROWS, DEFAULT_MAX_CAPTION_LENGTH, type CaptionBytes, type CaptionRow, type CorpusFormat, type ReaderOptions } from "./record.js";
import { CaptionBytesSink, RowSink } from "./row-sink.js";

type ConcreteFormat = Exclude<CorpusFormat, "auto">;

const EXTENSIONS: Record<string, ConcreteFormat> = {
  tsv: "tsv",
  txt: "tsv",
  csv: "csv",
  jsonl: "jsonl",
  json: "jsonl",
  ndjson: "jsonl",
  parquet: "parquet",
  tar: "wds",
  tgz: "wds",
};

const COMPRESSED = ["gz", "zst"];

/**
 * The format a file name says: .tsv/.txt, .csv, .jsonl/.json/.ndjson, .parquet, .tar (WebDataset),
 * after dropping a .gz or .zst suffix (`captions.tsv.gz`, `x.jsonl.zst`, `shard.tar.gz`).
 */
export function detectFormat(path: string): ConcreteFormat {
  if (path === STDIN) throw new UserError("reading standard input (-) needs --format tsv, csv, jsonl or wds: there is no file name to tell the format by.");
  const parts = basename(path).toLowerCase().split(".");
  if (parts.length > 2 && COMPRESSED.includes(parts[parts.length - 1]!)) parts.pop();
  const ext = parts.length > 1 ? parts[parts.length - 1]! : "";
  const format = EXTENSIONS[ext];
  if (format === undefined) {
    throw new UserError(
      `cannot tell the format of ${path} from its name (${ext ? `.${ext}` : "no extension"}); pass --format tsv, csv, jsonl, parquet or wds.`,
    );
  }
  return format;
}

function rangeOf(options: ReaderOptions, hasHeader = options.header === true): { start: number; end: number; header: boolean } | undefined {
  return options.byteRange ? { ...options.byteRange, header: hasHeader } : undefined;
}

/**
 * What an input path is: a file ("file"), or standard input (`-`), a FIFO, a pipe or a device,
 * read once in order ("stream"). A missing path is `cannot read X: no such file.`; a directory is
 * an error of its own.
 */
export function corpusInputKind(path: string): "file" | "stream" {
  if (path === STDIN) return "stream";
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw cannotRead(path, e);
  }
  if (st.isDirectory()) throw new UserError(`${path} is a directory, not a corpus file; give the files in it (for example ${join(path, "*.tsv")}).`);
  return st.isFile() ? "file" : "stream";
}

/** The size of an input in bytes (0 for a stream: its size is not known before it is read). */
export function corpusInputSize(path: string): number {
  return corpusInputKind(path) === "file" ? statSync(path).size : 0;
}

/** The checks every opening makes before reading (format, options, the file): those that need no reading. */
function prepare(path: string, options: ReaderOptions): { format: ConcreteFormat; maxCaptionLength: number; batchRows: number; opts: ReaderOptions } {
  const auto = options.format === undefined || options.format === "auto";
  const format: ConcreteFormat = auto ? detectFormat(path) : (options.format as ConcreteFormat);
  const maxCaptionLength = options.maxCaptionLength ?? DEFAULT_MAX_CAPTION_LENGTH;
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isInteger(maxCaptionLength) || maxCaptionLength <= 0) {
    throw new UserError(`the maximum caption length must be a positive integer, not ${maxCaptionLength}.`);
  }
  if (!Number.isInteger(batchRows) || batchRows <= 0) throw new UserError(`batchRows must be a positive integer, not ${batchRows}.`);
  if (options.textColumn === "") throw new UserError("--text-column must not be empty.");
  if (options.keyColumn === "") throw new UserError("--key-column must not be empty.");
  if (format === "parquet" && /\.(gz|zst)$/i.test(path)) {
    throw new UserError(`${path}: compressed Parquet files cannot be read (Parquet compresses its pages itself); decompress it first.`);
  }
  if (corpusInputKind(path) === "stream" && format === "parquet") {
    throw new UserError(`${path === STDIN ? "standard input" : path} is a pipe, not a file: Parquet is read by seeking in a file; save it to a file first.`);
  }
  if (options.rowGroups && format !== "parquet") throw new UserError(`${path}: a range of row groups can be read from Parquet files only, not ${format}.`);
  if (options.byteRange && format !== "tsv" && format !== "csv" && format !== "jsonl") {
    throw new UserError(`${path}: a byte range of rows can be read from TSV, CSV and JSONL files only, not ${format}.`);
  }
  return { format, maxCaptionLength, batchRows, opts: { ...options, maxCaptionLength } };
}

/**
 * Streams the caption rows of one corpus file, in file order, in batches of `batchRows` (default
 * 4096) rows. Memory stays bounded whatever the file's size. Malformed rows are yielded too
 * (`text` empty, `malformed` set) unless `strict`, where the first one is a UserError naming the
 * file and line. Option and file errors (unknown format, missing file, bad column) are UserErrors:
 * those that need no reading are thrown by this call, the others by the first iteration.
 */
export function openCorpus(path: string, options: ReaderOptions = {}): AsyncIterable<CaptionRow[]> {
  const { format, maxCaptionLength, batchRows, opts } = prepare(path, options);
  const unit = format === "parquet" ? "row" : format === "wds" ? "sample" : "line";
  const newSink = () => new RowSink(path, unit, options.strict === true, maxCaptionLength, batchRows, options.maxMalformed);
  let start: () => AsyncGenerator<CaptionRow[]>;
  switch (format) {
    case "tsv":
    case "csv":
      // Headerless column options are checked now; named columns at the header row.
      if (options.header !== true) columnsWithoutHeader(path, options.textColumn, options.keyColumn);
      start = () => {
        const sink = newSink();
        return readLineFormat(path, sink, format === "tsv" ? new TsvFormat(path, sink, opts) : new CsvFormat(path, sink, opts), options.onBytes, rangeOf(options));
      };
      break;
    case "jsonl":
      start = () => {
        const sink = newSink();
        return readLineFormat(path, sink, new JsonlFormat(sink, opts), options.onBytes, rangeOf(options, false));
      };
      break;
    case "parquet":
      // loaded on first use: the Parquet and tar readers' libraries cost start-up time for other formats
      start = async function* () {
        const { readParquet } = await import("./parquet.js");
        yield* readParquet(path, newSink(), opts);
      };
      break;
    case "wds":
      start = async function* () {
        const { readWebDataset } = await import("./webdataset.js");
        yield* readWebDataset(path, newSink(), opts);
      };
      break;
    default:
      throw new UserError(`unknown format "${String(format)}"; use tsv, csv, jsonl, parquet or wds.`);
  }
  return { [Symbol.asyncIterator]: start };
}

/**
 * The caption rows of a TSV file as CaptionBytes batches (the index build's path: captions stay
 * UTF-8 bytes on the reading thread), with openCorpus's checks, malformed rows and strict mode;
 * undefined for the other formats (read them with openCorpus).
 */
export function openCaptionBytes(path: string, options: ReaderOptions = {}): AsyncIterable<CaptionBytes> | undefined {
  const { format, maxCaptionLength, batchRows, opts } = prepare(path, options);
  if (format !== "tsv") return undefined;
  if (options.header !== true) columnsWithoutHeader(path, options.textColumn, options.keyColumn);
  return {
    [Symbol.asyncIterator]: () => {
      const sink = new CaptionBytesSink(path, options.strict === true, maxCaptionLength, batchRows, options.maxMalformed);
      return readLineFormat(path, sink, new TsvFormat(path, sink, opts), options.onBytes, rangeOf(options));
    },
  };
}
