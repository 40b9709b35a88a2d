/**
 * Reads a text-index build's inputs in order into batches: gives every row the next dense doc id,
 * stores the captions, counts the malformed rows, and sends each batch to the worker pool; reports
 * progress as it goes.
 */
import { UserError } from "../errors.js";
import { openCaptionBytes, openCorpus, detectFormat, corpusInputSize } from "../corpus/open.js";
import { DEFAULT_MAX_MALFORMED } from "../corpus/row-sink.js";
import { checkSomeCaption } from "./some-caption.js";
import { rangeBytes, type CaptionBytes, type MalformedKind } from "../corpus/record.js";
import { encodeJoined } from "../io/utf8.js";
import { compressBlocks, type CaptionStoreWriter } from "./caption-store.js";
import type { InputSummary, MalformedCounts } from "./manifest.js";
import type { BuildPool } from "./build-pool.js";
import type { RowSampler } from "./sample.js";
import type { BuildOptions, BuildProgress } from "./build.js";

const BATCH_ROWS = 2048;

export class InputReader {
  /** The rows read so far (the next row's doc id). */
  doc = 0;
  /** Per input read (same order). */
  readonly summaries: InputSummary[] = [];
  /** The malformed rows of all inputs, by kind. */
  readonly totalSkipped: MalformedCounts = {};
  private readonly sizes: number[];
  private readonly totalBytes: number;
  private bytesBefore = 0;
  private bytesInFile = 0;
  private lastProgress = 0;

  // The rows read (as CaptionRows) since the last batch: their captions ("" for a malformed row)
  // and the malformed rows' kinds by index. Each batch is encoded to UTF-8 once, for the caption
  // store and the workers.
  private texts: string[] = [];
  private malformed = new Map<number, MalformedKind>();

  /** (`seconds`: the time since the build started, for progress reports.) */
  constructor(
    private readonly inputs: string[],
    private readonly opts: BuildOptions,
    private readonly sampler: RowSampler | undefined,
    private readonly store: CaptionStoreWriter,
    private readonly pool: BuildPool,
    private readonly seconds: () => number,
  ) {
    this.sizes = inputs.map((p, k) => (opts.ranges?.[k] ? rangeBytes(opts.ranges[k]!) : corpusInputSize(p)));
    this.totalBytes = this.sizes.reduce((a, b) => a + b, 0);
  }

  progress(inputIndex: number): BuildProgress {
    return {
      rows: this.doc,
      bytes: this.bytesBefore + this.bytesInFile,
      totalBytes: this.totalBytes,
      inputIndex,
      inputCount: this.inputs.length,
      seconds: this.seconds(),
    };
  }

  /** Reads every input, in order. */
  async readAll(): Promise<void> {
    for (let k = 0; k < this.inputs.length; k++) await this.readInput(k);
  }

  /** Reads input k to its end, sending its rows in batches. */
  private async readInput(k: number): Promise<void> {
    const { opts, sampler } = this;
    const path = this.inputs[k]!;
    const summary: InputSummary = {
      path,
      format: opts.format && opts.format !== "auto" ? opts.format : detectFormat(path),
      bytes: this.sizes[k]!,
      rows: 0,
      skipped: {},
      firstDoc: this.doc,
      ...(opts.ranges?.[k] ? { range: { ...opts.ranges[k]! } } : {}),
    };
    this.bytesInFile = 0;
    const range = opts.ranges?.[k];
    const readerOptions = { ...opts, ...(range?.unit === "row-groups" ? { rowGroups: { start: range.start, end: range.end } } : { byteRange: range }), maxMalformed: opts.maxMalformed ?? DEFAULT_MAX_MALFORMED, onBytes: (n: number) => (this.bytesInFile = n) };
    const asBytes = openCaptionBytes(path, { ...readerOptions, batchRows: BATCH_ROWS });
    if (asBytes) {
      // TSV: captions stay UTF-8 bytes, as read (the workers analyse the bytes)
      for await (const b of asBytes) {
        await this.flushBytes(sampler ? sampler.takeBytes(b) : b, summary);
        this.reportProgress(k);
      }
    } else {
      for await (const rows of openCorpus(path, readerOptions)) {
        for (const row of rows) {
          if (sampler && !sampler.keep()) continue;
          if (row.malformed) this.malformed.set(this.texts.length, row.malformed);
          this.texts.push(row.malformed ? "" : row.text);
        }
        if (this.texts.length >= BATCH_ROWS) await this.flushRows(summary);
        this.reportProgress(k);
      }
      await this.flushRows(summary);
    }
    if (sampler) summary.rowsSeen = sampler.seen - this.summaries.reduce((a, s) => a + s.rowsSeen!, 0);
    this.summaries.push(summary);
    this.bytesBefore += this.sizes[k]!;
    this.bytesInFile = 0;
  }

