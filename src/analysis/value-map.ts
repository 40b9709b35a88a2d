/**
 * Reading a concept -> number map (pretraining frequencies, per-concept performance) from
 *   - a JSON object of numbers:            {"plane": 43.7, "car": 65.9}
 *     (or of {"count": n, ...} objects: the count is the value; readCountIntervals reads low/high)
 *   - a CSV/TSV file with a header row:    concept,accuracy  (first column the name, second the value)
 *   - a part of a nested JSON document, selected by an RFC 6901 JSON pointer after "#":
 *       results.json#/backboneRN50_pretrainedcc3m/classwise
 *   - a JSON object whose values are objects with a numeric "count" (audit apply's adjusted counts,
 *     {"crane": {"count": 812.5, "low": 640.1, "high": 930.2, ...}}): the map of the counts
 * Insertion order is preserved. Problems a user can cause are a UserError with one sentence.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { UserError } from "../errors.js";

export interface ValueMapSpec {
  path: string;
  /** The JSON pointer ("" = the whole document), or undefined when the spec has no "#". */
  pointer: string | undefined;
}

/**
 * Splits "path#/pointer". A spec naming an existing file is a plain path even when it contains "#";
 * otherwise the first "#" separates the path from the pointer.
 */
export function parseValueMapSpec(spec: string): ValueMapSpec {
  if (spec === "") throw new UserError("An empty file name was given where a value map was expected.");
  const hash = spec.indexOf("#");
  if (hash < 0 || existsSync(spec)) return { path: spec, pointer: undefined };
  return { path: spec.slice(0, hash), pointer: spec.slice(hash + 1) };
}

/** Splits an RFC 6901 pointer into reference tokens, unescaping ~1 to "/" and ~0 to "~". */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new UserError(`JSON pointer "${pointer}" must be empty or start with "/".`);
  }
  return pointer
    .slice(1)
    .split("/")
    .map((token) => {
      if (/~(?![01])/.test(token)) {
        throw new UserError(`JSON pointer "${pointer}" has a "~" not followed by 0 or 1 (write ~0 for "~" and ~1 for "/").`);
      }
      return token.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

/** Escapes a key for use as a pointer token ("~" -> ~0, "/" -> ~1). */
export function escapePointerToken(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The value a JSON pointer designates in a parsed document; a pointer that does not resolve is a UserError. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  let here: unknown = doc;
  let at = "";
  for (const token of parsePointer(pointer)) {
    const where = at === "" ? "the document root" : `"${at}"`;
    if (Array.isArray(here)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= here.length) {
        throw new UserError(`JSON pointer "${pointer}" does not resolve: "${token}" is not an index of the array at ${where} (length ${here.length}).`);
      }
      here = here[Number(token)];
    } else if (here !== null && typeof here === "object") {
      if (!Object.prototype.hasOwnProperty.call(here, token)) {
        const keys = Object.keys(here);
        const some = keys.slice(0, 5).map((k) => `"${k}"`).join(", ");
        throw new UserError(
          `JSON pointer "${pointer}" does not resolve: "${token}" is not a key of the object at ${where}` +
            (keys.length ? ` (keys: ${some}${keys.length > 5 ? ", ..." : ""}).` : " (it is empty)."),
        );
      }
      here = (here as Record<string, unknown>)[token];
    } else {
      throw new UserError(`JSON pointer "${pointer}" does not resolve: the value at ${where} is ${describe(here)}, not an object or array.`);
    }
    at += "/" + escapePointerToken(token);
  }
  return here;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
  return `${typeof v === "number" ? "the number" : typeof v === "boolean" ? "the boolean" : typeof v} ${String(v)}`;
}

/** How a list of numbers (e.g. one score per prompt, as the paper's text-to-image results hold) becomes one value. */
export type ValueReduce = "mean" | "max";

export interface ReadValueMapOptions {
  /** Reduce a list of numbers to its mean or max; without it a list is an error. */
  reduce?: ValueReduce;
}

/** Reads a concept -> number map from `path` or `path#/json/pointer` (see the module comment). */
export function readValueMap(spec: string, opts: ReadValueMapOptions = {}): Map<string, number> {
  const { path, pointer } = parseValueMapSpec(spec);
  const text = readText(path);
  const ext = extname(path).toLowerCase();
  const looksJson = ext === ".json" || (ext !== ".csv" && ext !== ".tsv" && /^\s*[{[]/.test(text));
  if (pointer !== undefined && !looksJson) {
    throw new UserError(`${path} is not a JSON file, so it cannot take a JSON pointer ("#${pointer}").`);
  }
  if (looksJson) {
    const doc = parseJsonText(text, path);
    const value = pointer === undefined ? doc : resolvePointer(doc, pointer);
    return objectToMap(value, pointer === undefined ? path : `${path}#${pointer}`, opts);
  }
  return csvToMap(text, path, ext === ".tsv" ? "\t" : undefined);
}

/** A parsed JSON value that should be a {concept: number} map (or, with reduce, {concept: [numbers]}); `where` names it in errors. */
export function valueMapFromJson(value: unknown, where: string, opts: ReadValueMapOptions = {}): Map<string, number> {
  return objectToMap(value, where, opts);
}

function reduceList(list: unknown[], how: ValueReduce, where: string, key: string): number {
  if (list.length === 0) throw new UserError(`${where}: the value of "${key}" is an empty list; there is nothing to take the ${how} of.`);
  let acc = how === "max" ? -Infinity : 0;
  for (const x of list) {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new UserError(`${where}: the list of "${key}" holds ${describe(x)}, not a finite number.`);
    acc = how === "max" ? Math.max(acc, x) : acc + x;
  }
  return how === "max" ? acc : acc / list.length;
}

/** The text of a file (a leading BOM dropped); a missing file or a directory is one sentence. */
export function readText(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new UserError(`Cannot read ${path}: no such file.`);
  }
  if (st.isDirectory()) throw new UserError(`Cannot read ${path}: it is a directory, not a file.`);
  try {
    return readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    throw new UserError(`Cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
}

/** The JSON document `text` read from `path`; invalid JSON is a UserError naming the file. */
export function parseJsonText(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is not valid JSON (${(e as Error).message}).`);
  }
}

/** Reads and parses a JSON file (see readText and parseJsonText). */
export function readJsonFile(path: string): unknown {
  return parseJsonText(readText(path), path);
}

function objectToMap(value: unknown, where: string, opts: ReadValueMapOptions = {}): Map<string, number> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UserError(`${where} is ${describe(value)}; expected an object mapping concept names to numbers.`);
  }
  const out = new Map<string, number>();
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "number" && Number.isFinite(v)) {
      out.set(key, v);
      continue;
    }
    if (v !== null && typeof v === "object" && !Array.isArray(v) && "count" in v) {
      // {"count": n, ...}: a count with extras (an interval, its alternates, an audit's precision)
      const count = countOf(v);
      if (count === undefined) throw new UserError(`${where}: the count of "${key}" is ${describe((v as { count: unknown }).count)}, not a finite number.`);
      out.set(key, count);
      continue;
    }
    if (Array.isArray(v) && opts.reduce !== undefined) {
      out.set(key, reduceList(v, opts.reduce, where, key));
      continue;
    }
    if (Array.isArray(v)) {
      throw new UserError(`${where}: the value of "${key}" is a list, not a number; reduce it with --perf-reduce mean|max (manifest: reduce).`);
    }
    if (v !== null && typeof v === "object") {
      const hint = !Array.isArray(v) && "classwise" in v ? `, e.g. ${where.includes("#") ? where : where + "#"}/${escapePointerToken(key)}/classwise` : "";
      throw new UserError(`${where}: the value of "${key}" is ${describe(v)}, not a number; select the map of numbers with a JSON pointer${hint}.`);
    }
    throw new UserError(`${where}: the value of "${key}" is ${describe(v)}, not a finite number.`);
  }
  return out;
}

