/** conceptfreq serve: starts on 127.0.0.1, answers, stops cleanly on SIGTERM; bad flags exit 2. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { demoStudy } from "./fixture.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("serve --study DIR --port 0: prints its URL on 127.0.0.1, serves the API, stops on SIGTERM", { timeout: 60_000 }, async () => {
  const { demo } = await demoStudy();
  const child = spawn(process.execPath, [CLI, "serve", "--study", demo.out, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c) => {
        out += c;
        const m = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const r = await fetch(`${url}api/concepts?q=cat`);
    assert.equal(r.status, 200);
    const body = (await r.json()) as { concepts: { concept: string }[] };
    assert.ok(body.concepts.some((c) => c.concept === "cat"));
    const page = await fetch(url);
    assert.match(await page.text(), /conceptfreq dashboard/);
  } finally {
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0, stderr);
  }
  assert.equal(stderr, "", "no warnings on stderr");
});

test("serve: a missing study directory, a directory without a study, or a bad port exit 2 with one line", async () => {
  const { root, demo } = await demoStudy();
  const missing = run("serve", "--study", join(root, "nope"));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^conceptfreq: the study directory .*nope does not exist\.\n$/);
  mkdirSync(join(root, "empty"), { recursive: true });
  const empty = run("serve", "--study", join(root, "empty"));
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /^conceptfreq: .*empty is not a study directory \(no study-data\.json\); run `conceptfreq study MANIFEST --out .*` first\.\n$/);
  const port = run("serve", "--study", demo.out, "--port", "70000");
  assert.equal(port.code, 2);
  assert.equal(port.stderr, "conceptfreq: --port must be at most 65535 (got 70000).\n");
  const notNumber = run("serve", "--study", demo.out, "--port", "http");
  assert.equal(notNumber.code, 2);
});
