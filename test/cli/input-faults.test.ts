/**
 * Inputs that used to be reinterpreted silently (exit 0): bare-CR line ends, a column beyond the
 * file's width, mostly malformed files, nothing but empty lines, a directory, /dev/null, and pipes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-input-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, input, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One sentence on stderr, exit 2, no stack trace, no output directory. */
function refused(r: { code: number | null; stderr: string }, pattern: RegExp, out?: string): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, pattern);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  if (out) assert.ok(!existsSync(join(dir, out)), `${out} was written`);
}

function docs(idx: string): number {
  return (JSON.parse(readFileSync(join(dir, idx, "manifest.json"), "utf8")) as { docCount: number }).docCount;
}

const captions = Array.from({ length: 1000 }, (_, i) => `a photo of a dog number ${i} on the grass`);

test("a TSV with bare-CR line ends is 1,000 docs, as with LF", () => {
  writeFileSync(join(dir, "mac.tsv"), captions.map((c, i) => `${c}\thttp://x/${i}`).join("\r") + "\r");
  writeFileSync(join(dir, "unix.tsv"), captions.map((c, i) => `${c}\thttp://x/${i}`).join("\n") + "\n");
  for (const name of ["mac", "unix"]) assert.equal(run(["index", "build", `${name}.tsv`, "--out", `${name}.idx`, "--workers", "1"]).code, 0);
  assert.equal(docs("mac.idx"), 1000);
  assert.deepEqual(readFileSync(join(dir, "mac.idx", "nouns.postings")), readFileSync(join(dir, "unix.idx", "nouns.postings")));
});

test("an unclosed CSV quote is counted as unclosed_quote, the rows after it kept", () => {
  writeFileSync(join(dir, "q.csv"), 'caption,url\na dog,http://a\n"a cat,http://b\na cow,http://c\n');
  assert.equal(run(["index", "build", "q.csv", "--header", "--out", "q.idx"]).code, 0);
  const m = JSON.parse(readFileSync(join(dir, "q.idx", "manifest.json"), "utf8")) as { docCount: number; skipped: Record<string, number> };
  assert.equal(m.docCount, 3);
  assert.deepEqual(m.skipped, { unclosed_quote: 1 });
});

test("--text-column beyond the width of the first row is an error", () => {
  writeFileSync(join(dir, "two.tsv"), "a dog\thttp://x\na cat\thttp://y\n");
  refused(run(["index", "build", "two.tsv", "--text-column", "5", "--out", "two.idx"]), /--text-column 5 is beyond the 2 columns of the first row of two\.tsv/, "two.idx");
});

test("a mostly malformed file stops the build unless --max-malformed allows it", () => {
  const rows = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? `a dog ${i}\thttp://x` : `http://x`));
  writeFileSync(join(dir, "bad.tsv"), rows.join("\n") + "\n");
  refused(
    run(["index", "build", "bad.tsv", "--text-column", "0", "--key-column", "1", "--out", "bad.idx"]),
    /bad\.tsv: 2,000 of its 3,000 rows are malformed \(wrong column count: 2,000\), more than --max-malformed 0\.5 allows/,
    "bad.idx",
  );
  assert.equal(run(["index", "build", "bad.tsv", "--key-column", "1", "--max-malformed", "0.7", "--out", "bad.idx"]).code, 0);
  assert.equal(docs("bad.idx"), 3000);
  // a few bad rows at the start of a good file do not stop it
  writeFileSync(join(dir, "start.tsv"), "\n\n\n" + captions.join("\n") + "\n");
  assert.equal(run(["index", "build", "start.tsv", "--out", "start.idx"]).code, 0);
  assert.equal(docs("start.idx"), 1003);
  refused(run(["index", "build", "bad.tsv", "--max-malformed", "2", "--out", "x.idx"]), /--max-malformed.*expected a fraction from 0 to 1/);
});

test("gzipped newlines: stops after 10,000 rows; an empty file or /dev/null: nothing to index", () => {
  writeFileSync(join(dir, "nl.tsv.gz"), gzipSync(Buffer.alloc(5_000_000, 10)));
  refused(run(["index", "build", "nl.tsv.gz", "--out", "nl.idx"]), /nl\.tsv\.gz: 10,000 of the first 10,000 rows are malformed \(empty caption: 10,000\)/, "nl.idx");
  writeFileSync(join(dir, "empty.tsv"), "");
  refused(run(["index", "build", "empty.tsv", "--out", "e.idx"]), /empty\.tsv holds no rows: there is nothing to index/, "e.idx");
  refused(run(["index", "build", "/dev/null", "--format", "tsv", "--out", "e.idx"]), /\/dev\/null holds no rows/, "e.idx");
  assert.equal(run(["index", "build", "empty.tsv", "--out", "e.idx", "--max-malformed", "1"]).code, 0);
  assert.equal(docs("e.idx"), 0);
});

test("a directory gets its own sentence; a missing file says so", () => {
  refused(run(["index", "build", ".", "--out", "d.idx"]), /^conceptfreq: \. is a directory, not a corpus file/, "d.idx");
  refused(run(["index", "build", "nothere.tsv", "--out", "d.idx"]), /cannot read nothere\.tsv: no such file\./, "d.idx");
  refused(run(["concepts", "extract", ".", "--out", "c.txt"]), /^conceptfreq: \. is a directory, not a corpus file/, "c.txt");
});

test("standard input (-) is read with --format, and only with it", () => {
  const tsv = captions.map((c, i) => `${c}\thttp://x/${i}`).join("\n") + "\n";
  refused(run(["index", "build", "-", "--out", "in.idx"], tsv), /reading standard input \(-\) needs --format/, "in.idx");
  assert.equal(run(["index", "build", "-", "--format", "tsv", "--out", "in.idx"], tsv).code, 0);
  assert.equal(docs("in.idx"), 1000);
  // compressed on stdin too
  assert.equal(run(["index", "build", "-", "--format", "tsv", "--out", "gz.idx"], gzipSync(tsv)).code, 0);
  assert.deepEqual(readFileSync(join(dir, "gz.idx", "nouns.postings")), readFileSync(join(dir, "in.idx", "nouns.postings")));
  refused(run(["index", "build", "-", "-", "--format", "tsv", "--out", "x.idx"], tsv), /standard input \(-\) can be read only once/, "x.idx");
});

test("a FIFO is read as a stream (mkfifo)", { skip: process.platform === "win32" }, async () => {
  const fifo = join(dir, "captions.fifo");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  const tsv = captions.map((c, i) => `${c}\thttp://x/${i}`).join("\n") + "\n";
  // the writer: a child that opens the FIFO and writes, as `zstdcat x.zst > fifo` would
  const writer = spawn(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(fifo)}, ${JSON.stringify(tsv)})`]);
  const build = spawn(process.execPath, [CLI, "index", "build", fifo, "--format", "tsv", "--out", "fifo.idx"], { cwd: dir });
  let stderr = "";
  build.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => {
    build.kill();
    writer.kill();
  }, 60_000);
  const code = await new Promise<number | null>((resolve) => build.on("close", resolve));
  clearTimeout(timer);
  await new Promise((resolve) => (writer.exitCode !== null ? resolve(null) : writer.on("close", resolve)));
  assert.equal(code, 0, stderr);
  assert.equal(docs("fifo.idx"), 1000);
  // Parquet cannot be read from a pipe: refused before anything is read (no writer needed)
  refused(run(["index", "build", fifo, "--format", "parquet", "--out", "p.idx"]), /captions\.fifo is a pipe, not a file: Parquet is read by seeking/, "p.idx");
});
