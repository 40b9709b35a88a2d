/**
 * The worker threads of a text-index build: starts them, sends each batch to the least busy one
 * (waiting while every worker has MAX_IN_FLIGHT batches), remembers the first failure, collects the
 * workers' runs when the inputs are read and has two of them run the merges (nouns, terms).
 */
import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "../io/module-worker.js";
import type { BatchDone, BatchMessage, MergeRequest, WorkerConfig, WorkerRuns } from "./build-worker.js";
import type { MemoryRun } from "../postings/postings-accumulator.js";

const MAX_IN_FLIGHT = 3;

export interface WorkerSlot {
  worker: Worker;
  inFlight: number;
}

/** Hears of each batch as it is sent to a worker and as a worker answers it. */
export interface BatchListener {
  dispatched(firstDoc: number): void;
  arrived(slot: WorkerSlot, m: BatchDone): void;
}

export class BuildPool {
  private readonly slots: WorkerSlot[] = [];
  private failure: unknown;
  private wake: (() => void) | undefined;

  /** Starts `nWorkers` workers, each with `config` and its worker id. */
  constructor(nWorkers: number, config: Omit<WorkerConfig, "workerId">, private readonly listener: BatchListener) {
    for (let i = 0; i < nWorkers; i++) {
      const workerData: WorkerConfig = { workerId: i, ...config };
      const worker = startModuleWorker("build-worker", import.meta.url, workerData);
      const slot: WorkerSlot = { worker, inFlight: 0 };
      worker.on("message", (m: { type: string }) => {
        if (m.type === "done") {
          slot.inFlight--;
          try {
            this.listener.arrived(slot, m as BatchDone);
          } catch (e) {
            this.failure ??= e;
          }
          this.wakeUp();
        }
      });
      worker.on("error", (e) => {
        this.failure ??= e;
        this.wakeUp();
      });
      this.slots.push(slot);
    }
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Throws the first failure of a worker (or of handling its answer), if any. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** Sends a batch to the least busy worker (waiting while every worker has MAX_IN_FLIGHT). */
  async dispatch(batch: BatchMessage, transfer: ArrayBuffer[]): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      let best: WorkerSlot | undefined;
      for (const s of this.slots) if (s.inFlight < MAX_IN_FLIGHT && (!best || s.inFlight < best.inFlight)) best = s;
      if (best) {
        best.inFlight++;
        if (batch.type === "batch") this.listener.dispatched(batch.docs[0]!);
        best.worker.postMessage(batch, transfer);
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Tells every worker the batches are over; resolves with all their runs (each answers after its batches). */
  async finish(): Promise<WorkerRuns> {
    const runs: WorkerRuns = { nouns: [], terms: [], memoryNouns: [], memoryTerms: [] };
    if (this.failure) throw this.failure;
    for (const m of await Promise.all(this.slots.map((s) => ask<{ runs: WorkerRuns }>(s, { type: "finish" }, [], (m) => m.type === "finished")))) {
      runs.nouns.push(...m.runs.nouns);
      runs.terms.push(...m.runs.terms);
      runs.memoryNouns.push(...m.runs.memoryNouns);
      runs.memoryTerms.push(...m.runs.memoryTerms);
    }
    return runs;
  }

  /** Merges the nouns' and the terms' runs into their postings files, in parallel, each in a worker; resolves with their term counts. */
  merge(runs: WorkerRuns, nounsPath: string, termsPath: string): Promise<[number, number]> {
    const merge = async (slot: WorkerSlot, runPaths: string[], memoryRuns: MemoryRun[], outPath: string) => {
      const request: MergeRequest = { type: "merge", runPaths, memoryRuns, outPath };
      const transfer = memoryRuns.flatMap((r) => [r.starts.buffer as ArrayBuffer, r.docs.buffer as ArrayBuffer]);
      return (await ask<{ terms: number }>(slot, request, transfer, (m) => m.type === "merged" && m.outPath === outPath)).terms;
    };
    return Promise.all([
      merge(this.slots[0]!, runs.nouns.sort(), runs.memoryNouns, nounsPath),
      merge(this.slots[1 % this.slots.length]!, runs.terms.sort(), runs.memoryTerms, termsPath),
    ]);
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/**
 * Sends a message to a worker and resolves with its first reply that `isReply` accepts (rejects
 * when the worker fails first).
 */
function ask<R>(slot: WorkerSlot, message: unknown, transfer: ArrayBuffer[], isReply: (m: { type: string; outPath?: string }) => boolean): Promise<R> {
  return new Promise<R>((res, rej) => {
    const onMessage = (m: { type: string; outPath?: string }) => {
      if (!isReply(m)) return;
      slot.worker.off("message", onMessage);
      slot.worker.off("error", rej);
      res(m as R);
    };
    slot.worker.on("message", onMessage);
    slot.worker.once("error", rej);
    slot.worker.postMessage(message, transfer);
  });
}
