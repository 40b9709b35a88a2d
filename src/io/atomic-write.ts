import { renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { UserError } from "../errors.js";
import { makeDirs, namingPath } from "./file-system.js";

/**
 * Refuses an output file name that is an existing directory, in one sentence naming the flag. A
 * command calls it for its output flags before any work, so that it never prints one output and then
 * fails on the next.
 */
export function refuseDirectoryOutput(path: string | undefined, flag = "the output file"): void {
  if (path === undefined || path === "-") return;
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return; // absent (or unreadable: the write says why)
  }
  if (isDir) throw new UserError(`${flag} ${path} is a directory; give a file name.`);
}

/** Writes a file under a temporary name beside it and renames it when complete. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  refuseDirectoryOutput(path, "the output file");
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
