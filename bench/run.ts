/**
 * `npm run bench`: runs every benchmark and prints its figures. Each bench module exports main().
 * Run one: `npm run bench -- index` (names: the files in bench/ without .ts).
 */
import { readdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";

const only = process.argv.slice(2);
const dir = new URL(".", import.meta.url);
const names = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
for (const name of names) {
  const mod = (await import(new URL(`./${name}.ts`, dir).href)) as { main?: () => Promise<void> };
  if (typeof mod.main !== "function") continue;
  console.log("");
  await mod.main();
}
