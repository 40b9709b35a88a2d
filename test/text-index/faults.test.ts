// Faults leave nothing that looks finished, and nothing behind: a full disk while building, merging
// or writing --ids-out is one sentence naming the file, with the temporary directory removed; a
// build killed (SIGKILL) at any point leaves the previous index or the new one, complete, and a
// leftover temporary directory that no reader takes for an index and the next build removes.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-faults-"));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  assert.notEqual(r.signal, "SIGTERM", `conceptfreq ${args.join(" ")} hung`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const WORDS = ["dog", "cat", "horse", "bird", "beach", "lake", "park", "road", "tree", "car", "boat", "chair", "table", "city", "river"];
function writeCaptions(path: string, rows: number, seed: number): void {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const w = (k: number) => WORDS[(i * (k + seed) + k * 7) % WORDS.length];
    lines.push(`a ${w(1)} near the ${w(2)} and a ${w(3)} under a ${w(4)} in the ${w(5)} number ${i}\tu${i}`);
  }
  writeFileSync(path, lines.join("\n") + "\n");
}
const small = join(dir, "small.tsv");
writeCaptions(small, 400, 1);
const big = join(dir, "big.tsv");
writeCaptions(big, 12_000, 2);
const concepts = join(dir, "concepts.txt");
writeFileSync(concepts, WORDS.join("\n") + "\n");

// ---- disk full: a small tmpfs (mounting needs root: skipped with a note otherwise)

const full = join(dir, "full");
mkdirSync(full);
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", full], { encoding: "utf8" }).status === 0;
const skipFull = mounted ? false : "mounting a small tmpfs is not permitted here (needs root): the disk-full tests are skipped";

after(() => {
  if (mounted) spawnSync("umount", [full]);
  rmSync(dir, { recursive: true, force: true });
});

/** Fills the tmpfs up to `free` bytes left (a filler file), runs, and removes the filler. */
function withFreeBytes<T>(free: number, fn: () => T): T {
  const s = statfsSync(full);
  const filler = join(full, "filler");
  writeFileSync(filler, Buffer.alloc(Math.max(0, s.bavail * s.bsize - free)));
  try {
    return fn();
  } finally {
    rmSync(filler, { force: true });
  }
}

