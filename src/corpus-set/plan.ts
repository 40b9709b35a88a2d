/**
 * A corpus plan (plan.json): which input files each shard indexes, and how they are read.
 *
 * Shards take contiguous runs of the inputs in the order given, so a doc's global id is its
 * shard's first doc id plus its id inside the shard, and global ids run in input order exactly as
 * one index over the same inputs would number them. The runs are balanced by file size; a TSV or
 * JSONL file much larger than a shard's share (over twice the total / N) is first cut into row
 * ranges at line boundaries (about one share each), and a large Parquet file into runs of its row
 * groups (about one share of compressed bytes each): consecutive entries of `inputs` with a `range`,
 * so its rows keep their order and a shard may take a range of one file. The plan
 * records each input's absolute path, byte size and modification time: a shard build refuses an
 * input that changed since.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { parquetMetadata } from "hyparquet";
import { sniffCompression } from "../corpus/byte-stream.js";
import { detectFormat } from "../corpus/open.js";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { rangeBytes, type ByteRange, type ReaderOptions } from "../corpus/record.js";
import { ANALYZER } from "../text/analyzer-version.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { makeDirs } from "../io/file-system.js";

export const PLAN_FORMAT = "conceptfreq-corpus-plan";
export const PLAN_FORMAT_VERSION = 1;
/** The version of a plan with row ranges (older conceptfreqs, which would read whole files, refuse it). */
export const PLAN_FORMAT_VERSION_RANGES = 2;
/** The version of a plan with Parquet row-group ranges. */
export const PLAN_FORMAT_VERSION_ROW_GROUPS = 3;
export const PLAN_FILE = "plan.json";

export interface PlannedInput {
  /** Absolute path. */
  path: string;
  /** The file's size. */
  bytes: number;
  mtimeMs: number;
  /** Only the rows in bytes [start, end) of the file (starting and ending at line starts), or (`unit: "row-groups"`) Parquet row groups [start, end). */
  range?: ByteRange;
}

/** The bytes an input (or its range) weighs. */
export const inputBytes = (i: PlannedInput) => (i.range ? rangeBytes(i.range) : i.bytes);

/** Reader options every shard is read with (the flags `index build` takes). */
export interface PlanReader {
  format: NonNullable<ReaderOptions["format"]>;
  header: boolean;
  textColumn: string | null;
  keyColumn: string | null;
  strict: boolean;
  maxCaptionLength: number;
  /** The share of malformed rows above which a shard build fails (absent in older plans: the default). */
  maxMalformed?: number;
}

export interface PlannedShard {
  shard: number;
  /** Index into `inputs` of the shard's first file. */
  firstInput: number;
  /** How many consecutive inputs the shard takes. */
  inputCount: number;
  bytes: number;
}

export interface CorpusPlan {
  format: typeof PLAN_FORMAT;
  formatVersion: number;
  analyzer: { name: string; version: string };
  reader: PlanReader;
  inputs: PlannedInput[];
  shards: PlannedShard[];
}

/**
 * Cuts `sizes` (in order) into `n` non-empty contiguous runs of about equal total size: run k ends
 * where the running total comes closest to (k + 1) / n of the whole, leaving every later run at
 * least one file. Deterministic: the same sizes and n always give the same runs.
 */
