/**
 * A count worker (count-parallel.ts): opens the text index or corpus, says so, then counts the one
 * slice of parsed concepts it is sent and replies with the counts (or its error) once.
 */
import { parentPort, workerData } from "node:worker_threads";
import { adoptPhraseAlternates } from "../text/concept-query.js";
import { failureOf, type CountSlice, type CountWorkerData, type WorkerReply } from "./count-parallel.js";
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
  port.once("message", (slice: CountSlice) => {
    try {
      slice.phrase?.forEach((alternates, i) => adoptPhraseAlternates(slice.parsed[i]!, alternates));
      const counts = source!.countConcepts(slice.concepts, { match: data.match, parsed: slice.parsed }).map((c) => c.count);
      reply({ type: "counts", counts });
    } catch (e) {
      reply({ type: "failed", failure: failureOf(e) });
    } finally {
      source!.close();
      port.close();
    }
  });
}
