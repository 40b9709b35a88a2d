/**
 * The protocol of a slice worker (count-worker.ts, cooccur-worker.ts; started by count-parallel.ts's
 * startWorkers): open the text index or corpus and say so (or reply its error), then count the one
 * slice sent, reply its numbers (or its error) once, and close.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { MatchMode } from "../text-index/count.js";
import { failureOf, type CountWorkerData, type WorkerReply } from "./count-parallel.js";
import { openTextSource, type TextSource } from "./text-corpus.js";

export function serveOneSlice<Slice>(count: (source: TextSource, slice: Slice, match: MatchMode | undefined) => number[]): void {
  const data = workerData as CountWorkerData;
  const port = parentPort!;
  const reply = (m: WorkerReply) => port.postMessage(m);
  let source: TextSource;
  try {
    source = openTextSource(data.dir);
    reply({ type: "opened" });
  } catch (e) {
    reply({ type: "failed", failure: failureOf(e) });
    return;
  }
  port.once("message", (slice: Slice) => {
    try {
      reply({ type: "counts", counts: count(source, slice, data.match) });
    } catch (e) {
      reply({ type: "failed", failure: failureOf(e) });
    } finally {
      source.close();
      port.close();
    }
  });
}
