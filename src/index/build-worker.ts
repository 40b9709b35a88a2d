/**
 * Index build worker: analyses batches of captions and accumulates their postings, spilling sorted
 * runs to disk when its share of the memory budget is used. Messages:
 *   in  {type: "batch", docs: Uint32Array, texts: string[]}   -> out {type: "done", rows}
 *   in  {type: "finish"}                                      -> out {type: "finished", runs}
 */
import { parentPort, workerData } from "node:worker_threads";
import { join } from "node:path";
import { analyzeCaptionTermIds, NOUN_TERMS, PHRASE_TERMS, type CaptionTermIds } from "../text/analyzer.js";
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

const config = workerData as WorkerConfig;
const nouns = new PostingsAccumulator();
const terms = new PostingsAccumulator();
const runs: WorkerRuns = { nouns: [], terms: [] };
let runNo = 0;

function spill(): void {
  const tag = `w${config.workerId}-r${runNo++}`;
  const nounPath = join(config.runDir, `${tag}.nouns`);
  const termPath = join(config.runDir, `${tag}.terms`);
  if (nouns.writeRun(nounPath, NOUN_TERMS.texts)) runs.nouns.push(nounPath);
  if (terms.writeRun(termPath, PHRASE_TERMS.texts)) runs.terms.push(termPath);
}

const caption: CaptionTermIds = { nouns: [], terms: [] };

parentPort!.on("message", (msg: { type: "batch"; docs: Uint32Array; texts: string[] } | { type: "finish" }) => {
  if (msg.type === "batch") {
    const { docs, texts } = msg;
    for (let j = 0; j < texts.length; j++) {
      analyzeCaptionTermIds(texts[j]!, caption);
      const doc = docs[j]!;
      for (const id of caption.nouns) nouns.add(id, doc);
      for (const id of caption.terms) terms.add(id, doc);
    }
    if (nouns.size + terms.size >= config.spillPostings) spill();
    parentPort!.postMessage({ type: "done", rows: texts.length });
  } else {
    spill();
    parentPort!.postMessage({ type: "finished", runs });
  }
});
