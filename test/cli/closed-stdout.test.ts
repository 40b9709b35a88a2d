/** A reader that closes stdout early (`| head`) ends a data-printing command quietly: exit 0, no stack trace. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "cf-cli-epipe-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

/** Letters-only names: a, b, ..., z, ba, bb, ... */
function name(i: number): string {
  let s = "";
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return `x${s}`;
}

// enough output to overflow a pipe's buffer many times over
writeFileSync(join(dir, "c.tsv"), Array.from({ length: 6000 }, (_, i) => `a dog and a ${name(i % 500)} on the grass\thttp://x/${i}\n`).join(""));
writeFileSync(join(dir, "concepts.txt"), Array.from({ length: 20000 }, (_, i) => name(i)).join("\n") + "\n");
const freq: Record<string, number> = {};
for (let i = 0; i < 20000; i++) freq[name(i)] = i % 97;
writeFileSync(join(dir, "freq.json"), JSON.stringify(freq));

/** Runs the CLI, reads the first chunk of stdout, then closes the pipe; resolves with the exit status and stderr. */
function runAndCloseEarly(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; first: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let first = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => (stderr += c));
    child.stdout.once("data", (c: Buffer) => {
      first = c.toString("utf8").slice(0, 40);
      child.stdout.destroy();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, first });
    });
  });
}

test("data-printing commands end quietly when stdout closes early", { timeout: 240_000 }, async () => {
  const b = spawnSync(process.execPath, [CLI, "index", "build", "c.tsv", "--out", "idx"], { cwd: dir, encoding: "utf8" });
  assert.equal(b.status, 0, b.stderr);
  const commands = [
    ["count", "--index", "idx", "--concepts", "concepts.txt"],
    ["count", "--index", "idx", "--concepts", "concepts.txt", "--format", "csv"],
    ["search", "--index", "idx", "dog", "--limit", "6000"],
    ["search", "--index", "idx", "dog", "--limit", "6000", "--json"],
    ["longtail", "select", "--freq", "freq.json", "--count", "20000"],
  ];
  for (const args of commands) {
    const r = await runAndCloseEarly(args);
    assert.ok(r.first.length > 0, `${args.join(" ")}: printed something first`);
    assert.equal(r.signal, null, `${args.join(" ")}: not killed (${r.signal})`);
    assert.equal(r.code, 0, `${args.join(" ")}: exit 0, stderr: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /, `${args.join(" ")}: no error or stack trace`);
  }
});
