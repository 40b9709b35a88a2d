/**
 * A corpus built on a real one-node Slurm cluster: munged, slurmctld and slurmd started here (as
 * root, from Debian's munge and slurm-wlm) with their own key, sockets, ports, state and a minimal
 * slurm.conf in a temporary directory; everything stopped by pid afterwards. Skipped with one line
 * where Slurm is not installed or this is not root.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CONCEPTS, writeCaptionFiles } from "./fixtures.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const TOOLS = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/sinfo"];

function skipReason(): string | undefined {
  const missing = TOOLS.filter((t) => !existsSync(t));
  if (missing.length > 0) return `Slurm is not installed here (no ${missing.join(", ")}; apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return "the one-node Slurm cluster needs root";
  if (spawnSync("id", ["-u", "munge"], { encoding: "utf8" }).status !== 0) return "there is no munge user (is munge installed?)";
  return undefined;
}
const skip = skipReason();
if (skip) process.stdout.write(`# skipping the Slurm test: ${skip}\n`);

const root = skip ? "" : mkdtempSync(join(tmpdir(), "cf-slurm-"));
const daemons: ChildProcess[] = [];
let env: NodeJS.ProcessEnv = process.env;

function idOf(flag: "-u" | "-g"): number {
  return Number(spawnSync("id", [flag, "munge"], { encoding: "utf8" }).stdout.trim());
}

function start(cmd: string, args: string[], log: string, opts: { uid?: number; gid?: number } = {}): ChildProcess {
  const fd = openSync(join(root, log), "a");
  const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], env, ...opts });
  daemons.push(child);
  return child;
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

async function waitFor(what: string, ok: () => boolean, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (ok()) return;
    await sleep(500);
  }
  const logs = ["slurmctld.log", "slurmd.log"].map((f) => `--- ${f}\n${existsSync(join(root, f)) ? readFileSync(join(root, f), "utf8").slice(-3000) : ""}`).join("\n");
  throw new Error(`timed out after ${seconds} s waiting for ${what}\n${logs}`);
}

/** Our jobs still queued or running. */
function queued(): string[] {
  return tool("/usr/bin/squeue", ["-h", "-o", "%i %T"]).split("\n").filter((l) => l.trim() !== "");
}

before(async () => {
  if (skip) return;
  const uid = idOf("-u");
  const gid = idOf("-g");
  // munge: a key of our own, its socket in a directory everyone may enter (munged checks both)
  const keyDir = join(root, "munge-key");
  const runDir = join(root, "munge-run");
  chmodSync(root, 0o755);
  for (const [d, mode] of [[keyDir, 0o700], [runDir, 0o755]] as const) {
    mkdirSync(d);
    chownSync(d, uid, gid);
    chmodSync(d, mode);
  }
  const key = join(keyDir, "munge.key");
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  chownSync(key, uid, gid);
  const socket = join(runDir, "munge.sock");
  start(
    "/usr/sbin/munged",
    ["-F", `--socket=${socket}`, `--key-file=${key}`, `--log-file=${join(keyDir, "munged.log")}`, `--pid-file=${join(keyDir, "munged.pid")}`, `--seed-file=${join(keyDir, "munged.seed")}`],
    "munged.out",
    { uid, gid },
  );
  await waitFor("munged's socket", () => existsSync(socket), 20);

  // slurm: this host as the controller and the one node, on loopback and ports of our own
  const host = hostname().split(".")[0]!;
  const port = 20000 + (process.pid % 20000);
  for (const d of ["state", "spool"]) mkdirSync(join(root, d));
  const conf = join(root, "slurm.conf");
  writeFileSync(
    conf,
    [
      "ClusterName=cftest",
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      "SlurmUser=root",
      "SlurmdUser=root",
      "AuthType=auth/munge",
      `AuthInfo=socket=${socket}`,
      "CredType=cred/munge",
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_CPU",
      "JobAcctGatherType=jobacct_gather/none",
      "AccountingStorageType=accounting_storage/none",
      "JobCompType=jobcomp/none",
      "MpiDefault=none",
      "ReturnToService=2",
      "SchedulerParameters=sched_interval=1",
      `StateSaveLocation=${join(root, "state")}`,
      `SlurmdSpoolDir=${join(root, "spool")}`,
      `SlurmctldPidFile=${join(root, "slurmctld.pid")}`,
      `SlurmdPidFile=${join(root, "slurmd.pid")}`,
      `SlurmctldLogFile=${join(root, "slurmctld.log")}`,
      `SlurmdLogFile=${join(root, "slurmd.log")}`,
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} RealMemory=2000 State=UNKNOWN`,
      `PartitionName=cf Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      "",
    ].join("\n"),
  );
  env = { ...process.env, SLURM_CONF: conf };
  start("/usr/sbin/slurmctld", ["-D", "-c", "-f", conf], "slurmctld.out");
  start("/usr/sbin/slurmd", ["-D", "-f", conf], "slurmd.out");
  await waitFor("the node to be idle", () => {
    const r = spawnSync("/usr/bin/sinfo", ["-h", "-o", "%T"], { encoding: "utf8", env });
    return r.status === 0 && r.stdout.trim() === "idle";
  }, 60);
});

