/**
 * The local launcher: runs a corpus's unfinished shards as `conceptfreq corpus build-shard`
 * processes on this machine, at most `parallel` at once, each one's output in DIR/logs/shard-K.log.
 * A shard whose process fails is reported with its exit status and log path (and in its error file).
 */
import { closeSync, openSync } from "node:fs";
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { makeDirs } from "../io/file-system.js";
import { cliCommand } from "./cli-entry.js";
import { readPlan } from "./plan.js";
import { corpusStatus, logsDir, readShardError, writeShardError } from "./shard-state.js";

export interface LocalRunOptions {
  parallel: number;
  /** Worker threads per shard build (default: cores / parallel, at least 1). */
  workers?: number;
  memoryMiB?: number;
  onShardEnd?: (r: LocalShardRun) => void;
}

export interface LocalShardRun {
  shard: number;
  ok: boolean;
  exitStatus: number | string;
  log: string;
}

export interface LocalRunResult {
  /** Shards already done before the run. */
  alreadyDone: number[];
  /** Shards another build was running (left alone). */
  running: number[];
  runs: LocalShardRun[];
}

export async function runShardsLocally(dirIn: string, opts: LocalRunOptions): Promise<LocalRunResult> {
  const dir = resolve(dirIn);
  const plan = readPlan(dir);
  const statuses = corpusStatus(dir, plan.shards.length);
  const todo = statuses.filter((s) => s.state === "pending" || s.state === "failed").map((s) => s.shard);
  const result: LocalRunResult = {
    alreadyDone: statuses.filter((s) => s.state === "done").map((s) => s.shard),
    running: statuses.filter((s) => s.state === "running").map((s) => s.shard),
    runs: [],
  };
  if (todo.length === 0) return result;
  makeDirs(logsDir(dir));
  const { node, main } = cliCommand();
  const workers = opts.workers;
  const runOne = (k: number) =>
    new Promise<LocalShardRun>((res) => {
      const log = join(logsDir(dir), `shard-${k}.log`);
      const fd = openSync(log, "w");
      const args = [main, "corpus", "build-shard", dir, "--shard", String(k), "--log", log];
      if (workers !== undefined) args.push("--workers", String(workers));
      if (opts.memoryMiB !== undefined) args.push("--memory", String(opts.memoryMiB));
      const child = spawn(node, args, { stdio: ["ignore", fd, fd] });
      let ended = false;
      const done = (status: number | string) => {
        if (ended) return;
        ended = true;
        closeSync(fd);
        const run = { shard: k, ok: status === 0, exitStatus: status, log };
        if (!run.ok) {
          const own = readShardError(dir, k);
          writeShardError(dir, { shard: k, message: own?.message ?? `the build ended with ${typeof status === "number" ? `exit status ${status}` : status}`, exitStatus: status, log });
        }
        opts.onShardEnd?.(run);
        res(run);
      };
      child.on("error", (e) => done(`could not start: ${e.message}`));
      child.on("exit", (code, signal) => done(code ?? `signal ${signal}`));
    });
  const queue = [...todo];
  const lanes = Array.from({ length: Math.min(opts.parallel, queue.length) }, async () => {
    for (let k = queue.shift(); k !== undefined; k = queue.shift()) result.runs.push(await runOne(k));
  });
  await Promise.all(lanes);
  result.runs.sort((a, b) => a.shard - b.shard);
  return result;
}
