/**
 * Builds a text index: reads the inputs in order, gives every row the next dense doc id, keeps the
 * captions, and has worker threads analyse captions into postings (spilling sorted runs when their
 * memory share is used), then merges the runs. Everything is written in a temporary directory that
 * is renamed to the output only when complete.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { openCaptionBytes, openCorpus, detectFormat, corpusInputKind, corpusInputSize } from "../corpus/open.js";
import { DEFAULT_MAX_MALFORMED } from "../corpus/row-sink.js";
import { checkSomeCaption } from "./some-caption.js";
import { MALFORMED_KINDS, rangeBytes, type ByteRange, type CaptionBytes, type MalformedKind, type ReaderOptions } from "../corpus/record.js";
import { ANALYZER } from "../text/analyzer-version.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { CaptionStoreWriter } from "./caption-store.js";
import { encodeJoined } from "../io/utf8.js";
import {
  MANIFEST_FILE,
  fileChecksums,
  TEXT_INDEX_FORMAT,
  TEXT_INDEX_FORMAT_VERSION,
  type InputSummary,
  type MalformedCounts,
  type TextIndexManifest,
} from "./manifest.js";
import { BuildPool } from "./build-pool.js";
import { PositionsWriter, dictionaryText } from "./positions.js";
import { PositionsCollector } from "./positions-collector.js";
import { freshTempDirBeside, moveIntoPlace, namingPath, removeTempDir } from "../io/file-system.js";
import { checkReplaceable, type OutputKind } from "../io/replace-output.js";
import { RowSampler } from "./sample.js";

/** What `--force` may replace: a text index (see io/replace-output.ts). */
export const TEXT_INDEX_OUTPUT: OutputKind = { name: "text index", markers: [{ file: "manifest.json", formats: ["conceptfreq-text-index"] }] };

export interface BuildProgress {
  rows: number;
  /** Input bytes read so far: the files finished plus the current file's bytes read (when its reader reports them). */
  bytes: number;
  /** Total input bytes (file sizes on disk). */
  totalBytes: number;
  inputIndex: number;
  inputCount: number;
  seconds: number;
}

export interface BuildOptions extends ReaderOptions {
  out: string;
  /** Worker threads analysing captions (default: all cores). */
  workers?: number;
  /** Memory budget for in-memory postings across workers, in MiB (default 4096). */
  memoryMiB?: number;
  /** Spill a worker's run after this many postings (overrides memoryMiB; for tests and tuning). */
  spillPostings?: number;
  /** Reset a worker's analyzer memory after a spill once it exceeds this many entries (default 4M; for tests). */
  analyzerMemoryLimit?: number;
  /** Replace an existing output directory. */
  force?: boolean;
  onProgress?: (p: BuildProgress) => void;
  /** Index a seeded Bernoulli sample of the rows (see sample.ts); the manifest records it. */
  sample?: { rate: number; seed: number };
  /** Hears of each leftover of a killed run beside the output that the build removed. */
  onReclaim?: (dir: string) => void;
  /** Per input (same order): read only this byte range of its rows (a corpus plan's row range), or all of it. */
  ranges?: readonly (ByteRange | undefined)[];
}

const BATCH_ROWS = 2048;
/**
 * Bytes one in-memory posting costs at most: its term id (4), its doc's id and count (8, when the
 * doc has one term) and its place in the run taken from them (4).
 */
const BYTES_PER_POSTING = 16;

export const FILES = {
  nouns: "nouns.postings",
  terms: "terms.postings",
  captions: "captions.blocks",
  offsets: "captions.offsets",
  phraseTokens: "phrase-tokens.txt",
  positions: "positions.bin",
  positionsOffsets: "positions.offsets",
} as const;

