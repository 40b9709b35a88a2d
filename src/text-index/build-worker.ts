/**
 * Index build worker: analyses batches of captions and accumulates their postings, spilling sorted
 * runs to disk when its share of the memory budget is used, and compresses the caption-store blocks
 * a batch brings. Messages:
 *   in  {type: "batch", docs, bytes, ends, blocks?}
 *                                                              -> out BatchDone (the batch's phrase-token sequences, its blocks compressed)
 *   in  {type: "finish"}                                      -> out {type: "finished", runs}
 *   in  {type: "merge", runPaths, memoryRuns, outPath}        -> out {type: "merged", terms, outPath}
 * At "finish" the postings still in memory are not written: they go to the merge as MemoryRuns
 * (their buffers transferred, not copied).
 */
import { parentPort, workerData } from "node:worker_threads";
import { join } from "node:path";
import { analyzeCaptionBytesTermIds, analyzeForIndexOnly, analyzerMemorySize, resetAnalyzerMemory, newCaptionTermIds, type CaptionTermIds } from "../text/forms-memo.js";
import { NOUN_TERMS, PHRASE_TERMS, PHRASE_TOKENS } from "../text/term-interning.js";
import { PostingsAccumulator, type MemoryRun } from "../postings/postings-accumulator.js";
import { mergePostingRuns } from "../postings/merge-runs.js";
import { compressBlocks, type CompressedBlocks, type RawBlocks } from "./caption-store.js";
import { encodeTokenTexts, type TokenTexts } from "./token-dictionary.js";

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
  /** Caption-store blocks to compress (compressBlocks) and send back with the reply: the reading thread's work moved here. */
  blocks?: RawBlocks;
}

/**
 * A batch analysed: each caption's phrase-token sequence, as this worker's PHRASE_TOKENS ids
 * (caption j is docs[j] and ids[ends[j - 1] (0 for j = 0), ends[j])); `newTokens` are the texts (UTF-8) of
 * the ids this worker made since its last reply (its ids count on from there); after `reset` the
 * worker's ids start again from 0 (its analyzer memory was reset after this batch).
 */
export interface BatchDone {
  type: "done";
  docs: Uint32Array;
  ids: Int32Array;
  ends: Uint32Array;
  newTokens: TokenTexts;
  reset: boolean;
  /** The batch's blocks, compressed. */
  blocks?: CompressedBlocks;
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
analyzeForIndexOnly();
const nouns = new PostingsAccumulator();
const terms = new PostingsAccumulator();
const runs: WorkerRuns = { nouns: [], terms: [], memoryNouns: [], memoryTerms: [] };
let runNo = 0;
/** PHRASE_TOKENS ids whose texts the main thread has been sent. */
let tokensSent = 0;

/** Spills the postings held; true when the analyzer's memory was reset too. */
function spill(): boolean {
  const tag = `w${config.workerId}-r${runNo++}`;
  const nounPath = join(config.runDir, `${tag}.nouns`);
  const termPath = join(config.runDir, `${tag}.terms`);
  if (nouns.writeRun(nounPath, NOUN_TERMS.texts)) runs.nouns.push(nounPath);
  if (terms.writeRun(termPath, PHRASE_TERMS.texts)) runs.terms.push(termPath);
  // no term id is held any more: a good moment to bound what the analyzer remembers
  if (analyzerMemorySize() > config.analyzerMemoryLimit) {
    resetAnalyzerMemory();
    return true;
  }
  return false;
}

/** The caption being analysed; its phrase array collects the whole batch's sequences (the reply carries a copy). */
const caption: CaptionTermIds = newCaptionTermIds();

parentPort!.on("message", (msg: BatchMessage | { type: "finish" } | MergeRequest) => {
  if (msg.type === "merge") {
    const { terms } = mergePostingRuns(msg.runPaths, msg.outPath, undefined, msg.memoryRuns);
    parentPort!.postMessage({ type: "merged", terms, outPath: msg.outPath });
  } else if (msg.type === "batch") {
    const { docs, bytes, ends } = msg;
    const blocks = msg.blocks ? compressBlocks(msg.blocks) : undefined;
    // the batch's phrase-token sequences, written one after another into caption.phrase (from 0:
    // the last batch left phraseStart and nPhrase at 0)
    const idEnds = new Uint32Array(ends.length);
    for (let j = 0, at = 0; j < ends.length; at = ends[j++]!) {
      caption.phraseStart = caption.nPhrase;
      analyzeCaptionBytesTermIds(bytes, caption, at, ends[j]!);
      nouns.addAll(caption.nouns, caption.nNouns, docs[j]!);
      terms.addAll(caption.terms, caption.nTerms, docs[j]!);
      idEnds[j] = caption.nPhrase;
    }
    const ids = caption.phrase.slice(0, caption.nPhrase);
    caption.phraseStart = caption.nPhrase = 0;
    const newTokens = encodeTokenTexts(PHRASE_TOKENS.texts, tokensSent);
    tokensSent = PHRASE_TOKENS.texts.length;
    const reset = nouns.size + terms.size >= config.spillPostings ? spill() : false;
    if (reset) tokensSent = 0;
    const done: BatchDone = { type: "done", docs, ids, ends: idEnds, newTokens, reset, blocks };
    const transfer = [docs.buffer, done.ids.buffer, idEnds.buffer, newTokens.bytes.buffer, newTokens.ends.buffer] as ArrayBuffer[];
    if (blocks) transfer.push(blocks.data.buffer as ArrayBuffer, blocks.ends.buffer as ArrayBuffer);
    parentPort!.postMessage(done, transfer);
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
