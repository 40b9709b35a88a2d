import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { CorpusFormat, ReaderOptions } from "../corpus/record.js";
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
    .option("--max-caption-length <chars>", "captions longer than this are malformed", positiveInt, 10000);
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
}

export function readerOptions(o: ReaderFlagValues): ReaderOptions {
  return {
    format: o.format,
    header: o.header,
    textColumn: o.textColumn,
    keyColumn: o.keyColumn,
    strict: o.strict,
    maxCaptionLength: o.maxCaptionLength,
  };
}
