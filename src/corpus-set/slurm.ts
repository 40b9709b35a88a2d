/**
 * The Slurm launcher: an sbatch job array with one task per unfinished shard (each running
 * `conceptfreq corpus build-shard DIR --shard $SLURM_ARRAY_TASK_ID`), and a finish job that runs
 * `conceptfreq corpus finish DIR` once every task succeeded (--dependency=afterok). Submitting again
 * after a failure runs only the shards not done.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { makeDirs } from "../io/file-system.js";
import { cliCommand, shellQuote } from "./cli-entry.js";
import { readPlan } from "./plan.js";
import { corpusStatus, logsDir } from "./shard-state.js";

export interface SlurmOptions {
  partition?: string;
  cpus?: number;
  /** Memory per task as sbatch takes it: 4000 (MiB), 4000M, 16G. */
  mem?: string;
  /** Time limit per task as sbatch takes it: 60, 1:00:00, 1-00:00:00. */
  time?: string;
  /** At most this many tasks at once (the array's %K). */
  maxParallel?: number;
  jobName?: string;
}

export interface SlurmScripts {
  /** The shards the array runs (those not done); empty when all are done. */
  shards: number[];
  /** The --array value, e.g. "0-3%2" or "1,3". */
  array: string;
  /** Paths of the two scripts written. */
  shardScript: string;
  finishScript: string;
}

/** "0-3,5,7-8" for [0,1,2,3,5,7,8]. */
export function arrayRanges(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(i === j ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** Memory in MiB from sbatch's --mem syntax (K, M, G, T suffixes; MiB when bare). */
export function memMiB(mem: string): number {
  const m = /^(\d+)([KMGT]?)B?$/i.exec(mem.trim());
  if (!m) throw new UserError(`--mem ${mem} is not a memory size sbatch takes (e.g. 4000, 4000M, 16G).`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toUpperCase();
  return unit === "K" ? Math.floor(n / 1024) : unit === "G" ? n * 1024 : unit === "T" ? n * 1024 * 1024 : n;
}

function header(lines: string[], opts: SlurmOptions): void {
  if (opts.partition) lines.push(`#SBATCH --partition=${opts.partition}`);
  if (opts.time) lines.push(`#SBATCH --time=${opts.time}`);
}

/** Writes DIR/slurm/shards.sbatch and DIR/slurm/finish.sbatch for the shards not done yet. */
export function writeSlurmScripts(dirIn: string, opts: SlurmOptions = {}): SlurmScripts {
  const dir = resolve(dirIn);
  const plan = readPlan(dir);
  if (opts.partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(opts.partition)) throw new UserError(`--partition ${opts.partition} is not a partition name.`);
  if (opts.time !== undefined && !/^[0-9:-]+$/.test(opts.time)) throw new UserError(`--time ${opts.time} is not a time limit sbatch takes (e.g. 60, 1:00:00, 1-00:00:00).`);
  const mib = opts.mem !== undefined ? memMiB(opts.mem) : undefined;
  const statuses = corpusStatus(dir, plan.shards.length);
  const shards = statuses.filter((s) => s.state !== "done").map((s) => s.shard);
  const array = shards.length === 0 ? "" : arrayRanges(shards) + (opts.maxParallel ? `%${opts.maxParallel}` : "");
  const { node, main } = cliCommand();
  const q = shellQuote;
  const logs = logsDir(dir);
  const name = opts.jobName ?? "conceptfreq";
  if (/[\s'"]/.test(name)) throw new UserError(`--job-name ${name} holds a space or quote.`);

  const s: string[] = ["#!/bin/bash", `#SBATCH --job-name=${name}-shards`];
  if (shards.length === 0) {
    // nothing to run: a script that says so (no array of a placeholder shard)
    s.push("# Every shard is done: there is nothing to build; submit finish.sbatch.", "exit 0", "");
  } else {
    s.push(`#SBATCH --array=${array}`, `#SBATCH --output=${join(logs, "shard-%a.slurm-%A.log")}`);
    header(s, opts);
    if (opts.cpus) s.push(`#SBATCH --cpus-per-task=${opts.cpus}`);
    if (opts.mem) s.push(`#SBATCH --mem=${opts.mem}`);
    s.push(
      "# One task per shard: a finished shard does nothing, a failed or killed one is rebuilt.",
      "set -eu",
      `exec ${q(node)} ${q(main)} corpus build-shard ${q(dir)} --shard "$SLURM_ARRAY_TASK_ID" \\`,
      `  --log ${q(logs)}/shard-"$SLURM_ARRAY_TASK_ID".slurm-"$SLURM_ARRAY_JOB_ID".log` +
        (opts.cpus ? ` --workers ${opts.cpus}` : "") +
        (mib !== undefined ? ` --memory ${Math.max(64, Math.floor(mib / 2))}` : ""),
      "",
    );
  }
  const f: string[] = ["#!/bin/bash", `#SBATCH --job-name=${name}-finish`, `#SBATCH --output=${join(logs, "finish.slurm-%j.log")}`];
  header(f, opts);
  f.push("#SBATCH --cpus-per-task=1", "set -eu", `exec ${q(node)} ${q(main)} corpus finish ${q(dir)}`, "");

  makeDirs(logs);
  const shardScript = join(dir, "slurm", "shards.sbatch");
  const finishScript = join(dir, "slurm", "finish.sbatch");
  writeFileAtomic(shardScript, s.join("\n"));
  writeFileAtomic(finishScript, f.join("\n"));
  return { shards, array, shardScript, finishScript };
}

export interface SlurmSubmission {
  /** The array job's id (undefined when every shard was done). */
  shardsJob?: string;
  finishJob: string;
  shards: number[];
}

function sbatch(args: string[], sbatchCommand: string): string {
  const r = spawnSync(sbatchCommand, ["--parsable", ...args], { encoding: "utf8" });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new UserError(code === "ENOENT" ? `cannot run ${sbatchCommand}: it is not installed here (is this a Slurm login node?).` : `cannot run ${sbatchCommand}: ${r.error.message}.`);
  }
  if (r.status !== 0) {
    const said = (r.stderr || r.stdout).trim().split("\n").pop() ?? "";
    throw new UserError(`sbatch refused the job (exit status ${r.status}): ${said}`);
  }
  const id = r.stdout.trim().split(";")[0]!;
  if (!/^\d+$/.test(id)) throw new UserError(`sbatch printed "${r.stdout.trim()}", not a job id.`);
  return id;
}

/** Submits the scripts: the array (when any shard is not done), then the finish job after it. */
export function submitSlurm(scripts: SlurmScripts, opts: { sbatch?: string } = {}): SlurmSubmission {
  const cmd = opts.sbatch ?? "sbatch";
  if (scripts.shards.length === 0) return { finishJob: sbatch([scripts.finishScript], cmd), shards: [] };
  const shardsJob = sbatch([scripts.shardScript], cmd);
  // If a task fails the dependency can never be met: the finish job is then removed, not left pending.
  const finishJob = sbatch([`--dependency=afterok:${shardsJob}`, "--kill-on-invalid-dep=yes", scripts.finishScript], cmd);
  return { shardsJob, finishJob, shards: scripts.shards };
}
