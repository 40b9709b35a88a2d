import { renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { makeDirs, namingPath } from "./file-system.js";

/** Writes a file under a temporary name beside it and renames it when complete. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDirs(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    namingPath(path, () => writeFileSync(tmp, data));
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the error to report is the write's
    }
    throw e;
  }
}

/** Writes the output to a file atomically, or to stdout when no path is given. */
export function writeOutput(path: string | undefined, data: string | Uint8Array): void {
  if (path === undefined || path === "-") process.stdout.write(data);
  else writeFileAtomic(path, data);
}
