/**
 * Index build worker: analyses batches of captions and accumulates their postings, spilling sorted
 * runs to disk when its share of the memory budget is used. Messages:
 *   in  {type: "batch", docs, bytes, ends}                    -> out {type: "done", rows}
 *   in  {type: "finish"}                                      -> out {type: "finished", runs}
 *   in  {type: "merge", runPaths, memoryRuns, outPath}        -> out {type: "merged", terms, outPath}
 * At "finish" the postings still in memory are not written: they go to the merge as MemoryRuns
 * (their buffers transferred, not copied).
 */
import { parentPort, workerData } from "node:worker_threads";
import { join } from "node:path";
import { analyzeCaptionBytesTermIds, analyzerMemorySize, NOUN_TERMS, PHRASE_TERMS, resetAnalyzerMemory, newCaptionTermIds, type CaptionTermIds } from "../text/analyzer.js";
import { PostingsAccumulator, type MemoryRun } from "../postings/postings-accumulator.js";
import { mergePostingRuns } from "../postings/merge-runs.js";

export interface WorkerConfig {
  workerId: number;
  runDir: string;
  /** Spill a run when this many postings (nouns + terms) are held. */
  spillPostings: number;
  /** After a spill, reset the analyzer's memory when it has learnt more than this (see analyzerMemorySize). */
  analyzerMemoryLimit: number;
}

/**
 * A batch of captions as the caption store keeps them, UTF-8: caption j is doc docs[j] and
 * bytes[ends[j - 1] (0 for j = 0), ends[j]) (the captions one after another: one buffer to move
 * between threads instead of thousands of strings).
 */
export interface BatchMessage {
  type: "batch";
  docs: Uint32Array;
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** Merge runs (files and memory) into one posting file (the build's last step, one per posting kind). */
export interface MergeRequest {
  type: "merge";
  runPaths: string[];
  memoryRuns: MemoryRun[];
  outPath: string;
}

export interface WorkerRuns {
  /** Spilled runs (posting files). */
  nouns: string[];
  terms: string[];
  /** The last runs, in memory (at most one each per worker). */
  memoryNouns: MemoryRun[];
  memoryTerms: MemoryRun[];
}

const config = workerData as WorkerConfig;
const nouns = new PostingsAccumulator();
const terms = new PostingsAccumulator();
const runs: WorkerRuns = { nouns: [], terms: [], memoryNouns: [], memoryTerms: [] };
let runNo = 0;

function spill(): void {
  const tag = `w${config.workerId}-r${runNo++}`;
  const nounPath = join(config.runDir, `${tag}.nouns`);
  const termPath = join(config.runDir, `${tag}.terms`);
  if (nouns.writeRun(nounPath, NOUN_TERMS.texts)) runs.nouns.push(nounPath);
  if (terms.writeRun(termPath, PHRASE_TERMS.texts)) runs.terms.push(termPath);
  // no term id is held any more: a good moment to bound what the analyzer remembers
  if (analyzerMemorySize() > config.analyzerMemoryLimit) resetAnalyzerMemory();
}

const caption: CaptionTermIds = newCaptionTermIds();

parentPort!.on("message", (msg: BatchMessage | { type: "finish" } | MergeRequest) => {
  if (msg.type === "merge") {
    const { terms } = mergePostingRuns(msg.runPaths, msg.outPath, undefined, msg.memoryRuns);
    parentPort!.postMessage({ type: "merged", terms, outPath: msg.outPath });
  } else if (msg.type === "batch") {
    const { docs, bytes, ends } = msg;
    for (let j = 0, at = 0; j < ends.length; at = ends[j++]!) {
      analyzeCaptionBytesTermIds(bytes, caption, at, ends[j]!);
      nouns.addAll(caption.nouns, caption.nNouns, docs[j]!);
      terms.addAll(caption.terms, caption.nTerms, docs[j]!);
    }
    if (nouns.size + terms.size >= config.spillPostings) spill();
    parentPort!.postMessage({ type: "done", rows: ends.length });
  } else {
    const transfer: ArrayBuffer[] = [];
    for (const [acc, texts, into] of [
      [nouns, NOUN_TERMS.texts, runs.memoryNouns],
      [terms, PHRASE_TERMS.texts, runs.memoryTerms],
    ] as const) {
      if (acc.size === 0) continue;
      const run = acc.takeRun(texts);
      into.push(run);
      transfer.push(run.starts.buffer as ArrayBuffer, run.docs.buffer as ArrayBuffer);
    }
    parentPort!.postMessage({ type: "finished", runs }, transfer);
  }
});