export function assignShards(sizes: readonly number[], n: number): { firstInput: number; inputCount: number; bytes: number }[] {
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--shards must be a positive integer, not ${n}.`);
  if (n > sizes.length) {
    throw new UserError(`${n} shards need at least ${n} input files, and ${sizes.length} were given; shards take whole files, so give --shards ${sizes.length} or fewer.`);
  }
  // Each file weighs its size, and at least one byte, so that empty files still spread.
  const w = sizes.map((s) => Math.max(1, s));
  const total = w.reduce((a, b) => a + b, 0);
  const prefix = [0];
  for (const x of w) prefix.push(prefix[prefix.length - 1]! + x);
  const ends: number[] = [];
  let start = 0;
  for (let k = 0; k < n - 1; k++) {
    const target = (total * (k + 1)) / n;
    const lo = start + 1; // at least one file in this run
    const hi = sizes.length - (n - 1 - k); // leave one file for each later run
    let best = lo;
    for (let e = lo; e <= hi; e++) {
      if (Math.abs(prefix[e]! - target) < Math.abs(prefix[best]! - target)) best = e;
      if (prefix[e]! >= target) break;
    }
    ends.push(best);
    start = best;
  }
  ends.push(sizes.length);
  let first = 0;
  return ends.map((end) => {
    const run = { firstInput: first, inputCount: end - first, bytes: sizes.slice(first, end).reduce((a, b) => a + b, 0) };
    first = end;
    return run;
  });
}

export interface PlanOptions {
  shards: number;
  /** The corpus directory to create (plan.json goes in it). */
  out: string;
  reader?: ReaderOptions;
  /** Replace an existing plan (only when no shard has been built yet). */
  force?: boolean;
}

/** Writes DIR/plan.json for the inputs (in doc-id order) and returns it. */
export function planCorpus(inputs: readonly string[], opts: PlanOptions): CorpusPlan {
  if (inputs.length === 0) throw new UserError("corpus plan needs at least one input file.");
  const planned: PlannedInput[] = inputs.map((p) => {
    const path = resolve(p);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`cannot read ${p}: no such file.`);
    const st = statSync(path);
    return { path, bytes: st.size, mtimeMs: Math.floor(st.mtimeMs) };
  });
  const seen = new Set<string>();
  for (const [i, p] of planned.entries()) {
    if (seen.has(p.path)) throw new UserError(`${inputs[i]} is given twice; each input file belongs to one shard.`);
    seen.add(p.path);
  }
  const out = resolve(opts.out);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UserError(`${opts.out} is a file, not a corpus directory.`);
    const planPath = join(out, PLAN_FILE);
    if (existsSync(planPath)) {
      if (!opts.force) throw new UserError(`${opts.out} already holds a corpus plan; use --force to replace it.`);
      if (existsSync(join(out, "shards"))) throw new UserError(`${opts.out} already has shard builds; plan a new corpus in a new directory.`);
    }
  }
  const r = opts.reader ?? {};
  const pieces = splitLargeInputs(planned, opts.shards, r);
  const plan: CorpusPlan = {
    format: PLAN_FORMAT,
    formatVersion: pieces.some((p) => p.range?.unit === "row-groups") ? PLAN_FORMAT_VERSION_ROW_GROUPS : pieces.some((p) => p.range) ? PLAN_FORMAT_VERSION_RANGES : PLAN_FORMAT_VERSION,
    analyzer: { name: ANALYZER.name, version: ANALYZER.version },
    reader: {
      format: r.format ?? "auto",
      header: !!r.header,
      textColumn: r.textColumn ?? null,
      keyColumn: r.keyColumn ?? null,
      strict: !!r.strict,
      maxCaptionLength: r.maxCaptionLength ?? 10_000,
      ...(r.maxMalformed !== undefined ? { maxMalformed: r.maxMalformed } : {}),
    },
    inputs: pieces,
    shards: assignShards(pieces.map(inputBytes), opts.shards).map((s, shard) => ({ shard, ...s })),
  };
  makeDirs(out);
  writeFileAtomic(join(out, PLAN_FILE), JSON.stringify(plan, null, 2) + "\n");
  return plan;
}

/** The reader options of a plan, as the index build takes them. */
export function planReaderOptions(plan: CorpusPlan): ReaderOptions {
  const r = plan.reader;
  return {
    format: r.format,
    header: r.header,
    textColumn: r.textColumn ?? undefined,
    keyColumn: r.keyColumn ?? undefined,
    strict: r.strict,
    maxCaptionLength: r.maxCaptionLength,
    ...(r.maxMalformed !== undefined ? { maxMalformed: r.maxMalformed } : {}),
  };
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Reads and checks DIR/plan.json: one sentence naming what is wrong. */
export function readPlan(dir: string): CorpusPlan {
  const path = join(dir, PLAN_FILE);
  if (!existsSync(path)) throw new UserError(`${dir} is not a corpus directory (no ${PLAN_FILE}); make one with \`conceptfreq corpus plan\`.`);
  let p: CorpusPlan;
  try {
    p = JSON.parse(readFileSync(path, "utf8")) as CorpusPlan;
  } catch {
    throw new UserError(`corpus plan ${path} is damaged: it is not valid JSON.`);
  }
  const bad = (what: string) => new UserError(`corpus plan ${path} is damaged: ${what}.`);
  if (typeof p !== "object" || p === null || p.format !== PLAN_FORMAT) throw new UserError(`${path} is not a conceptfreq corpus plan.`);
  if (![PLAN_FORMAT_VERSION, PLAN_FORMAT_VERSION_RANGES, PLAN_FORMAT_VERSION_ROW_GROUPS].includes(p.formatVersion)) {
    throw new UserError(`${path} has plan format version ${p.formatVersion}; this conceptfreq reads versions ${PLAN_FORMAT_VERSION} to ${PLAN_FORMAT_VERSION_ROW_GROUPS}.`);
  }
  if (typeof p.reader !== "object" || p.reader === null) throw bad("reader is missing");
  const mm = p.reader.maxMalformed;
  if (mm !== undefined && (typeof mm !== "number" || !(mm >= 0 && mm <= 1))) throw bad("reader.maxMalformed is not a share from 0 to 1");
  if (typeof p.analyzer !== "object" || p.analyzer === null) throw bad("analyzer is missing");
  if (!Array.isArray(p.inputs) || p.inputs.length === 0) throw bad("inputs is missing or empty");
  for (const [i, inp] of p.inputs.entries()) {
    if (typeof inp?.path !== "string" || !isCount(inp.bytes) || typeof inp.mtimeMs !== "number") throw bad(`inputs[${i}] is not an input (path, bytes, mtimeMs)`);
    if (inp.range?.unit === "row-groups") {
      if (!isCount(inp.range.start) || !isCount(inp.range.end) || inp.range.end <= inp.range.start || !isCount(inp.range.bytes) || inp.range.bytes > inp.bytes) {
        throw bad(`inputs[${i}].range is not a range of row groups of the file (start < end, bytes <= the file's)`);
      }
    } else if (inp.range !== undefined && (inp.range?.unit !== undefined || !isCount(inp.range?.start) || !isCount(inp.range.end) || inp.range.end <= inp.range.start || inp.range.end > inp.bytes)) {
      throw bad(`inputs[${i}].range is not a byte range of the file (start < end <= bytes)`);
    }
  }
  if (!Array.isArray(p.shards) || p.shards.length === 0) throw bad("shards is missing or empty");
  let next = 0;
  for (const [k, s] of p.shards.entries()) {
    if (s?.shard !== k || !isCount(s.firstInput) || !isCount(s.inputCount) || s.inputCount === 0) throw bad(`shards[${k}] is not a shard (shard ${k}, firstInput, inputCount)`);
    if (s.firstInput !== next) throw bad(`shards[${k}] starts at input ${s.firstInput}, not ${next} (the inputs before it)`);
    next += s.inputCount;
  }
  if (next !== p.inputs.length) throw bad(`its shards take ${next} inputs, but it lists ${p.inputs.length}`);
  return p;
}

