// What `npm pack` puts in the tarball is a package that works once installed: the entry points exist,
// every module the built code imports is packed or is a declared runtime dependency, and npm runs
// in this repository without a warning. (The install of the packed tarball into a new project is
// test/package/install.test.ts.) Needs `npm run build` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, Record<string, string>>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
};

const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
const files = new Set<string>(r.status === 0 ? (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path) : []);
const norm = (p: string) => posix.normalize(p).replace(/^\.\//, "");

test("npm pack runs without a warning", () => {
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /npm (warn|WARN)/, r.stderr);
});

test("the tarball holds the entry points and the assets, and no sources or tests", () => {
  const entries = [pkg.main, pkg.types, ...Object.values(pkg.bin), ...Object.values(pkg.exports).flatMap((e) => Object.values(e))];
  for (const e of entries) assert.ok(files.has(norm(e)), `${e} is packed`);
  for (const f of ["dist/server/assets/dashboard.js", "dist/server/assets/dashboard.css", "assets/demo/concepts.txt", "README.md", "LICENSE"]) {
    assert.ok(files.has(f), `${f} is packed`);
  }
  assert.deepEqual([...files].filter((f) => /^(src|test|bench|scripts)\//.test(f)), []);
});

test("every import of the built code is packed or a declared runtime dependency", () => {
  const runtime = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]);
  const builtins = new Set(builtinModules);
  // imported only when the code runs from its TypeScript sources (the tests), never once installed
  const sourceOnly = new Set(["tsx"]);
  const problems: string[] = [];
  let imports = 0;
  for (const file of [...files].filter((f) => f.endsWith(".js") && f.startsWith("dist/"))) {
    const code = readFileSync(join(root, file), "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, ""); // comments out
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g)) {
      const spec = m[1]!;
      imports++;
      if (spec.startsWith(".")) {
        if (!files.has(posix.join(posix.dirname(file), spec))) problems.push(`${file}: ${spec} is not packed`);
      } else if (!spec.startsWith("node:") && !builtins.has(spec)) {
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!runtime.has(name) && !sourceOnly.has(name)) problems.push(`${file}: ${name} is not a runtime dependency${name in pkg.devDependencies ? " (it is a devDependency)" : ""}`);
      }
    }
  }
  assert.ok(imports > 100, `found ${imports} imports`);
  assert.deepEqual(problems, []);
});
