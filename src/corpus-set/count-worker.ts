/** A count worker (count-parallel.ts): counts its slice of the concepts and replies once. */
import { parentPort, workerData } from "node:worker_threads";
import { failureOf, type CountSliceJob, type SliceReply } from "./count-parallel.js";
import { openTextSource } from "./text-corpus.js";

const job = workerData as CountSliceJob;
let reply: SliceReply;
try {
  const source = openTextSource(job.dir);
  try {
    reply = { ok: true, counts: source.countConcepts(job.concepts, { match: job.match, queries: job.queries }).map((c) => c.count) };
  } finally {
    source.close();
  }
} catch (e) {
  reply = { ok: false, failure: failureOf(e) };
}
parentPort!.postMessage(reply);