function countOf(v: unknown): number | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const c = (v as { count?: unknown }).count;
  return typeof c === "number" && Number.isFinite(c) ? c : undefined;
}

/**
 * The 95% intervals of the counts in a JSON count map whose values are `{"count": n, "low": a,
 * "high": b}` (what an audit or a sampled index reports); concepts without both bounds are left out.
 * A bound that is not a finite number, or an interval that does not hold its count, is a UserError.
 */
export function readCountIntervals(spec: string): Map<string, { low: number; high: number }> {
  const { path, pointer } = parseValueMapSpec(spec);
  const text = readText(path);
  const out = new Map<string, { low: number; high: number }>();
  if (!/^\s*\{/.test(text) && pointer === undefined) return out; // CSV or an array: no intervals
  const doc = parseJsonText(text, path);
  const value = pointer === undefined ? doc : resolvePointer(doc, pointer);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    const count = countOf(v);
    if (count === undefined) continue;
    const { low, high } = v as { low?: unknown; high?: unknown };
    if (low === undefined && high === undefined) continue;
    if (typeof low !== "number" || typeof high !== "number" || !Number.isFinite(low) || !Number.isFinite(high) || low < 0 || !(low <= count && count <= high)) {
      throw new UserError(`${spec}: the interval of "${key}" (low ${JSON.stringify(low)}, high ${JSON.stringify(high)}) must be two non-negative numbers around its count ${count}.`);
    }
    out.set(key, { low, high });
  }
  return out;
}

/** Parses one CSV/TSV line (RFC 4180 quoting: "a, b" and "" for a quote). */
function splitLine(line: string, sep: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(field);
      if (i === line.length) return fields;
      if (line[i] !== sep) return undefined;
      i++;
    } else {
      const next = line.indexOf(sep, i);
      if (next < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, next));
      i = next + 1;
    }
  }
}

function csvToMap(text: string, path: string, forcedSep: string | undefined): Map<string, number> {
  const lines = text.split(/\r?\n/);
  let lineNo = 0;
  while (lineNo < lines.length && lines[lineNo]!.trim() === "") lineNo++;
  if (lineNo === lines.length) throw new UserError(`${path} is empty; expected a header row "concept,value" and one row per concept.`);
  const header = lines[lineNo]!;
  const sep = forcedSep ?? (header.includes("\t") && !header.includes(",") ? "\t" : ",");
  const columns = splitLine(header, sep);
  if (columns === undefined || columns.length < 2) {
    throw new UserError(`${path}: the header row must have two columns (concept name, value), e.g. "concept,count".`);
  }
  const out = new Map<string, number>();
  for (let i = lineNo + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const fields = splitLine(line, sep);
    if (fields === undefined) throw new UserError(`${path} line ${i + 1}: unbalanced quotes.`);
    if (fields.length < 2) throw new UserError(`${path} line ${i + 1}: expected a concept name and a value.`);
    const name = fields[0]!;
    const raw = fields[1]!.trim();
    const v = Number(raw);
    if (raw === "" || !Number.isFinite(v)) {
      throw new UserError(`${path} line ${i + 1}: the value of "${name}" is ${JSON.stringify(fields[1])}, not a finite number.`);
    }
    if (out.has(name)) throw new UserError(`${path} line ${i + 1}: the concept "${name}" appears twice.`);
    out.set(name, v);
  }
  return out;
}
