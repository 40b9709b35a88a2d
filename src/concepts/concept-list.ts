/**
 * Concept lists: `builtin:NAME`, a text file (one concept per line, `#` starts a comment line),
 * a JSON array of strings, or a CSV file with a `concept` column. A line may hold alternates
 * separated by "|" ("sea lion|sealion"); the whole line is the concept's name.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { UserError } from "../errors.js";
import { parseCsv } from "../corpus/csv.js";
import { BUILTIN_CONCEPT_LISTS } from "./builtin/index.js";

export interface ConceptList {
  /** Concept names in file order, duplicates removed (first kept). */
  concepts: string[];
  /** How many duplicate names were dropped. */
  duplicates: number;
  source: string;
}

export function readConceptList(spec: string): ConceptList {
  if (spec.startsWith("builtin:")) {
    const name = spec.slice("builtin:".length);
    const list = BUILTIN_CONCEPT_LISTS[name];
    if (!list) {
      throw new UserError(`unknown builtin concept list "${name}"; known: ${Object.keys(BUILTIN_CONCEPT_LISTS).join(", ")}.`);
    }
    return dedupe([...list], spec);
  }
  let text: string;
  try {
    text = readFileSync(spec, "utf8");
  } catch {
    throw new UserError(`cannot read concept file ${spec}.`);
  }
  const ext = extname(spec).toLowerCase();
  let names: string[];
  if (ext === ".json") names = fromJson(spec, text);
  else if (ext === ".csv") names = fromCsv(spec, text);
  else names = fromText(text);
  return dedupe(names, spec);
}

function fromText(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

function fromJson(spec: string, text: string): string[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UserError(`${spec} is not valid JSON.`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    throw new UserError(`${spec} must be a JSON array of concept names (strings).`);
  }
  return v.map((s: string) => s.trim()).filter((s) => s !== "");
}

function fromCsv(spec: string, text: string): string[] {
  const rows = parseCsv(text);
  const header = rows[0];
  const col = header ? header.findIndex((h) => h.trim().toLowerCase() === "concept") : -1;
  if (col < 0) throw new UserError(`${spec} has no "concept" column in its header.`);
  return rows
    .slice(1)
    .map((r) => (r[col] ?? "").trim())
    .filter((s) => s !== "");
}

function dedupe(names: string[], source: string): ConceptList {
  const seen = new Set<string>();
  const concepts: string[] = [];
  for (const n of names) {
    if (seen.has(n)) continue;
    seen.add(n);
    concepts.push(n);
  }
  if (concepts.length === 0) throw new UserError(`${source} lists no concepts.`);
  return { concepts, duplicates: names.length - concepts.length, source };
}
