import { InvalidArgumentError, type Command } from "commander";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { writeOutput } from "../io/atomic-write.js";
import { action, collect, positiveInt } from "./action.js";
import { addReaderFlags, readerOptions, type ReaderFlagValues } from "./reader-flags.js";

function shardNumber(v: string): number {
  const n = Number(v);
  // commander's own error (usage, exit 2): thrown from a flag parser a UserError would escape action()
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a shard number (0, 1, ...).");
  return n;
}

export function registerCorpus(program: Command): void {
  const corpus = program
    .command("corpus")
    .description("a corpus of shard indexes: plan, build shards (locally, on Slurm or Kubernetes), finish")
    .addHelpText(
      "after",
      "\nA corpus is a directory: plan.json (which files each shard indexes), shards/K (each shard's text index),\n" +
        "corpus.json (written by finish). count, search and misalignment take a finished corpus wherever they take an index\n" +
        "(image and integrated counts need an image index per shard: corpus add-images).\n\n" +
        "Example:\n  conceptfreq corpus plan laion/part-*.parquet --shards 64 --out laion.corpus\n" +
        "  conceptfreq corpus run laion.corpus --parallel 4      # or: corpus slurm laion.corpus --submit\n" +
        "  conceptfreq corpus finish laion.corpus\n  conceptfreq count --index laion.corpus --concepts builtin:cifar10",
    );

  addReaderFlags(
    corpus
      .command("plan")
      .description("assign the input files (in doc-id order) to N shards, contiguous runs balanced by size (a large TSV/JSONL file cut into row ranges, a large Parquet file into runs of row groups)")
      .argument("<inputs...>", "caption files, in doc-id order (as index build takes them)")
      .requiredOption("--shards <n>", "number of shards", positiveInt)
      .requiredOption("--out <dir>", "corpus directory to create (plan.json goes in it)"),
  )
    .option("--force", "replace an existing plan (only before any shard is built)", false)
    .addHelpText("after", "\nExample:\n  conceptfreq corpus plan cc3m/part-*.tsv --shards 8 --out cc3m.corpus")
    .action(
      action(async (inputs: string[], o: ReaderFlagValues & { shards: number; out: string; force: boolean }) => {
        const { planCorpus } = await import("../corpus-set/plan.js");
        const plan = planCorpus(inputs, { shards: o.shards, out: o.out, reader: readerOptions(o), force: o.force });
        for (const s of plan.shards) {
          const ranges = plan.inputs.slice(s.firstInput, s.firstInput + s.inputCount).filter((i) => i.range).length;
          const what = ranges > 0 ? `${s.inputCount} input(s), ${ranges} of them row ranges` : `${s.inputCount} file(s)`;
          process.stdout.write(`shard ${s.shard}: inputs ${s.firstInput}..${s.firstInput + s.inputCount - 1} (${what}, ${s.bytes} bytes)\n`);
        }
        process.stderr.write(`planned ${plan.shards.length} shard(s) over ${new Set(plan.inputs.map((i) => i.path)).size} file(s) -> ${join(o.out, "plan.json")}\n`);
      }),
    );

  corpus
    .command("build-shard")
    .description("build shard K's text index (a finished shard is left alone; a failed or killed one is rebuilt)")
    .argument("<dir>", "corpus directory")
    .requiredOption("--shard <k>", "shard number (0-based)", shardNumber)
    .option("--workers <n>", "worker threads (default: all cores)", positiveInt)
    .option("--memory <MiB>", "memory for in-memory postings before spilling", positiveInt)
    .option("--log <file>", "the log file this build writes to (recorded if it fails)")
    .option("--break-lock", "build even if a lock names another live-looking build (e.g. on a host that died)", false)
    .addHelpText("after", "\nExample:\n  conceptfreq corpus build-shard cc3m.corpus --shard 3")
    .action(
      action(async (dir: string, o: { shard: number; workers?: number; memory?: number; log?: string; breakLock: boolean }) => {
        const { buildShard } = await import("../corpus-set/build-shard.js");
        const r = await buildShard(dir, o.shard, { workers: o.workers, memoryMiB: o.memory, log: o.log, breakLock: o.breakLock });
        if (r.outcome === "done") process.stderr.write(`shard ${r.shard} of ${dir} is already done (${r.docCount} docs); nothing to do\n`);
        else process.stderr.write(`built shard ${r.shard} of ${dir}: ${r.docCount} docs in ${r.seconds.toFixed(2)} s\n`);
      }),
    );

  corpus
    .command("status")
    .description("say which shards are done, running, failed or pending")
    .argument("<dir>", "corpus directory")
    .option("--json", "print [{shard, state, ...}] as JSON", false)
    .action(
      action(async (dir: string, o: { json: boolean }) => {
        const { readPlan } = await import("../corpus-set/plan.js");
        const { corpusStatus } = await import("../corpus-set/shard-state.js");
        const plan = readPlan(dir);
        const statuses = corpusStatus(dir, plan.shards.length);
        const finished = existsSync(join(dir, "corpus.json"));
        if (o.json) {
          process.stdout.write(JSON.stringify({ finished, shards: statuses }, null, 2) + "\n");
          return;
        }
        for (const s of statuses) {
          let detail = "";
          if (s.state === "done") detail = `${s.done!.docCount} docs`;
          else if (s.state === "running") detail = `pid ${s.lock!.pid} on ${s.lock!.host} since ${s.lock!.started}`;
          else if (s.state === "failed") detail = `${s.error!.message}${s.error!.exitStatus !== null ? ` (exit status ${s.error!.exitStatus})` : ""}${s.error!.log ? `; log ${s.error!.log}` : ""}`;
          if (s.staleLock) detail += `${detail ? "; " : ""}stale lock of pid ${s.staleLock.pid} on ${s.staleLock.host}`;
          process.stdout.write(`shard ${s.shard}: ${s.state}${detail ? ` (${detail})` : ""}\n`);
        }
        const n = (state: string) => statuses.filter((s) => s.state === state).length;
        process.stdout.write(
          `${statuses.length} shard(s): ${n("done")} done, ${n("running")} running, ${n("failed")} failed, ${n("pending")} pending; ` +
            `${finished ? "finished (corpus.json)" : "not finished"}\n`,
        );
      }),
    );

  corpus
    .command("add-images")
    .description("register shard K's image index (doc ids local to the shard, as its text index's); finish records it in corpus.json")
    .argument("<dir>", "corpus directory")
    .argument("<image-index>", "an image index built over shard K's inputs only (image-index import or build)")
    .requiredOption("--shard <k>", "shard number (0-based)", shardNumber)
    .addHelpText(
      "after",
      "\nEvery shard needs one (or none does); they must share one vocabulary and threshold. Example, RAM++ tags per shard:\n" +
        "  conceptfreq image-index import --tags tags/shard-3.jsonl --concepts ram_tag_list.txt --threshold 0.68 \\\n" +
        "    --index laion.corpus/shards/3 --out laion.corpus/images/3\n" +
        "  conceptfreq corpus add-images laion.corpus --shard 3 laion.corpus/images/3",
    )
    .action(
      action(async (dir: string, imageDir: string, o: { shard: number }) => {
        const { addShardImages } = await import("../corpus-set/image-shards.js");
        const r = addShardImages(dir, o.shard, imageDir);
        process.stderr.write(
          `${r.replaced ? "replaced the image index of" : "registered an image index for"} shard ${r.shard} of ${dir}: ${r.dir} (${r.docCount} docs)` +
            `${r.finished ? `; run \`conceptfreq corpus finish ${dir}\` again to record it` : ""}\n`,
        );
      }),
    );

  corpus
    .command("finish")
    .description("check every shard (done, analyzer, inputs as planned) and write corpus.json")
    .argument("<dir>", "corpus directory")
    .action(
      action(async (dir: string) => {
        const { finishCorpus } = await import("../corpus-set/finish.js");
        const m = finishCorpus(dir);
        process.stderr.write(`finished corpus ${dir}: ${m.docCount} docs in ${m.shards.length} shard(s) -> ${join(dir, "corpus.json")}\n`);
      }),
    );

  corpus
    .command("run")
    .description("build the shards not done as processes on this machine, then finish the corpus")
    .argument("<dir>", "corpus directory")
    .option("--parallel <k>", "shard builds at once", positiveInt, 1)
    .option("--workers <n>", "worker threads per shard build (default: all cores)", positiveInt)
    .option("--memory <MiB>", "memory per shard build for in-memory postings", positiveInt)
    .option("--no-finish", "do not write corpus.json after the builds")
    .addHelpText("after", "\nExample:\n  conceptfreq corpus run cc3m.corpus --parallel 2 --workers 1")
    .action(
      action(async (dir: string, o: { parallel: number; workers?: number; memory?: number; finish: boolean }) => {
        const { runShardsLocally } = await import("../corpus-set/run-local.js");
        const r = await runShardsLocally(dir, {
          parallel: o.parallel,
          workers: o.workers,
          memoryMiB: o.memory,
          onShardEnd: (s) =>
            process.stderr.write(s.ok ? `shard ${s.shard}: built\n` : `shard ${s.shard}: failed with exit status ${s.exitStatus}; log ${s.log}\n`),
        });
        if (r.alreadyDone.length > 0) process.stderr.write(`${r.alreadyDone.length} shard(s) were already done\n`);
        if (r.running.length > 0) process.stderr.write(`shard(s) ${r.running.join(", ")} are being built elsewhere; left alone\n`);
        const failed = r.runs.filter((s) => !s.ok);
        if (failed.length > 0) {
          throw new UserError(`${failed.length} shard(s) failed: ${failed.map((s) => `shard ${s.shard} (exit status ${s.exitStatus}; log ${s.log})`).join(", ")}.`);
        }
        if (o.finish && r.running.length === 0) {
          const { finishCorpus } = await import("../corpus-set/finish.js");
          const m = finishCorpus(dir);
          process.stderr.write(`finished corpus ${dir}: ${m.docCount} docs in ${m.shards.length} shard(s)\n`);
        }
      }),
    );

  corpus
    .command("slurm")
    .description("write an sbatch job array (one task per shard not done) and a finish job; --submit submits them")
    .argument("<dir>", "corpus directory (on a file system the compute nodes share)")
    .option("--partition <name>", "Slurm partition")
    .option("--cpus <n>", "CPUs per task (also the build's worker threads)", positiveInt)
    .option("--mem <size>", "memory per task, as sbatch takes it (4000, 16G)")
    .option("--time <limit>", "time limit per task, as sbatch takes it (1:00:00)")
    .option("--max-parallel <k>", "at most K tasks at once (the array's %K)", positiveInt)
    .option("--job-name <name>", "job name prefix", "conceptfreq")
    .option("--submit", "submit with sbatch --parsable and print the job ids as JSON", false)
    .addHelpText(
      "after",
      "\nWrites DIR/slurm/shards.sbatch and DIR/slurm/finish.sbatch; task logs go to DIR/logs/.\n" +
        "Submitting again after a failure runs only the shards not done.\n\n" +
        "Example:\n  conceptfreq corpus slurm laion.corpus --partition cpu --cpus 8 --mem 16G --time 4:00:00 --max-parallel 32 --submit",
    )
    .action(
      action(async (dir: string, o: { partition?: string; cpus?: number; mem?: string; time?: string; maxParallel?: number; jobName: string; submit: boolean }) => {
        const { writeSlurmScripts, submitSlurm } = await import("../corpus-set/slurm.js");
        const scripts = writeSlurmScripts(dir, o);
        if (!o.submit) {
          process.stderr.write(
            scripts.shards.length === 0
              ? `every shard is done; submit the finish job: sbatch ${scripts.finishScript}\n`
              : `wrote ${scripts.shardScript} (--array=${scripts.array}) and ${scripts.finishScript}; submit with:\n` +
                  `  J=$(sbatch --parsable ${scripts.shardScript}) && sbatch --dependency=afterok:$J --kill-on-invalid-dep=yes ${scripts.finishScript}\n`,
          );
          return;
        }
        const sub = submitSlurm(scripts);
        process.stdout.write(JSON.stringify({ shardsJob: sub.shardsJob ?? null, finishJob: sub.finishJob, shards: sub.shards }) + "\n");
        process.stderr.write(
          sub.shardsJob
            ? `submitted job array ${sub.shardsJob} (--array=${scripts.array}) and finish job ${sub.finishJob} after it\n`
            : `every shard is done; submitted finish job ${sub.finishJob}\n`,
        );
      }),
    );

  corpus
    .command("k8s")
    .description("write a Kubernetes Indexed Job manifest: one completion per shard, the shard from JOB_COMPLETION_INDEX")
    .argument("<dir>", "corpus directory")
    .requiredOption("--image <image>", "container image with conceptfreq installed")
    .requiredOption("--volume <claim:/path>", "a PersistentVolumeClaim and where to mount it (repeatable)", collect)
    .option("--corpus-path <path>", "the corpus directory inside the container (default: DIR's absolute path)")
    .option("--parallelism <k>", "pods at once (default: every shard)", positiveInt)
    .option("--cpus <n>", "CPU request and limit per pod (also the build's worker threads)", positiveInt)
    .option("--memory <size>", "memory request and limit per pod (e.g. 8Gi)")
    .option("--name <name>", "the Job's name", "conceptfreq-shards")
    .option("--command <cmd>", "how the image runs conceptfreq", "conceptfreq")
    .option("--out <file>", "write the YAML here instead of stdout")
    .addHelpText(
      "after",
      "\nRun `conceptfreq corpus finish DIR` once the Job is complete.\n\n" +
        "Example:\n  conceptfreq corpus k8s /data/laion.corpus --image registry.example/conceptfreq:0.1 --volume data:/data --parallelism 16 --out job.yaml\n" +
        "  kubectl apply -f job.yaml && kubectl wait --for=condition=complete job/conceptfreq-shards --timeout=24h",
    )
    .action(
      action(async (dir: string, o: { image: string; volume: string[]; corpusPath?: string; parallelism?: number; cpus?: number; memory?: string; name: string; command: string; out?: string }) => {
        const { indexedJobYaml, parseVolume } = await import("../corpus-set/k8s.js");
        const yaml = indexedJobYaml(dir, {
          image: o.image,
          volumes: o.volume.map(parseVolume),
          corpusPath: o.corpusPath,
          parallelism: o.parallelism,
          cpus: o.cpus,
          memory: o.memory,
          name: o.name,
          command: o.command,
        });
        writeOutput(o.out, yaml);
      }),
    );
}
