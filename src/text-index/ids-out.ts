/**
 * Writes the matching doc ids of each concept as a Roaring file (portable serialisation),
 * one per concept, plus an index.json mapping concept names to file names (names are not always
 * valid file names). The directory is written under a temporary name and renamed when complete.
 * A corpus of shards writes global ids as 64-bit Roaring files the same way (corpus-set/global-ids.ts).
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { serializePortable } from "../postings/posting-file.js";
import { type RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { freshTempDirBeside, moveIntoPlace, namingPath, removeTempDir } from "../io/file-system.js";
import { checkReplaceable } from "../io/replace-output.js";

export function writeConceptIds(dir: string, entries: { concept: string; ids: RoaringBitmap32 }[], force = false): void {
  writeConceptIdFiles(dir, entries.map((e) => ({ concept: e.concept, bytes: () => serializePortable(e.ids) })), { serialization: "roaring-portable", ext: "roaring" }, force);
}

/** The layout above with each concept's file bytes given (serialised one at a time). */
export function writeConceptIdFiles(
  dir: string,
  entries: { concept: string; bytes: () => Uint8Array }[],
  kind: { serialization: string; ext: string; extra?: Record<string, unknown> },
  force = false,
): void {
  const out = resolve(dir);
  checkReplaceable(out, { name: "concept-ids directory", markers: [{ file: "index.json", formats: ["conceptfreq-concept-ids"] }] }, { force, shown: dir });
  const tmp = freshTempDirBeside(out);
  try {
    const files: Record<string, string> = {};
    const write = (name: string, data: string | Uint8Array) => namingPath(join(tmp, name), () => writeFileSync(join(tmp, name), data));
    entries.forEach((e, i) => {
      const slug = e.concept.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "_").replace(/^_|_$/g, "").slice(0, 60) || "concept";
      const name = `${String(i).padStart(5, "0")}-${slug}.${kind.ext}`;
      write(name, e.bytes());
      files[e.concept] = name;
    });
    // index.json (the directory's manifest) last
    const index = { format: "conceptfreq-concept-ids", formatVersion: 1, serialization: kind.serialization, ...kind.extra, files };
    write("index.json", JSON.stringify(index, null, 2) + "\n");
    moveIntoPlace(tmp, out);
  } catch (e) {
    removeTempDir(tmp);
    throw e;
  }
}
