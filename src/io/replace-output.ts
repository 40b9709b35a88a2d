/**
 * The rule of `--force`: it replaces only what conceptfreq wrote. An existing output path may be
 * replaced when it is a directory holding a conceptfreq output of the same kind (its marker file
 * names that format) or an empty directory. A file, the current directory or one of its ancestors,
 * an input (or a directory holding one), and any other directory are refused with one sentence.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { resolve, sep } from "node:path";
import { UserError } from "../errors.js";

export interface OutputKind {
  /** What the output is, for messages ("text index"). */
  name: string;
  /** Marker files of the output directory, each with the `format` values it may hold. */
  markers: readonly { file: string; formats: readonly string[] }[];
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

function within(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** Throws unless `out` does not exist or may be replaced under the rule above (`shown`: the path as the user gave it). */
export function checkReplaceable(out: string, kind: OutputKind, opts: { force?: boolean; inputs?: readonly string[]; shown?: string } = {}): void {
  const shown = opts.shown ?? out;
  if (!existsSync(out)) return;
  if (!opts.force) throw new UserError(`${shown} already exists; use --force to replace it.`);
  const target = real(out);
  if (!statSync(target).isDirectory()) throw new UserError(`${shown} is a file, not a ${kind.name}; --force replaces only a ${kind.name} conceptfreq wrote.`);
  if (within(real(process.cwd()), target)) throw new UserError(`${shown} is the current directory or holds it; --force never replaces it.`);
  for (const input of opts.inputs ?? []) {
    if (input !== "-" && within(real(input), target)) throw new UserError(`${shown} holds the input ${input}; --force never replaces an input.`);
  }
  const entries = readdirSync(target);
  if (entries.length === 0) return;
  const ours = kind.markers.some((m) => {
    try {
      const format = (JSON.parse(readFileSync(resolve(target, m.file), "utf8")) as { format?: unknown }).format;
      return typeof format === "string" && m.formats.includes(format);
    } catch {
      return false;
    }
  });
  if (!ours) throw new UserError(`${shown} is not a ${kind.name} conceptfreq wrote; --force replaces only conceptfreq's own outputs.`);
}
