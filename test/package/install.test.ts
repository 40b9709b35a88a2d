// The packed tarball installs into a new project as a user installs it, with no network: `npm pack`,
// then `npm install ./conceptfreq-*.tgz --offline` in a temporary project whose package.json holds the
// allowScripts block docs/install.md gives. Dependencies come from npm's cache, which `npm ci` in this
// repository fills; where it lacks some (a fresh machine), from the registry with --prefer-offline
// (skipped with one line only when the registry cannot be reached either). Then the package works by
// name: the CLI answers, the library builds and counts an index, and the similarity kernel is
// onnxruntime's. Needs `npm run build` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

test("the packed tarball installs offline into a new project and works by name", (t) => {
  const work = mkdtempSync(join(tmpdir(), "cf-install-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--pack-destination", work], { cwd: root, encoding: "utf8" });
  assert.equal(packed.status, 0, packed.stderr);
  const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
  assert.ok(tgz, "npm pack wrote a tarball");

  const project = join(work, "project");
  spawnSync("mkdir", [project]);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "user-project", version: "1.0.0", type: "module", allowScripts: { "onnxruntime-node": false, roaring: true } }),
  );
  const npmInstall = (mode: string) => spawnSync("npm", ["install", join(work, tgz!), mode, "--no-audit", "--no-fund"], { cwd: project, encoding: "utf8", timeout: 300_000 });
  let install = npmInstall("--offline");
  if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
    // A fresh machine's cache holds what `npm ci` fetched by the lockfile, not the metadata or the newest
    // in-range versions a lockfile-less install resolves: take those from the registry (the cache first).
    install = npmInstall("--prefer-offline");
    if (install.status !== 0 && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENOTCACHED/.test(install.stderr)) {
      t.skip("npm's cache lacks a dependency and the npm registry cannot be reached; the install cannot run");
      return;
    }
  }
  assert.equal(install.status, 0, install.stderr);
  // npm 11 lists conceptfreq's own `prepare` (which it does not run for a tarball); nothing else may warn
  const warnings = install.stderr.split("\n").filter((l) => /npm warn/i.test(l) && !/install-scripts/.test(l));
  assert.deepEqual(warnings, []);
  assert.doesNotMatch(install.stderr, /install-scripts\s+(?!conceptfreq@)\S+@/, "only conceptfreq's own prepare is listed");

  const help = spawnSync("npx", ["--no-install", "conceptfreq", "--help"], { cwd: project, encoding: "utf8" });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: conceptfreq/);

  writeFileSync(join(project, "captions.tsv"), "a dog on the beach\tu0\na cat and a dog\tu1\na red car\tu2\n");
  writeFileSync(
    join(project, "use.mjs"),
    [
      'import { buildTextIndex, TextIndex, countConcepts, onnxruntimeAvailable } from "conceptfreq";',
      'await buildTextIndex(["captions.tsv"], { out: "idx", workers: 1 });',
      'const index = TextIndex.open("idx");',
      'console.log(JSON.stringify({ counts: countConcepts(index, ["dog", "cat", "car"]).map((c) => c.count), onnx: await onnxruntimeAvailable() }));',
      "index.close();",
    ].join("\n"),
  );
  const used = spawnSync(process.execPath, ["use.mjs"], { cwd: project, encoding: "utf8" });
  assert.equal(used.status, 0, used.stderr);
  assert.deepEqual(JSON.parse(used.stdout), { counts: [2, 1, 1], onnx: true });
});
