/**
 * Class names and ground-truth labels for zero-shot classification.
 *
 * Class names: a text file, one name per line, in class-index order (surrounding whitespace trimmed;
 * a blank line inside the list is an error, trailing blank lines are ignored), or `builtin:NAME`, a
 * builtin concept list in its class-index order with its duplicate names kept (ImageNet's CLIP names
 * list two classes twice: 1,000 names, as many as the classifier's rows).
 *
 * Labels, one per image, in image-embedding order:
 *   .npy   a 1-D (or n × 1) integer array of class indices
 *   .json  a JSON array of class indices or of class names
 *   other  a text file, one label per line: either every line is a class index (a non-negative
 *          integer) or every line is a class name exactly as in the class-names file
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { UserError } from "../errors.js";
import { readNpy } from "../matrix/npy.js";
import { BUILTIN_CONCEPT_LISTS } from "../concepts/builtin/index.js";

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`The ${what} ${path} does not exist.`);
    if (code === "EISDIR") throw new UserError(`The ${what} ${path} is a directory, not a file.`);
    throw new UserError(`Cannot read the ${what} ${path} (${code ?? String(e)}).`);
  }
}

/** The non-empty lines of a text file, trimmed; a blank line before the last non-blank one is an error. */
function lines(path: string, what: string): string[] {
  const all = readText(path, what).split(/\r?\n/).map((l) => l.trim());
  while (all.length > 0 && all[all.length - 1] === "") all.pop();
  const blank = all.indexOf("");
  if (blank >= 0) throw new UserError(`Line ${blank + 1} of the ${what} ${path} is blank.`);
  return all;
}

/** Reads a class-names file (one name per line, in class-index order), or a `builtin:NAME` list. */
export function readClassNames(path: string): string[] {
  if (path.startsWith("builtin:")) {
    const list = BUILTIN_CONCEPT_LISTS[path.slice("builtin:".length)];
    if (!list) throw new UserError(`unknown builtin class list "${path.slice("builtin:".length)}"; known: ${Object.keys(BUILTIN_CONCEPT_LISTS).join(", ")}.`);
    return [...list];
  }
  const names = lines(path, "class-names file");
  if (names.length === 0) throw new UserError(`The class-names file ${path} holds no class names.`);
  return names;
}

/** Maps class names to their first index. */
function nameIndex(classNames: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  classNames.forEach((n, i) => {
    if (!map.has(n)) map.set(n, i);
  });
  return map;
}

function checkIndex(value: number, classes: number, path: string, position: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= classes) {
    throw new UserError(`${path}: the label at ${position} is ${value}, not a class index in 0..${classes - 1}.`);
  }
  return value;
}

/** Reads one label per image as class indices into `classNames`. */
export function readLabels(path: string, classNames: readonly string[]): Int32Array {
  const ext = extname(path).toLowerCase();
  const classes = classNames.length;
  if (ext === ".npy") {
    const arr = readNpy(path);
    const ok = arr.shape.length === 1 || (arr.shape.length === 2 && arr.shape[1] === 1);
    if (!ok) throw new UserError(`The labels file ${path} has shape (${arr.shape.join(", ")}); labels must be a 1-D array.`);
    if (!/^u?int|^bool/.test(arr.dtype)) {
      throw new UserError(`The labels file ${path} holds ${arr.dtype} values; labels must be integer class indices.`);
    }
    const out = new Int32Array(arr.data.length);
    for (let i = 0; i < out.length; i++) out[i] = checkIndex(Number(arr.data[i]!), classes, path, `row ${i}`);
    return out;
  }
  if (ext === ".json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readText(path, "labels file"));
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`The labels file ${path} is not valid JSON.`);
    }
    if (!Array.isArray(parsed)) throw new UserError(`The labels file ${path} must hold a JSON array of class indices or names.`);
    const names = nameIndex(classNames);
    const out = new Int32Array(parsed.length);
    parsed.forEach((v, i) => {
      if (typeof v === "number") out[i] = checkIndex(v, classes, path, `position ${i}`);
      else if (typeof v === "string" && names.has(v)) out[i] = names.get(v)!;
      else throw new UserError(`${path}: the label at position ${i} (${JSON.stringify(v)}) is neither a class index nor a class name.`);
    });
    return out;
  }
  const ls = lines(path, "labels file");
  if (ls.every((l) => /^\d+$/.test(l))) {
    return Int32Array.from(ls, (l, i) => checkIndex(Number(l), classes, path, `line ${i + 1}`));
  }
  const names = nameIndex(classNames);
  return Int32Array.from(ls, (l, i) => {
    const c = names.get(l);
    if (c === undefined) {
      throw new UserError(
        `${path}: line ${i + 1} ("${l}") is not a class name from the class-names file ` +
          `(a labels text file holds either class indices on every line or class names on every line).`,
      );
    }
    return c;
  });
}
