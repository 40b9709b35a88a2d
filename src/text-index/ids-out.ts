/**
 * Writes the matching doc ids of each concept as a Roaring file (portable serialisation),
 * one per concept, plus an index.json mapping concept names to file names (names are not always
 * valid file names). The directory is written under a temporary name and renamed when complete.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { serializePortable } from "../postings/posting-file.js";
import { type RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { freshTempDirBeside, moveIntoPlace, namingPath, removeTempDir } from "../io/file-system.js";
import { checkReplaceable } from "../io/replace-output.js";

export function writeConceptIds(dir: string, entries: { concept: string; ids: RoaringBitmap32 }[], force = false): void {
  const out = resolve(dir);
  checkReplaceable(out, { name: "concept-ids directory", markers: [{ file: "index.json", formats: ["conceptfreq-concept-ids"] }] }, { force, shown: dir });
  const tmp = freshTempDirBeside(out);
  try {
    const files: Record<string, string> = {};
    const write = (name: string, data: string | Uint8Array) => namingPath(join(tmp, name), () => writeFileSync(join(tmp, name), data));
    entries.forEach((e, i) => {
      const slug = e.concept.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "_").replace(/^_|_$/g, "").slice(0, 60) || "concept";
      const name = `${String(i).padStart(5, "0")}-${slug}.roaring`;
      write(name, serializePortable(e.ids));
      files[e.concept] = name;
    });
    // index.json (the directory's manifest) last
    write("index.json", JSON.stringify({ format: "conceptfreq-concept-ids", formatVersion: 1, serialization: "roaring-portable", files }, null, 2) + "\n");
    moveIntoPlace(tmp, out);
  } catch (e) {
    removeTempDir(tmp);
    throw e;
  }
}
