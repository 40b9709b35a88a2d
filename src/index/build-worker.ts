/**
 * Index build worker: analyses batches of captions and accumulates their postings, spilling sorted
 * runs to disk when its share of the memory budget is used. Messages:
 *   in  {type: "batch", docs: Uint32Array, texts: string[]}   -> out {type: "done", rows}
 *   in  {type: "finish"}                                      -> out {type: "finished", runs}
 */
import { parentPort, workerData } from "node:worker_threads";
import { join } from "node:path";
import { analyzeCaptionsForIndex } from "../text/analyzer.js";
import { PostingsAccumulator } from "./postings-accumulator.js";

export interface WorkerConfig {
  workerId: number;
  runDir: string;
  /** Spill a run when this many postings (nouns + terms) are held. */
  spillPostings: number;
}

export interface WorkerRuns {
  nouns: string[];
  terms: string[];
}

/** Captions tagged per wink-nlp document (see analyzeCaptionsForIndex). */
const CAPTIONS_PER_DOC = 256;

const config = workerData as WorkerConfig;
const nouns = new PostingsAccumulator();
const terms = new PostingsAccumulator();
const runs: WorkerRuns = { nouns: [], terms: [] };
let runNo = 0;

function spill(): void {
  const tag = `w${config.workerId}-r${runNo++}`;
  const nounPath = join(config.runDir, `${tag}.nouns`);
  const termPath = join(config.runDir, `${tag}.terms`);
  if (nouns.writeRun(nounPath)) runs.nouns.push(nounPath);
  if (terms.writeRun(termPath)) runs.terms.push(termPath);
}

parentPort!.on("message", (msg: { type: "batch"; docs: Uint32Array; texts: string[] } | { type: "finish" }) => {
  if (msg.type === "batch") {
    const { docs, texts } = msg;
    for (let start = 0; start < texts.length; start += CAPTIONS_PER_DOC) {
      const analyses = analyzeCaptionsForIndex(texts.slice(start, start + CAPTIONS_PER_DOC));
      for (let j = 0; j < analyses.length; j++) {
        const a = analyses[j]!;
        const doc = docs[start + j]!;
        for (const t of a.nouns) nouns.add(t, doc);
        for (const t of a.terms) terms.add(t, doc);
      }
    }
    if (nouns.size + terms.size >= config.spillPostings) spill();
    parentPort!.postMessage({ type: "done", rows: texts.length });
  } else {
    spill();
    parentPort!.postMessage({ type: "finished", runs });
  }
});
