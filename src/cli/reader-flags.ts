import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { CorpusFormat, ReaderOptions } from "../corpus/record.js";
import { DEFAULT_MAX_MALFORMED } from "../corpus/row-sink.js";
import { positiveInt } from "./action.js";

const FORMATS: CorpusFormat[] = ["auto", "tsv", "csv", "jsonl", "parquet", "wds"];

/** Adds the corpus reader flags shared by every command that reads captions. */
export function addReaderFlags(cmd: Command): Command {
  return cmd
    .option("--format <format>", `input format: ${FORMATS.join("|")} (auto: from the extension)`, parseFormat, "auto")
    .option("--header", "TSV/CSV: the first row names the columns", false)
    .option("--text-column <name|index>", "caption column: 0-based index or name (default 0, or caption/TEXT/text with --header; JSONL/Parquet/WebDataset .json: field name)")
    .option("--key-column <name|index>", "optional key column or field, kept with each row")
    .option("--strict", "make the first malformed row an error naming file and line", false)
    .option("--max-caption-length <chars>", "captions longer than this are malformed", positiveInt, 10000)
    .option(
      "--max-malformed <fraction>",
      "stop when more than this fraction of a file's first 10,000 rows (or of all, when fewer) are malformed; 1: never (default: 0.5)",
      parseFraction,
    );
}

function parseFraction(v: string): number {
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x) || x < 0 || x > 1) throw new InvalidArgumentError("expected a fraction from 0 to 1, such as 0.5.");
  return x;
}

function parseFormat(v: string): CorpusFormat {
  if (!FORMATS.includes(v as CorpusFormat)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(", ")}.`);
  return v as CorpusFormat;
}

export interface ReaderFlagValues {
  format: CorpusFormat;
  header: boolean;
  textColumn?: string;
  keyColumn?: string;
  strict: boolean;
  maxCaptionLength: number;
  maxMalformed?: number;
}

export function readerOptions(o: ReaderFlagValues): ReaderOptions {
  return {
    format: o.format,
    header: o.header,
    textColumn: o.textColumn,
    keyColumn: o.keyColumn,
    strict: o.strict,
    maxCaptionLength: o.maxCaptionLength,
    maxMalformed: o.maxMalformed ?? DEFAULT_MAX_MALFORMED,
  };
}
