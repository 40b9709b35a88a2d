/** A planted corpus for the audit tests: which docs match which concept is known by construction. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const N_DOCS = 120;

/** Caption i: a crane when i % 3 == 0, a mouse when i % 5 == 0, a zebra for i in {7, 50, 99}, a kite otherwise. */
export function plantedCaption(i: number): string {
  const parts: string[] = [];
  if (i % 3 === 0) parts.push(i % 2 === 0 ? "a crane over the harbour" : "a white crane, standing in water");
  if (i % 5 === 0) parts.push('a mouse on the "desk"');
  if (i === 7 || i === 50 || i === 99) parts.push("a zebra");
  if (parts.length === 0) parts.push("a kite in the sky");
  return parts.join(" and ");
}

export const EXPECTED: Record<string, number[]> = {
  crane: Array.from({ length: N_DOCS }, (_, i) => i).filter((i) => i % 3 === 0),
  mouse: Array.from({ length: N_DOCS }, (_, i) => i).filter((i) => i % 5 === 0),
  zebra: [7, 50, 99],
  unicorn: [],
};

/** Writes the corpus as TSV in a new temporary directory; returns the directory and the file. */
export function writePlantedCorpus(prefix: string): { dir: string; tsv: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const tsv = join(dir, "captions.tsv");
  writeFileSync(tsv, Array.from({ length: N_DOCS }, (_, i) => `${plantedCaption(i)}\thttp://x.invalid/${i}`).join("\n") + "\n");
  return { dir, tsv };
}
