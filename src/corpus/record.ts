/**
 * The one record type every corpus reader yields: a caption row, in file order.
 *
 * Every row of the input is a record — malformed ones included, with `malformed` set and `text`
 * empty — because doc ids are dense row numbers: an image index built over the same inputs (one
 * embedding row per caption row) must line up row for row. The index gives a malformed row its doc
 * id, indexes nothing for it, and counts it by kind in the manifest.
 */
export type MalformedKind =
  | "wrong_column_count" // TSV/CSV row with fewer columns than the text column needs
  | "invalid_utf8" // bytes that are not UTF-8
  | "empty_caption" // caption missing, null or only whitespace
  | "caption_too_long" // longer than ReaderOptions.maxCaptionLength characters
  | "bad_json" // a JSONL line or WebDataset .json member that does not parse
  | "unclosed_quote"; // a CSV record whose quoted field is still open at the end of the file

export const MALFORMED_KINDS: readonly MalformedKind[] = [
  "wrong_column_count",
  "invalid_utf8",
  "empty_caption",
  "caption_too_long",
  "bad_json",
  "unclosed_quote",
];

export interface CaptionRow {
  /** The caption ("" when malformed). Newlines inside a caption are kept as they are. */
  text: string;
  /** Where the row is: 1-based line (TSV/CSV/JSONL), row (Parquet) or sample (WebDataset) number. */
  location: number;
  /** The row's key, when the format has one (WebDataset `__key__`) or a key column was asked for. */
  key?: string;
  malformed?: MalformedKind;
}

/**
 * The same records as CaptionRow, a batch at a time, with the captions as their UTF-8 bytes: the
 * index build's path for TSV, where no caption is decoded (the caption store keeps the bytes as
 * they are, and the workers tag them as bytes). Row k's caption is
 * bytes[ends[k - 1] (0 for k = 0), ends[k]); a malformed row's caption is empty and its kind is in
 * `malformed`.
 */
export interface CaptionBytes {
  rows: number;
  bytes: Uint8Array;
  ends: Uint32Array;
  /** The malformed rows' kinds by row index in the batch (undefined when there are none). */
  malformed?: Map<number, MalformedKind>;
}

export type CorpusFormat = "auto" | "tsv" | "csv" | "jsonl" | "parquet" | "wds";

export interface ReaderOptions {
  format?: CorpusFormat;
  /** TSV/CSV: the first row names the columns. */
  header?: boolean;
  /** Column name or 0-based index (TSV/CSV), field name (JSONL, Parquet, WebDataset .json). */
  textColumn?: string;
  /** Optional key column/field (for key-based alignment with image data). */
  keyColumn?: string;
  /** The first malformed row throws a UserError naming file and line. */
  strict?: boolean;
  /** Hears how many bytes of the file have been read so far (progress bars); not for Parquet or zstd-by-command. */
  onBytes?: (bytesRead: number) => void;
  /** Captions longer than this many characters are malformed (default 10,000). */
  maxCaptionLength?: number;
  /**
   * Stop (a UserError) when more than this fraction of a file's first 10,000 rows (or of all its
   * rows, when it has fewer) are malformed. Default: no limit; the index build's default is 0.5.
   */
  maxMalformed?: number;
  /** Rows per yielded batch (default 4096; the last batch of a file may be shorter). */
  batchRows?: number;
  /**
   * TSV/CSV/JSONL, uncompressed: read only the rows in bytes [start, end) of the file, which must
   * begin and end at line starts (a corpus plan's row range). With `header`, the file's first line
   * still names the columns. Line numbers in messages count from the range's start.
   */
  byteRange?: ByteRange;
  /**
   * Parquet: read only row groups [start, end) of the file (a corpus plan's row range). Row numbers
   * in messages stay the file's own.
   */
  rowGroups?: { start: number; end: number };
}

/**
 * A row range of an input file: bytes [start, end) of a TSV/CSV/JSONL file (starting and ending at
 * line starts), or, with `unit: "row-groups"`, row groups [start, end) of a Parquet file, whose
 * compressed column chunks weigh `bytes`.
 */
export interface ByteRange {
  start: number;
  end: number;
  unit?: "row-groups";
  bytes?: number;
}

/** The bytes a row range weighs. */
export const rangeBytes = (r: ByteRange): number => (r.unit === "row-groups" ? r.bytes ?? 0 : r.end - r.start);

export const DEFAULT_MAX_CAPTION_LENGTH = 10_000;
export const DEFAULT_BATCH_ROWS = 4096;
