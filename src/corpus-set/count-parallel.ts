/**
 * Counting many concepts on every core: the concept list is cut into contiguous slices, one per
 * worker thread; each worker opens the text index (or corpus of shards) itself, counts its slice
 * with the same code as the single-threaded count, and the slices are joined in list order. The
 * concepts are parsed once, in this thread, while the workers open the index. The counts are
 * exact, so they are the same whatever the number of workers.
 *
 * A worker's error comes back as the error the single-threaded count throws (a DamagedFileError
 * naming the file, a UserError's sentence, an operating-system error with its code); when several
 * slices fail, the error of the first slice in list order is the one thrown.
 */
import { availableParallelism } from "node:os";
import { startModuleWorker } from "../io/module-worker.js";
import { UserError } from "../errors.js";
import { DamagedFileError } from "../postings/posting-file.js";
import type { ConceptCount, MatchMode } from "../text-index/count.js";
import { parseConcepts, phraseAlternatesOf, preparePhraseAlternates, type ConceptQuery, type ConceptWord } from "../text/concept-query.js";
import { openTextSource, TextCorpus } from "./text-corpus.js";

export interface ParallelCountOptions {
  /** The matching rule (default "paper"). */
  match?: MatchMode;
  /** The query text each concept is counted as (same order; e.g. "couch|sofa|lounge"); the output keeps the concept's name. */
  queries?: readonly string[];
  /** Worker threads (default os.availableParallelism(); never more than one per MIN_SLICE concepts). 1 counts in this thread. */
  workers?: number;
  /** Check the index's checksums first (once, in this thread). */
  verify?: boolean;
}

/** Below this many concepts per worker, starting a worker costs more than it saves. */
export const MIN_SLICE = 32;

/** What a worker is started with. */
export interface CountWorkerData {
  dir: string;
  match?: MatchMode;
}

/** Its slice of the concepts, parsed in the main thread (so no worker loads the tagger). */
export interface CountSlice {
  concepts: string[];
  parsed: ConceptQuery[];
  /** Each query's phrase alternates (phraseAlternatesOf), for --match phrase. */
  phrase?: ConceptWord[][][];
}

/** A worker's error, as plain data (an Error's class does not survive postMessage). */
export type SliceFailure =
  | { kind: "damaged"; where: string; problem: string }
  | { kind: "user"; message: string }
  | { kind: "other"; name: string; message: string; stack?: string; code?: string; syscall?: string; path?: string; dest?: string };

/** A worker's messages: the source opened (or not), then its slice's counts (or its error). */
export type WorkerReply = { type: "opened" } | { type: "counts"; counts: number[] } | { type: "failed"; failure: SliceFailure };

/** The number of workers used for n concepts. */
export function countWorkers(n: number, workers = availableParallelism()): number {
  if (!Number.isInteger(workers) || workers < 1) throw new UserError(`workers must be a positive integer, got ${String(workers)}.`);
  return Math.max(1, Math.min(workers, Math.floor(n / MIN_SLICE)));
}

/**
 * Each concept's count (in the given order) in the text index or corpus of shards at `dir`, the
 * concepts shared among worker threads: the same results as `openTextSource(dir).countConcepts`.
 */
export async function countConceptsInParallel(dir: string, concepts: readonly string[], opts: ParallelCountOptions = {}): Promise<ConceptCount[]> {
  if (opts.queries && opts.queries.length !== concepts.length) throw new Error(`countConcepts: ${opts.queries.length} queries for ${concepts.length} concepts`);
  const n = countWorkers(concepts.length, opts.workers);
  if (n === 1 || opts.verify) {
    // verify: the checksums are checked once, here, before any worker starts
    const source = openTextSource(dir, { verify: opts.verify });
    try {
      if (n === 1) return source.countConcepts(concepts, { match: opts.match, queries: opts.queries });
      if (source instanceof TextCorpus) source.forEachShard(() => {}); // a corpus checks a shard when it opens it
    } finally {
      source.close();
    }
  }
  const bounds = Array.from({ length: n }, (_, k) => [Math.floor((k * concepts.length) / n), Math.floor(((k + 1) * concepts.length) / n)] as const);
  const run = startWorkers("count-worker", dir, opts.match, n);
  let slices: CountSlice[];
  try {
    // parsed here while the workers start and open the index
    const parsed = parseConcepts(opts.queries ?? concepts);
    if (opts.match === "phrase") preparePhraseAlternates(parsed);
    slices = bounds.map(([start, end]) => {
      const p = parsed.slice(start, end);
      return { concepts: concepts.slice(start, end), parsed: p, phrase: opts.match === "phrase" ? p.map(phraseAlternatesOf) : undefined };
    });
  } catch (e) {
    // as the single-threaded count: an index that does not open fails before a bad concept
    throw await run.openError(e);
  }
  const counts = await run.count(slices);
  const out: ConceptCount[] = [];
  slices.forEach((slice, k) => slice.concepts.forEach((concept, i) => out.push({ concept, count: counts[k]![i]! })));
  return out;
}

