/**
 * A cooccur worker (cooccur-parallel.ts): opens the text index or corpus, says so, then counts the
 * one slice of pairs it is sent and replies once with (both, countA, countB) per pair, flat, or its error.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { PairSlice } from "./cooccur-parallel.js";
import { sourcePairCounts } from "./corpus-counts.js";
import { failureOf, type CountWorkerData, type WorkerReply } from "./count-parallel.js";
import { openTextSource, type TextSource } from "./text-corpus.js";

const data = workerData as CountWorkerData;
const port = parentPort!;
const reply = (m: WorkerReply) => port.postMessage(m);
let source: TextSource | undefined;
try {
  source = openTextSource(data.dir);
  reply({ type: "opened" });
} catch (e) {
  reply({ type: "failed", failure: failureOf(e) });
}
if (source) {
  port.once("message", (slice: PairSlice) => {
    try {
      const counts = sourcePairCounts(source!, slice.pairs, data.match).flatMap((c) => [c.both, c.countA, c.countB]);
      reply({ type: "counts", counts });
    } catch (e) {
      reply({ type: "failed", failure: failureOf(e) });
    } finally {
      source!.close();
      port.close();
    }
  });
}
