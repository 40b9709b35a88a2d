/**
 * Counting many concepts on every core: the concept list is cut into contiguous slices, one per
 * worker thread; each worker opens the text index (or corpus of shards) itself, counts its slice
 * with the same code as the single-threaded count, and the slices are joined in list order. The
 * counts are exact, so they are the same whatever the number of workers.
 *
 * A worker's error comes back as the error the single-threaded count throws (a DamagedFileError
 * naming the file, a UserError's sentence, an operating-system error with its code); when several
 * slices fail, the error of the first slice in list order is the one thrown.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { UserError } from "../errors.js";
import { DamagedFileError } from "../postings/posting-file.js";
import type { ConceptCount, MatchMode } from "../text-index/count.js";
import { openTextSource } from "./text-corpus.js";

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

/** What a worker is given: its slice of the concepts. */
export interface CountSliceJob {
  dir: string;
  concepts: string[];
  queries?: string[];
  match?: MatchMode;
}

/** A worker's error, as plain data (an Error's class does not survive postMessage). */
export type SliceFailure =
  | { kind: "damaged"; where: string; problem: string }
  | { kind: "user"; message: string }
  | { kind: "other"; name: string; message: string; stack?: string; code?: string; syscall?: string; path?: string; dest?: string };

export type SliceReply = { ok: true; counts: number[] } | { ok: false; failure: SliceFailure };

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
    } finally {
      source.close();
    }
  }
  const slices: CountSliceJob[] = [];
  for (let k = 0; k < n; k++) {
    const [start, end] = [Math.floor((k * concepts.length) / n), Math.floor(((k + 1) * concepts.length) / n)];
    slices.push({ dir, concepts: concepts.slice(start, end), queries: opts.queries?.slice(start, end), match: opts.match });
  }
  const counts = await runSlices(slices);
  const out: ConceptCount[] = [];
  for (let k = 0; k < n; k++) slices[k]!.concepts.forEach((concept, i) => out.push({ concept, count: counts[k]![i]! }));
  return out;
}

/** Runs every slice in its own worker; on a failure, stops the later slices and throws the first failed slice's error. */
function runSlices(slices: CountSliceJob[]): Promise<number[][]> {
  // Run from source (tests through tsx), the worker is TypeScript and needs tsx's loader too.
  const fromSource = import.meta.url.endsWith(".ts");
  const workerUrl = new URL(fromSource ? "./count-worker.ts" : "./count-worker.js", import.meta.url);
  return new Promise((resolvePromise, reject) => {
    const results: (number[] | undefined)[] = slices.map(() => undefined);
    const failures: (unknown | undefined)[] = slices.map(() => undefined);
    const settled: boolean[] = slices.map(() => false);
    const workers: Worker[] = [];
    let done = false;
    const check = () => {
      if (done) return;
      // the first slice (in list order) that failed, once every slice before it has finished
      for (let k = 0; k < slices.length; k++) {
        if (!settled[k]) return;
        if (failures[k] !== undefined) {
          done = true;
          for (const w of workers) void w.terminate();
          reject(failures[k]);
          return;
        }
      }
      done = true;
      resolvePromise(results as number[][]);
    };
    const settle = (k: number, result: number[] | undefined, failure: unknown) => {
      if (settled[k]) return;
      settled[k] = true;
      results[k] = result;
      failures[k] = failure;
      if (failure !== undefined) for (let j = k + 1; j < slices.length; j++) if (!settled[j]) void workers[j]?.terminate(); // their results are not needed
      check();
    };
    slices.forEach((job, k) => {
      const worker = fromSource
        ? new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`, { eval: true, workerData: job })
        : new Worker(workerUrl, { workerData: job });
      workers.push(worker);
      worker.on("message", (m: SliceReply) => settle(k, m.ok ? m.counts : undefined, m.ok ? undefined : errorOf(m.failure)));
      worker.on("error", (e) => settle(k, undefined, e));
      worker.on("exit", (code) => {
        if (!settled[k]) {
          // terminated after an earlier failure, or died without a reply
          if (failures.some((f, j) => j < k && f !== undefined)) settle(k, undefined, new Error("stopped"));
          else settle(k, undefined, new Error(`count worker ${k} exited with code ${code} before it replied`));
        }
      });
    });
  });
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
