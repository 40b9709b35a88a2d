import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { assignShards, openTextSource, TextCorpus } from "conceptfreq";
import { CLI, CONCEPTS, run, writeCaptionFiles } from "./fixtures.js";

const root = mkdtempSync(join(tmpdir(), "cf-corpus-"));

const inputs = writeCaptionFiles(join(root, "in"), 7);
const single = join(root, "single.idx");
const corpus = join(root, "c");
const conceptsFile = join(root, "concepts.txt");
writeFileSync(conceptsFile, CONCEPTS.join("\n") + "\n");

test("assignShards: contiguous, non-empty runs balanced by size, the same every time", () => {
  const sizes = [100, 100, 100, 100, 400, 100, 100];
  const runs = assignShards(sizes, 3);
  assert.deepEqual(runs, assignShards(sizes, 3));
  assert.equal(runs.length, 3);
  let next = 0;
  for (const r of runs) {
    assert.equal(r.firstInput, next);
    assert.ok(r.inputCount >= 1);
    next += r.inputCount;
  }
  assert.equal(next, sizes.length);
  // 1000 bytes in 3 shards: no shard far from a third
  for (const r of runs) assert.ok(r.bytes <= 500, JSON.stringify(runs));
  assert.deepEqual(assignShards([5, 5, 5], 3).map((r) => r.inputCount), [1, 1, 1]);
  assert.throws(() => assignShards([1, 2], 3), /3 shards need at least 3 input files/);
});

