/**
 * Identities of a study's inputs, for the count cache: a digest that changes whenever the input does.
 *
 * An index (text or image) is identified by its manifest.json (which records the inputs, their sizes
 * and row counts, the analyzer version and the build) plus the size and modification time of every
 * data file it names, so a rebuilt or replaced index is never mistaken for the old one.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The digest of an index directory: manifest.json bytes + (name, size, mtime) of each file listed under `files`. */
export function indexIdentity(dir: string): string {
  const manifestPath = join(dir, "manifest.json");
  let bytes: Buffer;
  try {
    bytes = readFileSync(manifestPath);
  } catch {
    throw new UserError(`${dir} is not a conceptfreq index (no manifest.json).`);
  }
  let files: Record<string, unknown> = {};
  try {
    const m = JSON.parse(bytes.toString("utf8")) as { files?: Record<string, unknown> };
    files = m.files ?? {};
  } catch {
    throw new UserError(`${manifestPath} is not valid JSON.`);
  }
  const h = createHash("sha256").update(bytes);
  for (const name of Object.values(files).filter((v): v is string => typeof v === "string").sort()) {
    try {
      const st = statSync(join(dir, name));
      h.update(`\0${name}\0${st.size}\0${st.mtimeMs}`);
    } catch {
      throw new UserError(`${dir} is incomplete: ${name} is missing; rebuild the index.`);
    }
  }
  return h.digest("hex");
}

/** A stable digest of a JSON-able value (keys in insertion order: build values deterministically). */
export function digestOf(value: unknown): string {
  return sha256(JSON.stringify(value));
}
