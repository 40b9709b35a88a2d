/**
 * Builds one shard of a planned corpus: its inputs, read as the plan says, into DIR/shards/K with
 * the library's text index build. Idempotent: a finished shard (its completion marker, written
 * last) is left alone; a failed or killed build's leftovers are removed and the shard is built
 * again from scratch. A lock keeps two builds of one shard from running at once.
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isUserError, UserError } from "../errors.js";
import { buildTextIndex, type BuildProgress } from "../text-index/build.js";
import { checkShardNumber, planReaderOptions, readPlan, shardInputs, type CorpusPlan } from "./plan.js";
import {
  clearShardDone,
  clearShardError,
  shardIndexDir,
  shardStatus,
  takeShardLock,
  thisHost,
  writeShardDone,
  writeShardError,
} from "./shard-state.js";

export interface BuildShardOptions {
  workers?: number;
  memoryMiB?: number;
  /** Take the lock even when it names a live-looking build (on another host, say). */
  breakLock?: boolean;
  /** The log file a launcher sends this build's output to (recorded in the error file on failure). */
  log?: string;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuildShardResult {
  shard: number;
  /** built: this call built it; done: it was already finished, nothing was done. */
  outcome: "built" | "done";
  docCount: number;
  seconds: number;
}

/** Throws unless every input of shard k is as the plan recorded it (size and modification time). */
export function checkShardInputs(plan: CorpusPlan, k: number): void {
  for (const inp of shardInputs(plan, k)) {
    if (!existsSync(inp.path) || !statSync(inp.path).isFile()) throw new UserError(`input ${inp.path} of shard ${k} is gone.`);
    const st = statSync(inp.path);
    // (the plan keeps whole milliseconds; a time set back by utimes may come back a hair under them)
    if (st.size !== inp.bytes || Math.abs(st.mtimeMs - inp.mtimeMs) >= 1) {
      const what = st.size !== inp.bytes ? `it is ${st.size} bytes, the plan says ${inp.bytes}` : `its modification time is ${new Date(st.mtimeMs).toISOString()}, the plan says ${new Date(inp.mtimeMs).toISOString()}`;
      throw new UserError(`input ${inp.path} of shard ${k} changed since the corpus was planned (${what}); plan the corpus again.`);
    }
  }
}

export async function buildShard(dir: string, k: number, opts: BuildShardOptions = {}): Promise<BuildShardResult> {
  const plan = readPlan(dir);
  checkShardNumber(plan, k, dir);
  const before = shardStatus(dir, k);
  if (before.state === "done") return { shard: k, outcome: "done", docCount: before.done!.docCount, seconds: 0 };
  const release = takeShardLock(dir, k, { breakLock: opts.breakLock });
  try {
    const now = shardStatus(dir, k); // another build may have finished it while we waited for the lock
    if (now.state === "done") return { shard: k, outcome: "done", docCount: now.done!.docCount, seconds: 0 };
    checkShardInputs(plan, k);
    const out = shardIndexDir(dir, k);
    // A killed build's leftovers (its temporary directory; an index without a marker) go first.
    clearShardDone(dir, k);
    // We hold the shard's lock, and DIR/shards/ is conceptfreq's: a K.tmp-* / K.old-* beside the shard is
    // a dead run's, whatever host ran it (the build itself reclaims only this host's, by pid).
    const base = basename(out);
    for (const name of existsSync(dirname(out)) ? readdirSync(dirname(out)) : []) {
      if (name.startsWith(base + ".tmp-") || name.startsWith(base + ".old-")) rmSync(join(dirname(out), name), { recursive: true, force: true });
    }
    const m = await buildTextIndex(
      shardInputs(plan, k).map((i) => i.path),
      { ...planReaderOptions(plan), ranges: shardInputs(plan, k).map((i) => i.range), out, workers: opts.workers, memoryMiB: opts.memoryMiB, force: true, onProgress: opts.onProgress },
    );
    if (m.analyzer.name !== plan.analyzer.name || m.analyzer.version !== plan.analyzer.version) {
      throw new UserError(
        `shard ${k} was built with analyzer ${m.analyzer.name}@${m.analyzer.version}, but the corpus was planned with ${plan.analyzer.name}@${plan.analyzer.version}; plan the corpus again.`,
      );
    }
    writeShardDone(dir, { shard: k, docCount: m.docCount, host: thisHost(), seconds: m.buildSeconds, finished: new Date().toISOString() });
    clearShardError(dir, k);
    return { shard: k, outcome: "built", docCount: m.docCount, seconds: m.buildSeconds };
  } catch (e) {
    const message = isUserError(e) ? e.message : e instanceof Error ? e.message : String(e);
    writeShardError(dir, { shard: k, message, exitStatus: null, log: opts.log ?? null });
    throw e;
  } finally {
    release();
  }
}