export interface WorkerRun<Slice> {
  /** The first worker's error in opening the source if it had one, else `e`; every worker stopped. */
  openError(e: unknown): Promise<unknown>;
  /** Each slice's numbers; on a failure, the later slices are stopped and the first failed slice's error thrown. */
  count(slices: Slice[]): Promise<number[][]>;
}

/**
 * Starts n workers of this folder's `worker` module (count-worker: concept counts; cooccur-worker:
 * pair counts), each opening the source at `dir`; each is then sent one slice and replies with
 * its numbers (WorkerReply) once.
 */
export function startWorkers<Slice>(worker: "count-worker" | "cooccur-worker", dir: string, match: MatchMode | undefined, n: number): WorkerRun<Slice> {
  const data: CountWorkerData = { dir, match };
  const workers = Array.from({ length: n }, () => startModuleWorker(worker, import.meta.url, data));
  // each worker's outcome: its counts, or its error (opening, counting, or dying); and whether it opened the source
  const openedOf: Promise<unknown>[] = [];
  const outcomes = workers.map(
    (worker, k) =>
      new Promise<{ counts?: number[]; error?: unknown; opened: Promise<unknown> }>((resolveOutcome) => {
        let markOpened: (e: unknown) => void = () => {};
        const opened = new Promise<unknown>((r) => (markOpened = r));
        let settled = false;
        const settle = (o: { counts?: number[]; error?: unknown }) => {
          if (settled) return;
          settled = true;
          markOpened(o.error);
          resolveOutcome({ ...o, opened });
        };
        worker.on("message", (m: WorkerReply) => {
          if (m.type === "opened") markOpened(undefined);
          else if (m.type === "counts") settle({ counts: m.counts });
          else settle({ error: errorOf(m.failure) });
        });
        worker.on("error", (e) => settle({ error: e }));
        worker.on("exit", (code) => settle({ error: new Error(`count worker ${k} exited with code ${code} before it replied`) }));
        openedOf[k] = opened;
      }),
  );
  const stopAll = () => {
    for (const w of workers) void w.terminate();
  };
  return {
    async openError(e) {
      const openFailure = await openedOf[0]!; // undefined once the first worker has opened the source
      stopAll();
      return openFailure ?? e;
    },
    async count(slices) {
      slices.forEach((slice, k) => workers[k]!.postMessage(slice));
      const counts: number[][] = [];
      for (let k = 0; k < slices.length; k++) {
        const o = await outcomes[k]!;
        if (o.error !== undefined) {
          stopAll(); // the later slices' counts are not needed
          throw o.error;
        }
        counts.push(o.counts!);
      }
      return counts;
    },
  };
}

/** A worker's error as plain data. */
export function failureOf(e: unknown): SliceFailure {
  if (e instanceof DamagedFileError) return { kind: "damaged", where: e.where, problem: e.problem };
  if (e instanceof UserError) return { kind: "user", message: e.message };
  const x = (e instanceof Error ? e : new Error(String(e))) as NodeJS.ErrnoException & { dest?: string };
  return { kind: "other", name: x.name, message: x.message, stack: x.stack, code: x.code, syscall: x.syscall, path: x.path, dest: x.dest };
}

/** The error a worker's failure stands for, of the class the single-threaded count throws. */
function errorOf(f: SliceFailure): Error {
  if (f.kind === "damaged") return new DamagedFileError(f.where, f.problem);
  if (f.kind === "user") return new UserError(f.message);
  const e = new Error(f.message) as NodeJS.ErrnoException & { dest?: string };
  e.name = f.name;
  if (f.stack !== undefined) e.stack = f.stack;
  for (const k of ["code", "syscall", "path", "dest"] as const) if (f[k] !== undefined) (e as unknown as Record<string, string>)[k] = f[k]!;
  return e;
}