export async function buildTextIndex(inputs: string[], opts: BuildOptions): Promise<TextIndexManifest> {
  if (inputs.length === 0) throw new UserError("index build needs at least one input file.");
  for (const p of inputs) corpusInputKind(p); // (missing, a directory: an error now)
  if (inputs.filter((p) => p === "-").length > 1) throw new UserError("standard input (-) can be read only once; give it once.");
  const sampler = opts.sample ? new RowSampler(opts.sample.rate, opts.sample.seed) : undefined;
  const out = resolve(opts.out);
  checkReplaceable(out, TEXT_INDEX_OUTPUT, { force: opts.force, inputs, shown: opts.out });
  const started = process.hrtime.bigint();
  const tmp = freshTempDirBeside(out, opts.onReclaim);
  const runDir = join(tmp, "runs");
  let store: CaptionStoreWriter;
  let positions: PositionsCollector;
  try {
    namingPath(runDir, () => mkdirSync(runDir));
    store = new CaptionStoreWriter(join(tmp, FILES.captions), join(tmp, FILES.offsets));
    try {
      positions = new PositionsCollector(new PositionsWriter(join(tmp, FILES.positions), join(tmp, FILES.positionsOffsets)));
    } catch (e) {
      store.abort();
      throw e;
    }
  } catch (e) {
    removeTempDir(tmp);
    throw e;
  }
  // Interrupted (Ctrl-C, kill): remove the partial build, then exit as the signal would have.
  const onSignal = (signal: NodeJS.Signals) => {
    removeTempDir(tmp);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const nWorkers = Math.max(1, opts.workers ?? availableParallelism());
  const budget = (opts.memoryMiB ?? 4096) * 1024 * 1024;
  const spillPostings = opts.spillPostings ?? Math.max(1000, Math.floor(budget / BYTES_PER_POSTING / nWorkers));
  const pool = new BuildPool(nWorkers, { runDir, spillPostings, analyzerMemoryLimit: opts.analyzerMemoryLimit ?? 4_000_000 }, positions!);

  const summaries: InputSummary[] = [];
  const sizes = inputs.map((p, k) => (opts.ranges?.[k] ? rangeBytes(opts.ranges[k]!) : corpusInputSize(p)));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let bytesBefore = 0;
  let bytesInFile = 0;
  const progress = (inputIndex: number): BuildProgress => ({
    rows: doc,
    bytes: bytesBefore + bytesInFile,
    totalBytes,
    inputIndex,
    inputCount: inputs.length,
    seconds: elapsed(started),
  });
  const totalSkipped: MalformedCounts = {};
  let doc = 0;
  let lastProgress = 0;
  let storeClosed = false;
  let positionsClosed = false;

  // The rows read (as CaptionRows) since the last batch: their captions ("" for a malformed row)
  // and the malformed rows' kinds by index. Each batch is encoded to UTF-8 once, for the caption
  // store and the workers.
  let texts: string[] = [];
  let malformed = new Map<number, MalformedKind>();

  /** Encodes the rows read since the last batch, and stores and sends them as flushBytes does. */
  async function flushRows(summary: InputSummary): Promise<void> {
    if (texts.length === 0) return;
    const { bytes, ends } = encodeJoined(texts);
    const batch: CaptionBytes = { rows: texts.length, bytes, ends, malformed: malformed.size > 0 ? malformed : undefined };
    texts = [];
    malformed = new Map();
    await flushBytes(batch, summary);
  }

  /** Stores a batch of rows read as bytes and sends its captions to the least busy worker. */
  async function flushBytes(b: CaptionBytes, summary: InputSummary): Promise<void> {
    // (copied: the bytes move on to a worker; full blocks are compressed now, on this thread: zlib's
    // asynchronous API cost 1.6x the CPU for blocks this small, docs/performance.md 2026-12-02)
    store.addBytes(b.bytes, b.ends);
    let batchDocs: Uint32Array;
    let ends: Uint32Array;
    if (!b.malformed) {
      batchDocs = new Uint32Array(b.rows);
      for (let j = 0; j < b.rows; j++) batchDocs[j] = doc + j;
      ends = b.ends;
    } else {
      // malformed rows have empty captions: the others' ends delimit the captions
      const n = b.rows - b.malformed.size;
      batchDocs = new Uint32Array(n);
      ends = new Uint32Array(n);
      for (let k = 0, j = 0; k < b.rows; k++) {
        const kind = b.malformed.get(k);
        if (kind) skip(summary, kind);
        else {
          batchDocs[j] = doc + k;
          ends[j++] = b.ends[k]!;
        }
      }
    }
    addRows(summary, b.rows);
    if (batchDocs.length > 0) {
      // (the caption store has copied the bytes: they move to the worker, not copied)
      await pool.dispatch({ type: "batch", docs: batchDocs, bytes: b.bytes, ends }, [batchDocs.buffer, ends.buffer, b.bytes.buffer] as ArrayBuffer[]);
    }
  }

  /** Counts a malformed row of the input being read. */
  function skip(summary: InputSummary, kind: MalformedKind): void {
    summary.skipped[kind] = (summary.skipped[kind] ?? 0) + 1;
    totalSkipped[kind] = (totalSkipped[kind] ?? 0) + 1;
  }

  /** Gives the next n rows of the input being read their doc ids. */
  function addRows(summary: InputSummary, n: number): void {
    summary.rows += n;
    doc += n;
    if (doc > 0xffffffff) throw new UserError("an index holds at most 4,294,967,296 docs (32-bit doc ids); split the inputs into several indexes.");
  }

  function reportProgress(inputIndex: number): void {
    if (opts.onProgress && doc - lastProgress >= 10000) {
      lastProgress = doc;
      opts.onProgress(progress(inputIndex));
    }
  }

  try {
    for (let k = 0; k < inputs.length; k++) {
      const path = inputs[k]!;
      const summary: InputSummary = {
        path,
        format: opts.format && opts.format !== "auto" ? opts.format : detectFormat(path),
        bytes: sizes[k]!,
        rows: 0,
        skipped: {},
        firstDoc: doc,
        ...(opts.ranges?.[k] ? { range: { ...opts.ranges[k]! } } : {}),
      };
      bytesInFile = 0;
      const range = opts.ranges?.[k];
      const readerOptions = { ...opts, ...(range?.unit === "row-groups" ? { rowGroups: { start: range.start, end: range.end } } : { byteRange: range }), maxMalformed: opts.maxMalformed ?? DEFAULT_MAX_MALFORMED, onBytes: (n: number) => (bytesInFile = n) };
      const asBytes = openCaptionBytes(path, { ...readerOptions, batchRows: BATCH_ROWS });
      if (asBytes) {
        // TSV: captions stay UTF-8 bytes, as read (the workers analyse the bytes)
        for await (const b of asBytes) {
          await flushBytes(sampler ? sampler.takeBytes(b) : b, summary);
          reportProgress(k);
        }
      } else {
        for await (const rows of openCorpus(path, readerOptions)) {
          for (const row of rows) {
            if (sampler && !sampler.keep()) continue;
            if (row.malformed) malformed.set(texts.length, row.malformed);
            texts.push(row.malformed ? "" : row.text);
          }
          if (texts.length >= BATCH_ROWS) await flushRows(summary);
          reportProgress(k);
        }
        await flushRows(summary);
      }
      if (sampler) summary.rowsSeen = sampler.seen - summaries.reduce((a, s) => a + s.rowsSeen!, 0);
      summaries.push(summary);
      bytesBefore += sizes[k]!;
      bytesInFile = 0;
    }
    if (sampler && doc === 0 && sampler.seen > 0 && !(opts.maxMalformed !== undefined && opts.maxMalformed >= 1)) {
      throw new UserError(`the sample at rate ${opts.sample!.rate} (seed ${opts.sample!.seed}) of the ${sampler.seen.toLocaleString("en-US")} rows kept none: there is nothing to index (use a larger --sample rate, or --max-malformed 1 to build an empty index anyway).`);
    }
    checkSomeCaption(inputs, doc, totalSkipped, opts.maxMalformed);
    storeClosed = true;
    store.close();

    const runs = await pool.finish();
    opts.onProgress?.(progress(inputs.length));
    // every batch has been answered (each worker answers "finish" after its batches)
    pool.throwIfFailed();
    positions.writer.fillTo(doc);
    positionsClosed = true;
    positions.writer.close();
    writeFileAtomic(join(tmp, FILES.phraseTokens), dictionaryText(positions.keys));

    // The two merges (nouns, terms) run in parallel, each in a worker.
    const [nounTerms, termTerms] = await pool.merge(runs, join(tmp, FILES.nouns), join(tmp, FILES.terms));
    removeTempDir(runDir);

    const skipped: MalformedCounts = {};
    for (const kind of MALFORMED_KINDS) if (totalSkipped[kind]) skipped[kind] = totalSkipped[kind];
    const manifest: TextIndexManifest = {
      format: TEXT_INDEX_FORMAT,
      formatVersion: TEXT_INDEX_FORMAT_VERSION,
      analyzer: { name: ANALYZER.name, version: ANALYZER.version },
      docCount: doc,
      inputs: summaries,
      skipped,
      vocabulary: { nouns: nounTerms, terms: termTerms, phraseTokens: positions.keys.length },
      files: { ...FILES },
      checksums: fileChecksums(tmp, FILES),
      reader: { format: opts.format ?? "auto", header: !!opts.header, textColumn: opts.textColumn ?? null },
      buildSeconds: Math.round(elapsed(started) * 1000) / 1000,
      ...(sampler ? { sample: sampler.info() } : {}),
    };
    // the manifest last, in the temporary directory, which its marker keeps from looking finished
    writeFileAtomic(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    moveIntoPlace(tmp, out);
    return manifest;
  } catch (e) {
    // cleanup always runs: a close that fails too (the disk is still full) must not keep the removal from running
    if (!storeClosed) store.abort();
    if (!positionsClosed) positions.writer.abort();
    removeTempDir(tmp);
    throw e;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    await pool.terminate();
  }
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
