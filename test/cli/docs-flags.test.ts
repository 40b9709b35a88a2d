// Every flag a command's --help prints is documented on the docs/ page of its command group, and
// every command has a page. The commands are read from `conceptfreq --help` itself (subcommands from
// each group's --help), so a new command or flag without documentation fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const main = join(root, "dist", "cli", "main.js");

/** The docs pages of each top-level command (a flag must appear on one of them). */
const PAGES: Record<string, string[]> = {
  index: ["text-search.md", "index-format.md"],
  corpus: ["corpus.md"],
  cooccur: ["cooccur.md"],
  audit: ["audit.md"],
  count: ["text-search.md", "image.md"],
  search: ["text-search.md"],
  concepts: ["text-search.md"],
  "image-index": ["image.md"],
  misalignment: ["image.md"],
  fit: ["fit.md"],
  tail: ["tail.md"],
  eval: ["eval.md"],
  prompts: ["eval.md"],
  longtail: ["longtail.md"],
  study: ["study.md"],
  demo: ["study.md"],
  serve: ["study.md"],
};

function help(args: string[]): string {
  const r = spawnSync(process.execPath, [main, ...args, "--help"], { encoding: "utf8", env: { ...process.env, COLUMNS: "200" } });
  assert.equal(r.status, 0, `conceptfreq ${args.join(" ")} --help: ${r.stderr}`);
  return r.stdout;
}

/** The lines of a commander help section ("Options:", "Commands:"), up to the next blank line. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const at = lines.indexOf(`${title}:`);
  if (at < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === "") break;
    out.push(line);
  }
  return out;
}

/** Entry lines start two spaces in; wrapped description lines are indented further. */
const entries = (lines: string[]) => lines.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim());

function subcommands(text: string): string[] {
  return entries(section(text, "Commands"))
    .map((l) => l.split(/\s+/)[0]!)
    .filter((name) => name !== "help");
}

function flags(text: string): string[] {
  return entries(section(text, "Options"))
    .map((l) => l.split(/\s{2,}/)[0]!) // the flags column
    .flatMap((col) => col.match(/--[a-z0-9][a-z0-9-]*/g) ?? [])
    .filter((f) => f !== "--help" && f !== "--version");
}

const commands = subcommands(help([]));

test("every command has a docs page", () => {
  assert.ok(commands.length >= 10, `found ${commands.length} commands`);
  assert.deepEqual(commands.filter((c) => !(c in PAGES)), []);
});

test("every flag in every command's --help appears on that command's docs page", () => {
  const missing: string[] = [];
  let checked = 0;
  for (const command of commands) {
    const pages = (PAGES[command] ?? []).map((p) => readFileSync(join(root, "docs", p), "utf8"));
    const top = help([command]);
    const subs = subcommands(top);
    const invocations = subs.length ? subs.map((s) => [command, s]) : [[command]];
    for (const args of invocations) {
      for (const flag of flags(help(args))) {
        checked++;
        const documented = new RegExp(`${flag}(?![a-z0-9-])`);
        if (!pages.some((page) => documented.test(page))) missing.push(`conceptfreq ${args.join(" ")} ${flag} (${PAGES[command]?.join(", ")})`);
      }
    }
  }
  assert.ok(checked > 50, `checked ${checked} flags`);
  assert.deepEqual(missing, []);
});