  /** Fails when what was read leaves nothing to index: a sample that kept no row, or no caption at all. */
  checkSomethingToIndex(): void {
    const { opts, sampler } = this;
    if (sampler && this.doc === 0 && sampler.seen > 0 && !(opts.maxMalformed !== undefined && opts.maxMalformed >= 1)) {
      throw new UserError(`the sample at rate ${opts.sample!.rate} (seed ${opts.sample!.seed}) of the ${sampler.seen.toLocaleString("en-US")} rows kept none: there is nothing to index (use a larger --sample rate, or --max-malformed 1 to build an empty index anyway).`);
    }
    checkSomeCaption(this.inputs, this.doc, this.totalSkipped, opts.maxMalformed);
  }

  /** Encodes the rows read since the last batch, and stores and sends them as flushBytes does. */
  private async flushRows(summary: InputSummary): Promise<void> {
    if (this.texts.length === 0) return;
    const { bytes, ends } = encodeJoined(this.texts);
    const batch: CaptionBytes = { rows: this.texts.length, bytes, ends, malformed: this.malformed.size > 0 ? this.malformed : undefined };
    this.texts = [];
    this.malformed = new Map();
    await this.flushBytes(batch, summary);
  }

  /** Stores a batch of rows read as bytes and sends its captions to the least busy worker. */
  private async flushBytes(b: CaptionBytes, summary: InputSummary): Promise<void> {
    // (copied: the bytes move on to a worker; the blocks they complete are compressed by the worker
    // that analyses them: deflate was half this thread's time, docs/performance.md 2026-12-03)
    const blocks = this.store.cutRawBlocks(b.bytes, b.ends);
    const doc = this.doc;
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
        if (kind) this.skip(summary, kind);
        else {
          batchDocs[j] = doc + k;
          ends[j++] = b.ends[k]!;
        }
      }
    }
    this.addRows(summary, b.rows);
    if (batchDocs.length > 0) {
      // (the caption store has copied the bytes: they move to the worker, not copied)
      const transfer = [batchDocs.buffer, ends.buffer, b.bytes.buffer] as ArrayBuffer[];
      if (blocks) transfer.push(blocks.raw.buffer as ArrayBuffer, blocks.ends.buffer as ArrayBuffer);
      await this.pool.dispatch({ type: "batch", docs: batchDocs, bytes: b.bytes, ends, blocks }, transfer);
    } else if (blocks) {
      // no caption for a worker (every row malformed): the blocks are compressed here
      this.store.writeCompressed(compressBlocks(blocks));
    }
  }

  /** Counts a malformed row of the input being read. */
  private skip(summary: InputSummary, kind: MalformedKind): void {
    summary.skipped[kind] = (summary.skipped[kind] ?? 0) + 1;
    this.totalSkipped[kind] = (this.totalSkipped[kind] ?? 0) + 1;
  }

  /** Gives the next n rows of the input being read their doc ids. */
  private addRows(summary: InputSummary, n: number): void {
    summary.rows += n;
    this.doc += n;
    if (this.doc > 0xffffffff) throw new UserError("an index holds at most 4,294,967,296 docs (32-bit doc ids); split the inputs into several indexes.");
  }

  private reportProgress(inputIndex: number): void {
    if (this.opts.onProgress && this.doc - this.lastProgress >= 10000) {
      this.lastProgress = this.doc;
      this.opts.onProgress(this.progress(inputIndex));
    }
  }
}