function assertFullDisk(r: { code: number | null; stderr: string }, what: string): void {
  assert.equal(r.code, 2, `${what}: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`^conceptfreq: cannot [a-z ]+ ${full}/[^\\n:]+: no space left on the device\\.\\n$`), what);
  assert.deepEqual(readdirSync(full).filter((n) => n !== "filler"), [], `${what}: something left behind`);
}

/** What the index's files take on a tmpfs (whole pages). */
function pagesOf(index: string): number {
  return readdirSync(index).reduce((a, n) => a + Math.ceil(statSync(join(index, n)).size / 4096) * 4096, 0);
}

test("a full disk while building, merging or writing --ids-out: one sentence naming the file, nothing left", { skip: skipFull }, () => {
  const a = join(dir, "a.idx");
  const b = join(dir, "b.idx");
  assert.equal(run("index", "build", small, "--out", a, "--workers", "1").code, 0);
  assert.equal(run("index", "build", small, "--out", b, "--workers", "1").code, 0);
  const size = pagesOf(a);
  // the disk fills at different steps: the captions, the offsets, the postings, the manifest
  for (const part of [0, 0.2, 0.5, 0.8, 0.95]) {
    const free = Math.floor((size * part) / 4096) * 4096;
    withFreeBytes(free, () => assertFullDisk(run("index", "build", small, "--out", join(full, "idx"), "--workers", "1"), `build with ${free} bytes free`));
  }
  // (the merged index is smaller than the two inputs: one caption dictionary, not two)
  assert.equal(run("index", "merge", a, b, "--out", join(dir, "ab.idx")).code, 0);
  const mergedSize = pagesOf(join(dir, "ab.idx"));
  for (const part of [0, 0.5, 0.9]) {
    const free = Math.floor((mergedSize * part) / 4096) * 4096;
    withFreeBytes(free, () => assertFullDisk(run("index", "merge", a, b, "--out", join(full, "merged")), `merge with ${free} bytes free`));
  }
  withFreeBytes(4096, () => {
    const r = run("count", "--index", a, "--concepts", concepts, "--ids-out", join(full, "ids"));
    assertFullDisk(r, "--ids-out");
  });
  // with room, the same commands work
  assert.equal(run("index", "build", small, "--out", join(full, "idx"), "--workers", "1").code, 0);
  assert.equal(run("index", "verify", join(full, "idx")).code, 0);
  rmSync(join(full, "idx"), { recursive: true });
});

// ---- SIGKILL at many points of a --force build over a previous index

const idx = join(dir, "idx");
let previousDocs = 0;

function leftovers(): string[] {
  return readdirSync(dir).filter((n) => n.startsWith("idx."));
}

/** The output is absent or a complete index: the previous one or the new one. */
function assertWholeOrAbsent(what: string): void {
  if (!existsSync(idx)) return;
  const v = run("index", "verify", idx);
  assert.equal(v.code, 0, `${what}: the output is not a complete index: ${v.stderr}`);
  const docs = JSON.parse(readFileSync(join(idx, "manifest.json"), "utf8")).docCount as number;
  assert.ok(docs === previousDocs || docs === 12_000, `${what}: ${docs} docs`);
}

/** Starts a --force build of `big` and kills it (SIGKILL) once `when` says so (polled) or it ends. */
async function killBuild(when: (elapsedMs: number) => boolean): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, "index", "build", big, "--out", idx, "--force", "--workers", "1"], { stdio: "ignore" });
  const started = Date.now();
  let exited = false;
  const done = new Promise<number | null>((res) => child.on("exit", (code) => ((exited = true), res(code))));
  while (!exited && Date.now() - started < 60_000) {
    if (when(Date.now() - started)) {
      child.kill("SIGKILL");
      break;
    }
    await new Promise((r) => setImmediate(r));
  }
  return done;
}

test("a build killed at any point leaves the old index or the new one, never a partial one; the next build reclaims the leftovers", async () => {
  assert.equal(run("index", "build", small, "--out", idx, "--workers", "1").code, 0);
  previousDocs = 400;
  const tmpHas = (name: string) => () => leftovers().some((n) => /\.tmp-\d+$/.test(n) && existsSync(join(dir, n, name)));
  const points: [string, (ms: number) => boolean][] = [
    ["at once", () => true],
    ["once the temporary directory exists", () => leftovers().length > 0],
    ["while the captions are written", tmpHas("captions.blocks")],
    ["once the postings exist", tmpHas("nouns.postings")],
    ["once the manifest is written", tmpHas("manifest.json")],
    ["while the old index is moved aside", () => leftovers().some((n) => /\.old-\d+$/.test(n))],
    ["after 300 ms", (ms) => ms > 300],
    ["after 1 s", (ms) => ms > 1000],
  ];
  let killed = 0;
  for (const [what, when] of points) {
    const code = await killBuild(when);
    if (code === null) killed++;
    assertWholeOrAbsent(`killed ${what}`);
    for (const n of leftovers()) {
      // a leftover is never taken for an index
      const c = run("count", "--index", join(dir, n), "--concepts", concepts);
      assert.equal(c.code, 2, `${n} taken for an index`);
      assert.match(c.stderr, /^conceptfreq: (.* is an unfinished index: .*|.* is not a conceptfreq index \(no manifest\.json\)\.)\n$/);
    }
    if (existsSync(idx)) previousDocs = JSON.parse(readFileSync(join(idx, "manifest.json"), "utf8")).docCount;
  }
  assert.ok(killed >= 4, `only ${killed} builds were killed before they ended`);
  // each build reclaims the leftovers before it, and on a fast machine the last timed points come after
  // the build ended: make sure one kill leaves its temporary directory for the reclaim checked below
  if (!leftovers().some((n) => /\.tmp-\d+$/.test(n))) {
    assert.equal(await killBuild(() => leftovers().some((n) => /\.tmp-\d+$/.test(n))), null, "the build was killed");
    assertWholeOrAbsent("killed once its temporary directory exists");
  }
  const left = leftovers();
  for (const n of left) process.stderr.write(`# leftover ${n}: ${readdirSync(join(dir, n)).join(" ")}\n`);
  assert.ok(left.length > 0, "the kills left no temporary directory to reclaim");
  // a foreign directory with a leftover's name is never touched
  const foreign = join(dir, "idx.tmp-999999");
  mkdirSync(foreign, { recursive: true });
  writeFileSync(join(foreign, "thesis.tex"), "mine");
  const r = run("index", "build", small, "--out", idx, "--force", "--workers", "1");
  assert.equal(r.code, 0, r.stderr);
  for (const n of left) assert.match(r.stderr, new RegExp(`note: removed ${join(dir, n).replace(/[.]/g, "\\.")}, left by a conceptfreq run that was killed\\.`));
  assert.deepEqual(leftovers(), ["idx.tmp-999999"]);
  assert.equal(readFileSync(join(foreign, "thesis.tex"), "utf8"), "mine");
  assert.equal(run("index", "verify", idx).code, 0);
});