/** The plan's inputs of shard k. */
export function shardInputs(plan: CorpusPlan, k: number): PlannedInput[] {
  const s = plan.shards[k]!;
  return plan.inputs.slice(s.firstInput, s.firstInput + s.inputCount);
}

/** Throws unless shard number `k` (as a user gave it) is one of the plan's. */
export function checkShardNumber(plan: CorpusPlan, k: number, dir: string): void {
  if (!Number.isInteger(k) || k < 0 || k >= plan.shards.length) {
    throw new UserError(`corpus ${dir} has shards 0 to ${plan.shards.length - 1}; there is no shard ${k}.`);
  }
}

/** How much larger than a shard's share (total / N) a file must be to be cut into row ranges. */
const SPLIT_FACTOR = 2;

/**
 * Cuts each TSV or JSONL file (uncompressed) over SPLIT_FACTOR shares into row ranges of about one
 * share, each cut moved forward to just after a newline (and past a header line), and each such
 * Parquet file into runs of whole row groups of about one share of compressed bytes. CSV is never
 * cut (a quoted caption may hold a newline), nor WebDataset or compressed files.
 */
function splitLargeInputs(inputs: readonly PlannedInput[], shards: number, reader: ReaderOptions): PlannedInput[] {
  const total = inputs.reduce((a, i) => a + i.bytes, 0);
  const share = total / Math.max(1, shards);
  const out: PlannedInput[] = [];
  for (const input of inputs) {
    if (shards > 1 && input.bytes > SPLIT_FACTOR * share && formatOf(input.path, reader) === "parquet") {
      out.push(...rowGroupRanges(input, share));
      continue;
    }
    if (!(shards > 1 && input.bytes > SPLIT_FACTOR * share && splittable(input.path, reader))) {
      out.push(input);
      continue;
    }
    const pieces = Math.round(input.bytes / share);
    const fd = openSync(input.path, "r");
    try {
      const headerEnd = reader.header && formatOf(input.path, reader) === "tsv" ? lineEndAfter(fd, 0, input.bytes) : 0;
      const cuts = [0];
      for (let p = 1; p < pieces; p++) {
        const cut = lineEndAfter(fd, Math.floor((input.bytes * p) / pieces), input.bytes);
        if (cut > Math.max(cuts[cuts.length - 1]!, headerEnd) && cut < input.bytes) cuts.push(cut);
      }
      cuts.push(input.bytes);
      for (let c = 0; c + 1 < cuts.length; c++) out.push({ ...input, range: { start: cuts[c]!, end: cuts[c + 1]! } });
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

/** A Parquet file as runs of whole row groups of about `share` compressed bytes each (one run if it has one group). */
function rowGroupRanges(input: PlannedInput, share: number): PlannedInput[] {
  const groups = parquetMetadataOf(input.path, input.bytes).row_groups.map((g) => g.columns.reduce((a, c) => a + Number(c.meta_data?.total_compressed_size ?? 0), 0));
  if (groups.length < 2) return [input];
  const total = groups.reduce((a, b) => a + b, 0);
  const pieces = Math.min(groups.length, Math.max(1, Math.round(input.bytes / share)));
  const out: PlannedInput[] = [];
  let start = 0;
  let bytes = 0;
  let done = 0;
  for (let g = 0; g < groups.length; g++) {
    bytes += groups[g]!;
    done += groups[g]!;
    // close a run where the cumulative bytes pass the next of `pieces` equal cuts
    if (g === groups.length - 1 || done >= ((out.length + 1) * total) / pieces) {
      out.push({ ...input, range: { start, end: g + 1, unit: "row-groups", bytes } });
      start = g + 1;
      bytes = 0;
    }
  }
  return out.length === 1 ? [input] : out;
}

/** A Parquet file's metadata, read from its footer alone. */
function parquetMetadataOf(path: string, size: number) {
  const fd = openSync(path, "r");
  try {
    const tail = Buffer.alloc(Math.min(size, 8));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    if (size < 12 || tail.toString("latin1", 4) !== "PAR1") throw new UserError(`cannot read ${path} as Parquet: it does not end with the Parquet magic bytes.`);
    const footer = tail.readUInt32LE(0) + 8;
    if (footer > size - 4) throw new UserError(`cannot read ${path} as Parquet: its footer says ${footer - 8} bytes of metadata, more than the file holds.`);
    const buf = Buffer.alloc(footer);
    readSync(fd, buf, 0, footer, size - footer);
    try {
      return parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + footer));
    } catch (e) {
      throw new UserError(`cannot read ${path} as Parquet: ${e instanceof Error ? e.message : String(e)}.`);
    }
  } finally {
    closeSync(fd);
  }
}

function formatOf(path: string, reader: ReaderOptions): string {
  return reader.format && reader.format !== "auto" ? reader.format : detectFormat(path);
}

function splittable(path: string, reader: ReaderOptions): boolean {
  const format = formatOf(path, reader);
  if (format !== "tsv" && format !== "jsonl") return false;
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    const n = readSync(fd, head, 0, 4, 0);
    return sniffCompression(head.subarray(0, n)) === "none";
  } finally {
    closeSync(fd);
  }
}

/** The position just after the first newline at or after `from - 1` (a line start at or after `from`), or `size`. */
function lineEndAfter(fd: number, from: number, size: number): number {
  const buf = Buffer.alloc(64 * 1024);
  let pos = Math.max(0, from - 1);
  while (pos < size) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    const nl = buf.subarray(0, n).indexOf(10);
    if (nl !== -1) return pos + nl + 1;
    pos += n;
  }
  return size;
}