test("corpus plan records absolute inputs with size and mtime, and the reader flags", () => {
  const r = run(["corpus", "plan", ...inputs, "--shards", "3", "--out", corpus, "--format", "tsv"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^shard 0: inputs 0\.\.\d+ /);
  const plan = JSON.parse(readFileSync(join(corpus, "plan.json"), "utf8"));
  assert.equal(plan.shards.length, 3);
  assert.equal(plan.inputs.length, inputs.length);
  assert.equal(plan.inputs[0].path, inputs[0]);
  assert.equal(plan.inputs[0].bytes, statSync(inputs[0]!).size);
  assert.equal(plan.reader.format, "tsv");
  const again = run(["corpus", "plan", ...inputs, "--shards", "3", "--out", corpus]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a corpus plan; use --force/);
  const tooMany = run(["corpus", "plan", ...inputs, "--shards", "9", "--out", join(root, "c9")]);
  assert.equal(tooMany.code, 2);
  assert.match(tooMany.stderr, /^conceptfreq: 9 shards need at least 9 input files, and 7 were given/);
});

test("count on a planned but unfinished corpus says how to finish it", () => {
  const r = run(["count", "--index", corpus, "--concepts", conceptsFile]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not finished \(no corpus\.json\).*corpus finish/);
});

test("build-shard builds one shard; a re-run does nothing and says so; status shows it", () => {
  const r = run(["corpus", "build-shard", corpus, "--shard", "1", "--workers", "1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^built shard 1 of .*: \d+ docs/);
  const mtime = statSync(join(corpus, "shards", "1", "manifest.json")).mtimeMs;
  const again = run(["corpus", "build-shard", corpus, "--shard", "1"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /shard 1 of .* is already done \(\d+ docs\); nothing to do/);
  assert.equal(statSync(join(corpus, "shards", "1", "manifest.json")).mtimeMs, mtime);
  const s = run(["corpus", "status", corpus]);
  assert.match(s.stdout, /^shard 0: pending\nshard 1: done \(\d+ docs\)\nshard 2: pending\n3 shard\(s\): 1 done, 0 running, 0 failed, 2 pending; not finished\n$/);
  const bad = run(["corpus", "build-shard", corpus, "--shard", "3"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /has shards 0 to 2; there is no shard 3/);
  for (const k of ["-1", "x", "1.5"]) {
    // a usage error (exit 2, one line), not the parser's UserError escaping as a stack trace
    const neg = run(["corpus", "build-shard", corpus, "--shard", k]);
    assert.equal(neg.code, 2, neg.stderr);
    assert.equal(neg.stderr, `error: option '--shard <k>' argument '${k}' is invalid. expected a shard number (0, 1, ...).\n`);
  }
});

test("finish refuses a corpus with shards not done, naming them", () => {
  const r = run(["corpus", "finish", corpus]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot be finished: 2 of 3 shard\(s\) are not done: shard 0 is not built; shard 2 is not built/);
  assert.ok(!existsSync(join(corpus, "corpus.json")));
});

test("a killed build (stale lock, leftover temp dir) and a failed build are retried cleanly", async () => {
  // a lock of a process that is gone, and the temporary directory a killed build leaves
  const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  const pid = Number(dead.stdout.trim());
  const host = (await import("node:os")).hostname().split(".")[0];
  writeFileSync(join(corpus, "shards", "0.lock"), JSON.stringify({ pid, host, started: "2020-01-01T00:00:00Z" }));
  mkdirSync(join(corpus, "shards", "0.tmp-killed"));
  writeFileSync(join(corpus, "shards", "0.tmp-killed", "captions.blocks"), "partial");
  assert.match(run(["corpus", "status", corpus]).stdout, /shard 0: pending \(stale lock of pid \d+/);

  // a live lock (this test's process) makes build-shard refuse
  writeFileSync(join(corpus, "shards", "2.lock"), JSON.stringify({ pid: process.pid, host, started: "2020-01-01T00:00:00Z" }));
  assert.match(run(["corpus", "status", corpus]).stdout, /shard 2: running \(pid \d+/);
  const busy = run(["corpus", "build-shard", corpus, "--shard", "2"]);
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, /is being built by pid \d+ .*--break-lock/);

  // shard 2 fails: one of its inputs changed since the plan
  const plan = JSON.parse(readFileSync(join(corpus, "plan.json"), "utf8"));
  const input = plan.inputs[plan.shards[2].firstInput].path as string;
  const st = statSync(input);
  utimesSync(input, st.atime, new Date(st.mtimeMs + 5000));
  const failed = run(["corpus", "build-shard", corpus, "--shard", "2", "--break-lock"]);
  assert.equal(failed.code, 2);
  assert.match(failed.stderr, /changed since the corpus was planned/);
  assert.match(run(["corpus", "status", corpus]).stdout, /shard 2: failed \(input .* changed since/);
  assert.ok(!existsSync(join(corpus, "shards", "2.lock")), "the failed build released its lock");
  utimesSync(input, st.atimeMs / 1000, st.mtimeMs / 1000);

  // corpus run builds what is not done (0 and 2) and finishes
  const r = run(["corpus", "run", corpus, "--parallel", "2", "--workers", "1"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /shard 0: built/);
  assert.match(r.stderr, /shard 2: built/);
  assert.doesNotMatch(r.stderr, /shard 1: built/);
  assert.match(r.stderr, /1 shard\(s\) were already done/);
  assert.ok(!existsSync(join(corpus, "shards", "0.tmp-killed")), "the killed build's temp dir is gone");
  assert.ok(!existsSync(join(corpus, "shards", "2.error")));
  assert.match(run(["corpus", "status", corpus]).stdout, /3 shard\(s\): 3 done, 0 running, 0 failed, 0 pending; finished \(corpus\.json\)/);
});

test("corpus.json lists shards in order with doc counts and first doc ids", () => {
  const m = JSON.parse(readFileSync(join(corpus, "corpus.json"), "utf8"));
  assert.equal(m.format, "conceptfreq-corpus");
  assert.equal(m.shards.length, 3);
  let doc = 0;
  for (const s of m.shards) {
    assert.equal(s.firstDoc, doc);
    doc += s.docCount;
  }
  assert.equal(m.docCount, doc);
  assert.deepEqual(m.inputs.map((i: { path: string }) => i.path), inputs);
});

test("a corpus of 3 shards counts and searches exactly as one index over the same inputs", () => {
  assert.equal(run(["index", "build", ...inputs, "--out", single, "--workers", "1"]).code, 0);
  for (const match of ["paper", "phrase"]) {
    const a = run(["count", "--index", corpus, "--concepts", conceptsFile, "--match", match]);
    const b = run(["count", "--index", single, "--concepts", conceptsFile, "--match", match]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    const counts = JSON.parse(a.stdout);
    assert.ok(counts.dog > 0 && counts["sea lion"] > 0, a.stdout);
    assert.equal(counts.unicorn, 0);
    for (const concept of ["dog", "sea lion", "beach"]) {
      const sa = run(["search", "--index", corpus, concept, "--match", match, "--limit", "100000", "--json"]);
      const sb = run(["search", "--index", single, concept, "--match", match, "--limit", "100000", "--json"]);
      assert.equal(sa.code, 0, sa.stderr);
      assert.equal(sa.stdout, sb.stdout);
    }
    // cooccur: each pair's counts summed over the shards, PMI over the corpus's doc count
    for (const extra of [[], ["--top", "3", "--min-count", "1"]]) {
      const ca = run(["cooccur", "--index", corpus, "--concepts", conceptsFile, "--match", match, "--format", "csv", ...extra]);
      const cb = run(["cooccur", "--index", single, "--concepts", conceptsFile, "--match", match, "--format", "csv", ...extra]);
      assert.equal(ca.code, 0, ca.stderr);
      assert.equal(ca.stdout, cb.stdout);
      assert.ok(ca.stdout.split("\n").length > 3, ca.stdout);
    }
  }
  // a page that crosses a shard boundary: the first 5 examples after shard 0's docs
  const m = JSON.parse(readFileSync(join(corpus, "corpus.json"), "utf8"));
  const all = JSON.parse(run(["search", "--index", corpus, "dog", "--limit", "100000", "--json"]).stdout);
  assert.ok(all.examples.some((e: { doc: number }) => e.doc >= m.shards[2].firstDoc), "examples from the last shard, with global ids");
  const csv = run(["count", "--index", corpus, "--concepts", conceptsFile, "--format", "csv"]);
  assert.match(csv.stdout, /^concept,count\ndog,\d+\n/);
});

test("a command that takes one text index names a corpus of shards as such (not 'no manifest.json')", () => {
  for (const args of [["index", "merge", corpus, single, "--out", join(root, "merged")]]) {
    const r = run(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^conceptfreq: .* is a corpus of shards, not one text index; this command takes one index \(count, search, cooccur, misalignment, study, index verify and audit take a corpus\), e\.g\. one of its shards, .*shards\/0\.\n$/);
  }
});

test("audit sample over a corpus is the one-index sample (global doc ids); audit apply --index checks rows against the corpus", () => {
  for (const match of ["paper", "phrase"]) {
    const args = ["--concepts", conceptsFile, "--per-concept", "7", "--seed", "3", "--match", match];
    const c = run(["audit", "sample", "--index", corpus, ...args]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout, run(["audit", "sample", "--index", single, ...args]).stdout, match);
    assert.ok(c.stdout.split("\n").length > 10);
  }
  const auditCsv = join(root, "audit.csv");
  const sample = run(["audit", "sample", "--index", corpus, "--concepts", conceptsFile, "--per-concept", "5"]).stdout;
  writeFileSync(auditCsv, sample.replace(/,\n/g, ",1\n"));
  const counts = join(root, "audit-counts.json");
  writeFileSync(counts, run(["count", "--index", corpus, "--concepts", conceptsFile]).stdout);
  const ok = run(["audit", "apply", "--audit", auditCsv, "--counts", counts, "--index", corpus]);
  assert.equal(ok.code, 0, ok.stderr);
  // a row moved to a doc that does not match its concept is refused, naming the corpus
  const lines = sample.trimEnd().split("\n");
  const [concept, matches, , ...rest] = lines[1]!.split(",");
  const docs = new Set(lines.slice(1).filter((l) => l.startsWith(`${concept},`)).map((l) => Number(l.split(",")[2])));
  let other = 0;
  while (docs.has(other)) other++;
  const m = JSON.parse(readFileSync(join(corpus, "corpus.json"), "utf8"));
  writeFileSync(auditCsv, [lines[0], [concept, matches, String(m.docCount + 5), ...rest].join(",") + "1"].join("\n") + "\n");
  const bad = run(["audit", "apply", "--audit", auditCsv, "--counts", counts, "--index", corpus]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /1 audit row\(s\) do not belong to the corpus: doc \d+ of ".*" is not in the corpus/);
});

test("index verify checks every shard of a corpus; a damaged shard is named, exit 2", () => {
  const m = JSON.parse(readFileSync(join(corpus, "corpus.json"), "utf8"));
  const r = run(["index", "verify", corpus]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^corpus .* is sound: ${m.shards.length} shards, ${m.docCount} docs, \\d+ files \\(\\d+ bytes\\), \\d+ bitmaps checked\\n$`));
  const path = join(corpus, "shards", "1", "positions.bin");
  const good = readFileSync(path);
  try {
    const bad = Buffer.from(good);
    bad[bad.length - 1] ^= 0x01;
    writeFileSync(path, bad);
    const d = run(["index", "verify", corpus]);
    assert.equal(d.code, 2);
    assert.match(d.stderr, /^conceptfreq: .*shards\/1.* is damaged: .*positions\.bin/);
    assert.equal(d.stderr.trim().split("\n").length, 1, d.stderr);
  } finally {
    writeFileSync(path, good);
  }
});

test("the library opens either kind with openTextSource", () => {
  const c = openTextSource(corpus);
  const i = openTextSource(single);
  try {
    assert.ok(c instanceof TextCorpus);
    assert.equal(c.docCount, i.docCount);
    assert.deepEqual(c.countConcepts(CONCEPTS), i.countConcepts(CONCEPTS));
    assert.deepEqual(c.search("horse", { limit: 7 }), i.search("horse", { limit: 7 }));
  } finally {
    c.close();
    i.close();
  }
});

test("a corpus.json that lies is one sentence and exit 2, never a wrong count", () => {
  const path = join(corpus, "corpus.json");
  const good = readFileSync(path, "utf8");
  try {
    const m = JSON.parse(good);
    m.shards[1].docCount += 1;
    m.shards[2].firstDoc += 1;
    m.docCount += 1;
    writeFileSync(path, JSON.stringify(m));
    const r = run(["count", "--index", corpus, "--concepts", conceptsFile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^conceptfreq: corpus .* is damaged: corpus\.json says shard 1 holds \d+ docs, its index holds \d+\.\n$/);
    m.shards.pop();
    writeFileSync(path, JSON.stringify(m));
    const r2 = run(["search", "--index", corpus, "dog"]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /^conceptfreq: corpus .* is damaged: corpus\.json: /);
    const r3 = run(["count", "--index", corpus, "--concepts", conceptsFile, "--ids-out", join(root, "ids")]);
    assert.equal(r3.code, 2);
  } finally {
    writeFileSync(path, good);
  }
  const r4 = run(["count", "--index", corpus, "--concepts", conceptsFile, "--ids-out", join(root, "ids")]);
  assert.equal(r4.code, 0, r4.stderr); // global ids (test/corpus-set/images.test.ts checks them)
  assert.equal(JSON.parse(readFileSync(join(root, "ids", "index.json"), "utf8")).serialization, "roaring64-portable");
});

test("corpus slurm writes an array over the shards not done, with this node and main.js", () => {
  const c2 = join(root, "c2");
  assert.equal(run(["corpus", "plan", ...inputs, "--shards", "4", "--out", c2]).code, 0);
  const r = run(["corpus", "slurm", c2, "--partition", "cpu", "--cpus", "2", "--mem", "4G", "--time", "1:00:00", "--max-parallel", "2"]);
  assert.equal(r.code, 0, r.stderr);
  const script = readFileSync(join(c2, "slurm", "shards.sbatch"), "utf8");
  assert.match(script, /^#!\/bin\/bash\n/);
  assert.match(script, /\n#SBATCH --array=0-3%2\n/);
  assert.match(script, /\n#SBATCH --partition=cpu\n/);
  assert.match(script, /\n#SBATCH --cpus-per-task=2\n/);
  assert.match(script, /\n#SBATCH --mem=4G\n/);
  assert.match(script, /\n#SBATCH --time=1:00:00\n/);
  assert.ok(script.includes(`exec ${process.execPath} ${CLI} corpus build-shard ${c2} --shard "$SLURM_ARRAY_TASK_ID"`), script);
  assert.match(script, /--workers 2 --memory 2048\n/);
  const finish = readFileSync(join(c2, "slurm", "finish.sbatch"), "utf8");
  assert.ok(finish.includes(`corpus finish ${c2}`));
  assert.match(r.stderr, /--dependency=afterok:\$J/);
  // with shards 0 and 2 done, the array runs 1 and 3 only
  assert.equal(run(["corpus", "build-shard", c2, "--shard", "0", "--workers", "1"]).code, 0);
  assert.equal(run(["corpus", "build-shard", c2, "--shard", "2", "--workers", "1"]).code, 0);
  assert.equal(run(["corpus", "slurm", c2]).code, 0);
  assert.match(readFileSync(join(c2, "slurm", "shards.sbatch"), "utf8"), /\n#SBATCH --array=1,3\n/);
  const noSbatch = run(["corpus", "slurm", c2, "--submit"], { ...process.env, PATH: "/nonexistent" });
  assert.equal(noSbatch.code, 2);
  assert.match(noSbatch.stderr, /cannot run sbatch: it is not installed here/);
  const badMem = run(["corpus", "slurm", c2, "--mem", "lots"]);
  assert.equal(badMem.code, 2);
  assert.match(badMem.stderr, /--mem lots is not a memory size/);
  // every shard done (the corpus of the first test): no array of a placeholder shard, a script that says so
  const allDone = run(["corpus", "slurm", corpus]);
  assert.equal(allDone.code, 0, allDone.stderr);
  assert.match(allDone.stderr, /^every shard is done; submit the finish job: sbatch /);
  const none = readFileSync(join(corpus, "slurm", "shards.sbatch"), "utf8");
  assert.doesNotMatch(none, /--array/);
  assert.match(none, /\nexit 0\n/);
});

test("corpus k8s writes an Indexed Job whose command builds the shard named by JOB_COMPLETION_INDEX", () => {
  const c2 = join(root, "c2");
  const r = run(["corpus", "k8s", c2, "--image", "example/conceptfreq:0.1", "--volume", `data:${root}`, "--parallelism", "2", "--cpus", "1", "--memory", "2Gi"]);
  assert.equal(r.code, 0, r.stderr);
  const job = parse(r.stdout);
  assert.equal(job.apiVersion, "batch/v1");
  assert.equal(job.kind, "Job");
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.completions, 4);
  assert.equal(job.spec.parallelism, 2);
  const pod = job.spec.template.spec;
  assert.equal(pod.restartPolicy, "Never");
  const c = pod.containers[0];
  assert.equal(c.image, "example/conceptfreq:0.1");
  assert.deepEqual(c.resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } });
  assert.equal(c.volumeMounts[0].mountPath, root);
  assert.equal(pod.volumes[0].name, c.volumeMounts[0].name);
  assert.equal(pod.volumes[0].persistentVolumeClaim.claimName, "data");
  assert.equal(c.command[0], "sh");
  assert.match(c.command[2], /\$JOB_COMPLETION_INDEX/);

  // run the container's command here, with a `conceptfreq` on PATH that is this build
  const bin = join(root, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "conceptfreq"), `#!/bin/sh\nexec ${process.execPath} ${CLI} "$@"\n`);
  chmodSync(join(bin, "conceptfreq"), 0o755);
  for (const index of ["1", "3"]) {
    const command = c.command as string[];
    const p = spawnSync(command[0]!, command.slice(1), {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, JOB_COMPLETION_INDEX: index },
      timeout: 120_000,
    });
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stderr, new RegExp(`built shard ${index} of `));
  }
  const fin = run(["corpus", "finish", c2]);
  assert.equal(fin.code, 0, fin.stderr);
  const a = run(["count", "--index", c2, "--concepts", conceptsFile]);
  const b = run(["count", "--index", single, "--concepts", conceptsFile]);
  assert.equal(a.stdout, b.stdout);

  const noVolume = run(["corpus", "k8s", c2, "--image", "x", "--volume", "Bad_Name:/d"]);
  assert.equal(noVolume.code, 2);
  assert.match(noVolume.stderr, /is not CLAIM:\/mount\/path/);
  const off = run(["corpus", "k8s", c2, "--image", "x", "--volume", "data:/elsewhere"]);
  assert.equal(off.code, 2);
  assert.match(off.stderr, /is on none of the volumes/);
});

test("finish refuses shards that disagree (format version, analyzer, doc count), naming each", () => {
  const c2 = join(root, "c2");
  const manifest = (k: number) => join(c2, "shards", String(k), "manifest.json");
  const marker = join(c2, "shards", "2.done");
  const kept = [1, 3].map((k) => readFileSync(manifest(k), "utf8"));
  const keptMarker = readFileSync(marker, "utf8");
  try {
    // shard 1 as an index of format 4 (read, but not mixed with format 5), shard 3 of another analyzer
    const m1 = JSON.parse(kept[0]!);
    assert.equal(m1.formatVersion, 5);
    writeFileSync(manifest(1), JSON.stringify({ ...m1, formatVersion: 4 }));
    const m3 = JSON.parse(kept[1]!);
    writeFileSync(manifest(3), JSON.stringify({ ...m3, analyzer: { ...m3.analyzer, version: "0-old" } }));
    const done = JSON.parse(keptMarker);
    writeFileSync(marker, JSON.stringify({ ...done, docCount: done.docCount + 1 }));
    const r = run(["corpus", "finish", c2]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^conceptfreq: corpus .* cannot be finished: [^\n]*\.\n$/);
    assert.match(r.stderr, /shard 1 has index format version 4, shard 0 5/);
    assert.match(r.stderr, /shard 2's completion marker says \d+ docs, its index holds \d+/);
    assert.match(r.stderr, /shard 3: .*built with analyzer .*@0-old.*rebuild the index/);
  } finally {
    [1, 3].forEach((k, i) => writeFileSync(manifest(k), kept[i]!));
    writeFileSync(marker, keptMarker);
  }
  assert.equal(run(["corpus", "finish", c2]).code, 0);
});

test("corpus run reports a shard whose process fails with its exit status and log", async () => {
  const c3 = join(root, "c3");
  const broken = join(root, "broken");
  mkdirSync(broken, { recursive: true });
  const files = writeCaptionFiles(broken, 2, 5);
  assert.equal(run(["corpus", "plan", ...files, "--shards", "2", "--out", c3]).code, 0);
  writeFileSync(files[1]!, "changed\n"); // shard 1's input no longer matches the plan
  const r = run(["corpus", "run", c3, "--parallel", "2", "--workers", "1"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /shard 1: failed with exit status 2; log .*shard-1\.log/);
  assert.match(r.stderr, /conceptfreq: 1 shard\(s\) failed: shard 1 \(exit status 2; log /);
  const s = run(["corpus", "status", c3, "--json"]);
  const st = JSON.parse(s.stdout);
  assert.equal(st.shards[0].state, "done");
  assert.equal(st.shards[1].state, "failed");
  assert.equal(st.shards[1].error.exitStatus, 2);
  assert.match(readFileSync(st.shards[1].error.log, "utf8"), /changed since the corpus was planned/);

});

test("corpus plan --max-malformed is recorded and every shard is read with it", () => {
  const dir = join(root, "mostly-empty");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "a.tsv");
  writeFileSync(file, "a dog on the grass\n" + "\t\n".repeat(9)); // 9 of 10 rows have an empty caption
  const lenient = join(root, "c-lenient");
  assert.equal(run(["corpus", "plan", file, "--shards", "1", "--out", lenient, "--format", "tsv", "--max-malformed", "1"]).code, 0);
  assert.equal(JSON.parse(readFileSync(join(lenient, "plan.json"), "utf8")).reader.maxMalformed, 1);
  const built = run(["corpus", "build-shard", lenient, "--shard", "0", "--workers", "1"]);
  assert.equal(built.code, 0, built.stderr);
  const strict = join(root, "c-default");
  assert.equal(run(["corpus", "plan", file, "--shards", "1", "--out", strict, "--format", "tsv"]).code, 0);
  assert.equal(JSON.parse(readFileSync(join(strict, "plan.json"), "utf8")).reader.maxMalformed, 0.5);
  const stopped = run(["corpus", "build-shard", strict, "--shard", "0", "--workers", "1"]);
  assert.equal(stopped.code, 2);
  assert.match(stopped.stderr, /malformed/);
});