after(async () => {
  // stop what this test started, by pid, and wait for each to end
  for (const d of [...daemons].reverse()) {
    if (d.exitCode !== null || d.signalCode !== null) continue;
    const ended = new Promise((res) => d.once("exit", res));
    d.kill("SIGTERM");
    await Promise.race([ended, sleep(10_000)]);
    if (d.exitCode === null && d.signalCode === null) d.kill("SIGKILL");
  }
});

test("a corpus of 4 shards built by a Slurm job array equals one index; a re-submit builds only what is missing", { skip, timeout: 300_000 }, async () => {
  const inputs = writeCaptionFiles(join(root, "in"), 6);
  const corpus = join(root, "corpus");
  const concepts = join(root, "concepts.txt");
  writeFileSync(concepts, CONCEPTS.join("\n") + "\n");
  assert.equal(cli(["corpus", "plan", ...inputs, "--shards", "4", "--out", corpus]).code, 0);

  // one task at a time, so that the last is still pending when we cancel it
  const sub = cli(["corpus", "slurm", corpus, "--cpus", "1", "--mem", "500M", "--max-parallel", "1", "--submit"]);
  assert.equal(sub.code, 0, sub.stderr);
  const first = JSON.parse(sub.stdout) as { shardsJob: string; finishJob: string; shards: number[] };
  assert.match(first.shardsJob, /^\d+$/);
  assert.match(first.finishJob, /^\d+$/);
  assert.deepEqual(first.shards, [0, 1, 2, 3]);
  tool("/usr/bin/scancel", [`${first.shardsJob}_3`]);

  // the other tasks run; the finish job, whose dependency can no longer be met, is removed
  await waitFor("the first submission to leave the queue", () => queued().length === 0, 180);
  const st = JSON.parse(cli(["corpus", "status", corpus, "--json"]).stdout) as { finished: boolean; shards: { state: string }[] };
  assert.deepEqual(st.shards.map((s) => s.state), ["done", "done", "done", "pending"]);
  assert.equal(st.finished, false);
  const doneAt = [0, 1, 2].map((k) => statSync(join(corpus, "shards", `${k}.done`)).mtimeMs);
  assert.ok(existsSync(join(corpus, "logs", `shard-0.slurm-${first.shardsJob}.log`)), "the task's log is in DIR/logs");

  const again = cli(["corpus", "slurm", corpus, "--cpus", "1", "--submit"]);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout) as { shardsJob: string; finishJob: string; shards: number[] };
  assert.deepEqual(second.shards, [3], "only the shard not done is submitted");
  assert.match(readFileSync(join(corpus, "slurm", "shards.sbatch"), "utf8"), /\n#SBATCH --array=3\n/);
  await waitFor("corpus.json from the finish job", () => existsSync(join(corpus, "corpus.json")) && queued().length === 0, 180);

  assert.deepEqual([0, 1, 2].map((k) => statSync(join(corpus, "shards", `${k}.done`)).mtimeMs), doneAt, "finished shards were not rebuilt");
  const m = JSON.parse(readFileSync(join(corpus, "corpus.json"), "utf8"));
  assert.equal(m.shards.length, 4);
  const single = join(root, "single.idx");
  assert.equal(cli(["index", "build", ...inputs, "--out", single, "--workers", "1"]).code, 0);
  const a = cli(["count", "--index", corpus, "--concepts", concepts]);
  const b = cli(["count", "--index", single, "--concepts", concepts]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.ok(JSON.parse(a.stdout).dog > 0);
  assert.equal(m.docCount, JSON.parse(readFileSync(join(single, "manifest.json"), "utf8")).docCount);
});
