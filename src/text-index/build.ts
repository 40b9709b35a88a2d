/**
 * Builds a text index: reads the inputs in order, gives every row the next dense doc id, keeps the
 * captions, and has worker threads analyse captions into postings (spilling sorted runs when their
 * memory share is used), then merges the runs. Everything is written in a temporary directory that
 * is renamed to the output only when complete.
 */
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { corpusInputKind } from "../corpus/open.js";
import { MALFORMED_KINDS, type ByteRange, type ReaderOptions } from "../corpus/record.js";
import { ANALYZER } from "../text/analyzer-version.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { CaptionStoreWriter } from "./caption-store.js";
import {
  MANIFEST_FILE,
  fileChecksums,
  TEXT_INDEX_FORMAT,
  TEXT_INDEX_FORMAT_VERSION,
  type MalformedCounts,
  type TextIndexManifest,
} from "./manifest.js";
import { BuildPool, type BatchListener, type WorkerSlot } from "./build-pool.js";
import type { BatchDone } from "./build-worker.js";
import { PositionsWriter } from "./positions.js";
import { PositionsCollector } from "./positions-collector.js";
import { InputReader } from "./build-inputs.js";
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
  checkInputs(inputs);
  const sampler = opts.sample ? new RowSampler(opts.sample.rate, opts.sample.seed) : undefined;
  const out = resolve(opts.out);
  checkReplaceable(out, TEXT_INDEX_OUTPUT, { force: opts.force, inputs, shown: opts.out });
  const started = process.hrtime.bigint();
  const output = BuildOutput.open(out, opts.onReclaim);
  const stopRemovingOnInterrupt = removeOnInterrupt(output.tmp);
  // (the pool and the reader are made inside the try: a worker that cannot start, or an input gone
  // since it was checked, still removes the temporary directory and the interrupt handlers)
  let pool: BuildPool | undefined;
  try {
    pool = startPool(opts, output.runDir, output);
    const reader = new InputReader(inputs, opts, sampler, output.store, pool, () => elapsed(started));
    await reader.readAll();
    reader.checkSomethingToIndex();

    const runs = await pool.finish();
    opts.onProgress?.(reader.progress(inputs.length));
    // every batch has been answered (each worker answers "finish" after its batches)
    pool.throwIfFailed();
    output.closeStore();
    output.closePositions(reader.doc);

    // The two merges (nouns, terms) run in parallel, each in a worker.
    const [nounTerms, termTerms] = await pool.merge(runs, join(output.tmp, FILES.nouns), join(output.tmp, FILES.terms));
    removeTempDir(output.runDir);

    const vocabulary = { nouns: nounTerms, terms: termTerms, phraseTokens: output.positions.dictionary.size };
    const manifest = manifestOf(output.tmp, opts, reader, vocabulary, sampler, started);
    writeManifest(output.tmp, manifest);
    moveIntoPlace(output.tmp, out);
    return manifest;
  } catch (e) {
    output.abandon();
    throw e;
  } finally {
    stopRemovingOnInterrupt();
    await pool?.terminate();
  }
}

/** Fails on inputs no build can read: none, a missing file or a directory, standard input twice. */
function checkInputs(inputs: string[]): void {
  if (inputs.length === 0) throw new UserError("index build needs at least one input file.");
  for (const p of inputs) corpusInputKind(p); // (missing, a directory: an error now)
  if (inputs.filter((p) => p === "-").length > 1) throw new UserError("standard input (-) can be read only once; give it once.");
}

/**
 * The temporary directory a build writes in, beside the output, with its runs directory, caption
 * store and positions open; renamed to the output only when complete.
 */
class BuildOutput implements BatchListener {
  private storeClosed = false;
  private positionsClosed = false;

  private constructor(
    readonly tmp: string,
    readonly runDir: string,
    readonly store: CaptionStoreWriter,
    readonly positions: PositionsCollector,
  ) {}

  /** Makes the temporary directory (reclaiming leftovers of killed runs) and opens its writers; removes it again when that fails. */
  static open(out: string, onReclaim: ((dir: string) => void) | undefined): BuildOutput {
    const tmp = freshTempDirBeside(out, onReclaim);
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
    return new BuildOutput(tmp, runDir, store, positions);
  }

  dispatched(firstDoc: number): void {
    this.positions.dispatched(firstDoc);
  }

  /** A batch answered: its caption blocks, compressed by the worker, and its phrase-token sequences. */
  arrived(slot: WorkerSlot, m: BatchDone): void {
    if (m.blocks) this.store.writeCompressed(m.blocks);
    this.positions.arrived(slot, m);
  }

  closeStore(): void {
    this.storeClosed = true;
    this.store.close();
  }

  /** Writes the positions of the docs up to `docCount` and the phrase-token dictionary. */
  closePositions(docCount: number): void {
    this.positions.writer.fillTo(docCount);
    this.positionsClosed = true;
    this.positions.writer.close();
    writeFileAtomic(join(this.tmp, FILES.phraseTokens), this.positions.dictionary.fileBytes());
  }

  /** Removes the partial build (the build failed). */
  abandon(): void {
    // cleanup always runs: a close that fails too (the disk is still full) must not keep the removal from running
    if (!this.storeClosed) this.store.abort();
    if (!this.positionsClosed) this.positions.writer.abort();
    removeTempDir(this.tmp);
  }
}

/**
 * Until the returned function is called, an interrupt (Ctrl-C, kill) removes the partial build in
 * `tmp`, then exits as the signal would have.
 */
function removeOnInterrupt(tmp: string): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    removeTempDir(tmp);
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return () => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  };
}

/** Starts the workers (all cores unless told), each spilling a run when it holds its share of the memory budget. */
function startPool(opts: BuildOptions, runDir: string, listener: BatchListener): BuildPool {
  const nWorkers = Math.max(1, opts.workers ?? availableParallelism());
  const budget = (opts.memoryMiB ?? 4096) * 1024 * 1024;
  const spillPostings = opts.spillPostings ?? Math.max(1000, Math.floor(budget / BYTES_PER_POSTING / nWorkers));
  return new BuildPool(nWorkers, { runDir, spillPostings, analyzerMemoryLimit: opts.analyzerMemoryLimit ?? 4_000_000 }, listener);
}

/** The manifest of the build in `tmp` (its files' checksums computed now). */
function manifestOf(
  tmp: string,
  opts: BuildOptions,
  reader: InputReader,
  vocabulary: TextIndexManifest["vocabulary"],
  sampler: RowSampler | undefined,
  started: bigint,
): TextIndexManifest {
  const skipped: MalformedCounts = {};
  for (const kind of MALFORMED_KINDS) if (reader.totalSkipped[kind]) skipped[kind] = reader.totalSkipped[kind];
  return {
    format: TEXT_INDEX_FORMAT,
    formatVersion: TEXT_INDEX_FORMAT_VERSION,
    analyzer: { name: ANALYZER.name, version: ANALYZER.version },
    docCount: reader.doc,
    inputs: reader.summaries,
    skipped,
    vocabulary,
    files: { ...FILES },
    checksums: fileChecksums(tmp, FILES),
    reader: { format: opts.format ?? "auto", header: !!opts.header, textColumn: opts.textColumn ?? null },
    buildSeconds: Math.round(elapsed(started) * 1000) / 1000,
    ...(sampler ? { sample: sampler.info() } : {}),
  };
}

/** Writes the manifest, last, in the temporary directory, which its marker keeps from looking finished. */
function writeManifest(tmp: string, manifest: TextIndexManifest): void {
  writeFileAtomic(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
}

function elapsed(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
