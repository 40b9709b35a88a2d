/**
 * A cooccur worker (cooccur-parallel.ts): opens the text index or corpus, says so, then counts the
 * one slice of pairs it is sent and replies once with (both, countA, countB) per pair, flat, or its error.
 */
import type { PairSlice } from "./cooccur-parallel.js";
import { sourcePairCounts } from "./corpus-counts.js";
import { serveOneSlice } from "./slice-worker.js";

serveOneSlice<PairSlice>((source, slice, match) => sourcePairCounts(source, slice.pairs, match).flatMap((c) => [c.both, c.countA, c.countB]));
