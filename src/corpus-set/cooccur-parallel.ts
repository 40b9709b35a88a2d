/**
 * Co-occurrence of many pairs on every core: the pairs are dealt out to the worker threads in turn
 * (pair i to worker i mod n, so each gets a share of the dense pairs of the most frequent concepts,
 * which the first rows of an all-pairs list hold); each worker opens the text index (or corpus of shards) itself and counts its
 * slice with the same code as the single-threaded `cooccur` (each pair one intersection of two
 * concepts' docs), and the slices are joined in pair order. The counts are exact, so the output is
 * the same whatever the number of workers. Errors come back as count-parallel.ts's do.
 */
import { availableParallelism } from "node:os";
import { UserError } from "../errors.js";
import { cooccurrenceRows, type CooccurrenceOptions, type CooccurrencePair, type PairCounts } from "../text-index/cooccur.js";
import { sourcePairCounts } from "./corpus-counts.js";
import { startWorkers } from "./count-parallel.js";
import { openTextSource, TextCorpus } from "./text-corpus.js";

export interface ParallelCooccurrenceOptions extends CooccurrenceOptions {
  /** Worker threads (default os.availableParallelism(); never more than one per MIN_PAIRS pairs). 1 counts in this thread. */
  workers?: number;
  /** Check the index's checksums first (once, in this thread). */
  verify?: boolean;
}

/** Below this many pairs per worker, starting a worker (and matching its concepts) costs more than it saves. */
export const MIN_PAIRS = 4096;

/** A cooccur worker's share: the pairs it counts (every n-th pair). */
export interface PairSlice {
  pairs: [string, string][];
}

/** The number of workers used for n pairs. */
export function cooccurrenceWorkers(n: number, workers = availableParallelism()): number {
  if (!Number.isInteger(workers) || workers < 1) throw new UserError(`workers must be a positive integer, got ${String(workers)}.`);
  return Math.max(1, Math.min(workers, Math.floor(n / MIN_PAIRS)));
}

/**
 * Each pair's co-occurrence (in the given order, or the top K by PMI) in the text index or corpus of
 * shards at `dir`, the pairs shared among worker threads: the same result as `conceptCooccurrence`
 * (one index) or `corpusCooccurrence` (a corpus).
 */
export async function cooccurrenceInParallel(dir: string, pairs: readonly (readonly [string, string])[], opts: ParallelCooccurrenceOptions = {}): Promise<CooccurrencePair[]> {
  const n = cooccurrenceWorkers(pairs.length, opts.workers);
  // the doc count, and with --verify the checksums, from this thread (once, before any worker starts)
  const source = openTextSource(dir, { verify: opts.verify });
  let docs: number;
  try {
    if (n === 1) return cooccurrenceRows(pairs, sourcePairCounts(source, pairs, opts.match), source.docCount, opts);
    if (opts.verify && source instanceof TextCorpus) source.forEachShard(() => {}); // a corpus checks a shard when it opens it
    docs = source.docCount;
  } finally {
    source.close();
  }
  const slices: PairSlice[] = Array.from({ length: n }, () => ({ pairs: [] }));
  pairs.forEach(([a, b], i) => slices[i % n]!.pairs.push([a, b]));
  const run = startWorkers<PairSlice>("cooccur-worker", dir, opts.match, n);
  const numbers = await run.count(slices);
  const counts: PairCounts[] = pairs.map((_, i) => {
    const flat = numbers[i % n]!;
    const j = 3 * Math.floor(i / n);
    return { both: flat[j]!, countA: flat[j + 1]!, countB: flat[j + 2]! };
  });
  return cooccurrenceRows(pairs, counts, docs, opts);
}
