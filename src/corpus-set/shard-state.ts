/**
 * Where a shard build stands, from the files beside its index in DIR/shards/:
 *   K/        the shard's text index (renamed into place by the build when complete)
 *   K.done    the completion marker, written last (after the index is in place)
 *   K.lock    a build holds it: {pid, host, started}; stale when the pid is dead on this host
 *   K.error   the last build failed: {message, exitStatus, log, host, pid, at}
 * A shard is done (marker and index), running (a live lock), failed (an error file) or pending.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { makeDirs } from "../io/file-system.js";

export type ShardState = "done" | "running" | "failed" | "pending";

export interface ShardLock {
  pid: number;
  host: string;
  started: string;
}

export interface ShardDone {
  shard: number;
  docCount: number;
  host: string;
  seconds: number;
  finished: string;
}

export interface ShardError {
  shard: number;
  message: string;
  /** The build's exit status, when a launcher saw it end (null: the build wrote this itself). */
  exitStatus: number | string | null;
  /** Its log file, when a launcher wrote one. */
  log: string | null;
  host: string;
  pid: number;
  at: string;
}

export interface ShardStatus {
  shard: number;
  state: ShardState;
  lock?: ShardLock;
  /** A lock whose process is gone (the shard is pending and will be rebuilt). */
  staleLock?: ShardLock;
  done?: ShardDone;
  error?: ShardError;
}

export const shardsDir = (dir: string) => join(dir, "shards");
export const shardIndexDir = (dir: string, k: number) => join(dir, "shards", String(k));
const donePath = (dir: string, k: number) => join(dir, "shards", `${k}.done`);
const lockPath = (dir: string, k: number) => join(dir, "shards", `${k}.lock`);
const errorPath = (dir: string, k: number) => join(dir, "shards", `${k}.error`);
export const logsDir = (dir: string) => join(dir, "logs");

export function thisHost(): string {
  return hostname().split(".")[0]!;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid is alive on this machine. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether a lock's holder is known to be gone: it ran on this host and its pid is dead. */
export function lockIsStale(lock: ShardLock): boolean {
  return lock.host === thisHost() && !pidAlive(lock.pid);
}

export function shardStatus(dir: string, k: number): ShardStatus {
  const done = readJson<ShardDone>(donePath(dir, k));
  if (done && existsSync(join(shardIndexDir(dir, k), "manifest.json"))) return { shard: k, state: "done", done };
  const lock = readJson<ShardLock>(lockPath(dir, k));
  const error = readJson<ShardError>(errorPath(dir, k));
  if (lock && !lockIsStale(lock)) return { shard: k, state: "running", lock };
  const status: ShardStatus = { shard: k, state: error ? "failed" : "pending" };
  if (lock) status.staleLock = lock;
  if (error) status.error = error;
  return status;
}

export function corpusStatus(dir: string, shards: number): ShardStatus[] {
  return Array.from({ length: shards }, (_, k) => shardStatus(dir, k));
}

/**
 * Takes shard k's lock (an exclusive create), replacing a stale one. Throws a UserError when
 * another live build holds it. Returns a release function (also run at process exit).
 */
export function takeShardLock(dir: string, k: number, opts: { breakLock?: boolean } = {}): () => void {
  makeDirs(shardsDir(dir));
  const path = lockPath(dir, k);
  const mine: ShardLock = { pid: process.pid, host: thisHost(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const held = readJson<ShardLock>(path);
      if (held && !lockIsStale(held) && !opts.breakLock) {
        throw new UserError(
          `shard ${k} of ${dir} is being built by pid ${held.pid} on ${held.host} (since ${held.started}); ` +
            `if that build is gone, run build-shard again with --break-lock.`,
        );
      }
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, JSON.stringify(mine) + "\n");
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const now = readJson<ShardLock>(path);
      if (now && now.pid === mine.pid && now.host === mine.host) rmSync(path, { force: true });
      process.removeListener("exit", release);
    };
    process.on("exit", release);
    return release;
  }
  throw new UserError(`could not take the lock of shard ${k} of ${dir}: another build took it at the same moment.`);
}

export function writeShardDone(dir: string, done: ShardDone): void {
  writeFileAtomic(donePath(dir, done.shard), JSON.stringify(done, null, 2) + "\n");
}

export function writeShardError(dir: string, err: Omit<ShardError, "host" | "pid" | "at"> & Partial<ShardError>): void {
  const full: ShardError = { host: thisHost(), pid: process.pid, at: new Date().toISOString(), ...err };
  writeFileAtomic(errorPath(dir, err.shard), JSON.stringify(full, null, 2) + "\n");
}

export function clearShardError(dir: string, k: number): void {
  rmSync(errorPath(dir, k), { force: true });
}

/** Removes a done marker (before a rebuild, so a half-replaced shard never looks finished). */
export function clearShardDone(dir: string, k: number): void {
  rmSync(donePath(dir, k), { force: true });
}

export function readShardError(dir: string, k: number): ShardError | undefined {
  return readJson<ShardError>(errorPath(dir, k));
}
