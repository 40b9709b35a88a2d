/**
 * Index build worker: analyses batches of captions and accumulates their postings, spilling sorted
 * runs to disk when its share of the memory budget is used. Messages:
 *   in  {type: "batch", docs, text, lengths}                  -> out {type: "done", rows}
 *   in  {type: "finish"}                                      -> out {type: "finished", runs}
 *   in  {type: "merge", runPaths, memoryRuns, outPath}        -> out {type: "merged", terms, outPath}
 * At "finish" the postings still in memory are not written: they go to the merge as MemoryRuns
 * (their buffers transferred, not copied).
 */
import { parentPort, workerData } from "node:worker_threads";
import { join } from "node:path";
import { analyzeCaptionTermIds, analyzerMemorySize, NOUN_TERMS, PHRASE_TERMS, resetAnalyzerMemory, newCaptionTermIds, type CaptionTermIds } from "../text/analyzer.js";
import { PostingsAccumulator, type MemoryRun } from "./postings-accumulator.js";
import { mergePostingRuns } from "./merge-runs.js";

export interface WorkerConfig {
  workerId: number;
  runDir: string;
  /** Spill a run when this many postings (nouns + terms) are held. */
  spillPostings: number;
  /** After a spill, reset the analyzer's memory when it has learnt more than this (see analyzerMemorySize). */
  analyzerMemoryLimit: number;
}

/**
 * A batch of captions: caption j is doc docs[j] and the next lengths[j] UTF-16 units of `text`
 * (the captions joined: one string to copy between threads instead of thousands).
 */
export type BatchMessage =
  | { type: "batch"; docs: Uint32Array; text: string; lengths: Uint32Array }
  /**
   * The same as UTF-8 bytes (TSV, read without decoding): caption j is bytes[ends[j - 1] (0 for
   * j = 0), ends[j]).
   */
  | { type: "batch"; docs: Uint32Array; bytes: Uint8Array; ends: Uint32Array };

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
    const { docs } = msg;
    const { text, lengths } = "text" in msg ? msg : decodeBatch(msg.bytes, msg.ends);
    for (let j = 0, at = 0; j < lengths.length; at += lengths[j++]!) {
      analyzeCaptionTermIds(text, caption, at, at + lengths[j]!);
      nouns.addAll(caption.nouns, caption.nNouns, docs[j]!);
      terms.addAll(caption.terms, caption.nTerms, docs[j]!);
    }
    if (nouns.size + terms.size >= config.spillPostings) spill();
    parentPort!.postMessage({ type: "done", rows: lengths.length });
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

/** A batch of UTF-8 captions as one string and each caption's length in UTF-16 units. */
function decodeBatch(bytes: Uint8Array, ends: Uint32Array): { text: string; lengths: Uint32Array } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8");
  const lengths = new Uint32Array(ends.length);
  if (text.length === bytes.length) {
    // all ASCII: a character per byte
    for (let j = 0, from = 0; j < ends.length; from = ends[j++]!) lengths[j] = ends[j]! - from;
  } else {
    // (valid UTF-8: the reader made invalid lines malformed rows) a character per lead byte, two for a 4-byte one
    for (let j = 0, i = 0; j < ends.length; j++) {
      let units = 0;
      for (const end = ends[j]!; i < end; i++) {
        const b = bytes[i]!;
        if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
      }
      lengths[j] = units;
    }
  }
  return { text, lengths };
}
