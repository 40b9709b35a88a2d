/**
 * The command line that runs this conceptfreq: the absolute path of the Node.js running it and of
 * the CLI's built entry point (dist/cli/main.js), for launchers that start shard builds elsewhere.
 */
import { fileURLToPath } from "node:url";

export function cliCommand(): { node: string; main: string } {
  // Built, this module is dist/corpus-set/cli-entry.js; run from source (tests), src/corpus-set/cli-entry.ts.
  const fromSource = import.meta.url.endsWith(".ts");
  const main = fileURLToPath(new URL(fromSource ? "../../dist/cli/main.js" : "../cli/main.js", import.meta.url));
  return { node: process.execPath, main };
}

/** Quotes a word for a POSIX shell (only when it needs it). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
