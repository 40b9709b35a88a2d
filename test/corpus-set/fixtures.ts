import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The built CLI (npm run build first). */
export const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;

/** Runs the CLI: its exit code and output. */
export function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000, env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI and asserts it succeeded. */
export function ok(args: string[]) {
  const r = run(args);
  assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  return r;
}

const WORDS = ["dog", "cat", "horse", "truck", "ship", "bird", "tiger shark", "sea lion", "t-shirt", "beach", "river", "city", "man", "woman", "car"];
const FRAMES = ["a {0} on the {1}", "two {0}s near a {1}", "the {0} and the {1} at night", "{0} with a {1}", "photo of a {0}"];

/** Writes `files` TSV caption files of varied sizes (seeded, so every run writes the same bytes). */
export function writeCaptionFiles(dir: string, files: number, rowsPerFile = 40): string[] {
  mkdirSync(dir, { recursive: true });
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(a: T[]) => a[Math.floor(rand() * a.length)]!;
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const rows: string[] = [];
    const n = rowsPerFile + ((f * 7) % 5) * 10; // files of different sizes
    for (let r = 0; r < n; r++) {
      const caption = pick(FRAMES).replace("{0}", pick(WORDS)).replace("{1}", pick(WORDS));
      rows.push(r % 17 === 16 ? `\thttp://x.invalid/${f}/${r}` : `${caption}\thttp://x.invalid/${f}/${r}`);
    }
    const p = join(dir, `part-${String(f).padStart(2, "0")}.tsv`);
    writeFileSync(p, rows.join("\n") + "\n");
    paths.push(p);
  }
  return paths;
}

export const CONCEPTS = ["dog", "cat", "horse", "truck", "ship", "bird", "tiger shark", "sea lion", "t-shirt", "beach", "unicorn"];
