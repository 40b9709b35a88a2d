/**
 * Aliases: other names of one concept in different files of one dataset (CIFAR-10's results say
 * `plane`, its counts `airplane`). An alias map `{plane: airplane}` renames `plane` to `airplane` in
 * every concept map it is applied to, before maps are joined by exact name.
 */
import { existsSync } from "node:fs";
import { UserError } from "../errors.js";
import { readText } from "./value-map.js";

export type AliasMap = Map<string, string>;

/** Adds one `--alias` value to `into`: `a=b` or a JSON file `{"a": "b", ...}`. */
export function parseAliasArg(value: string, into: AliasMap = new Map()): AliasMap {
  const eq = value.indexOf("=");
  if (eq > 0 && !existsSync(value)) {
    addAlias(into, value.slice(0, eq).trim(), value.slice(eq + 1).trim(), `--alias ${value}`);
    return into;
  }
  return readAliasFile(value, into);
}

/** Reads a JSON alias file {"name in one file": "name in the other"}. */
export function readAliasFile(path: string, into: AliasMap = new Map(), shown = path): AliasMap {
  const text = readText(path);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${shown} is not valid JSON (${(e as Error).message}); an alias file is {"plane": "airplane", ...}.`);
  }
  return aliasesFromObject(doc, shown, into);
}

export function aliasesFromObject(doc: unknown, where: string, into: AliasMap = new Map()): AliasMap {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new UserError(`${where}: expected an object of aliases, e.g. {"plane": "airplane"}.`);
  for (const [from, to] of Object.entries(doc)) {
    if (typeof to !== "string") throw new UserError(`${where}: the alias of "${from}" is not a string.`);
    addAlias(into, from, to, where);
  }
  return into;
}

function addAlias(into: AliasMap, from: string, to: string, where: string): void {
  if (from === "" || to === "") throw new UserError(`${where}: an alias needs a name on both sides of "=" (e.g. plane=airplane).`);
  const before = into.get(from);
  if (before !== undefined && before !== to) throw new UserError(`${where}: "${from}" is given two aliases ("${before}" and "${to}").`);
  into.set(from, to);
}

/** A copy of `map` with aliased names renamed (order kept); two values for one name after renaming is an error. */
export function applyAliases<V>(map: Map<string, V>, aliases: AliasMap, where: string): Map<string, V> {
  if (aliases.size === 0) return map;
  const out = new Map<string, V>();
  for (const [k, v] of map) {
    const name = aliases.get(k) ?? k;
    if (out.has(name)) throw new UserError(`${where} holds both "${k}" and "${name}", which the aliases make one name.`);
    out.set(name, v);
  }
  return out;
}

/** Renames aliased names in a list (duplicates after renaming are dropped, first kept). */
export function aliasNames(names: readonly string[], aliases: AliasMap): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names) {
    const m = aliases.get(n) ?? n;
    if (!seen.has(m)) (seen.add(m), out.push(m));
  }
  return out;
}
