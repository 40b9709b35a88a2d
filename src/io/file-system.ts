/**
 * The file system as a user meets it. Errors the operating system gives for a file or directory
 * (no space left, permission denied, a read-only disk, ...) are the user's to fix, not bugs: the
 * CLI reports them in one sentence with exit code 2 (see cli/action.ts), wherever they happen, in
 * a worker thread too. And directories are made without fs.mkdirSync's `recursive` option.
 */
import { closeSync, existsSync, openSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../errors.js";

/** What the system said, for the codes a user can fix. */
const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  EEXIST: "it already exists",
  ENAMETOOLONG: "the name is too long",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EIO: "an input/output error",
};

/** What the failed call was doing, in words. */
const VERBS: Record<string, string> = {
  mkdir: "create the directory",
  open: "open",
  read: "read",
  write: "write to",
  rename: "rename",
  rmdir: "remove",
  unlink: "remove",
  scandir: "list",
  stat: "read",
  lstat: "read",
};

interface SystemError {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

function asSystemError(e: unknown): SystemError | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && code in REASONS ? (e as unknown as SystemError) : undefined;
}

/** One sentence for an operating-system error a user can fix, or undefined for any other error. */
export function systemErrorSentence(e: unknown): string | undefined {
  const s = asSystemError(e);
  if (!s) return undefined;
  const what = (s.syscall && VERBS[s.syscall]) ?? s.syscall ?? "use";
  const where = s.path ? ` ${s.path}${s.dest ? ` -> ${s.dest}` : ""}` : "";
  return `cannot ${what}${where}: ${REASONS[s.code]}.`;
}

/**
 * Creates a directory and its missing parents, one at a time (fs.mkdirSync's own `recursive`
 * option loops forever on some file systems, e.g. under /proc). A UserError when a part of the
 * path is a file.
 */
export function makeDirs(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let d = target;
  while (!existsSync(d)) {
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  if (existsSync(d) && !statSync(d).isDirectory()) {
    throw new UserError(d === target ? `cannot use ${d} as a directory: it is a file.` : `cannot create the directory ${target}: ${d} is a file.`);
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      // made meanwhile by someone else: fine when it is a directory
      if ((e as { code?: unknown }).code !== "EEXIST" || !statSync(m).isDirectory()) throw e;
    }
  }
}

/**
 * Names the file in an operating-system error that does not (a failed write or close on an open file
 * descriptor says only "ENOSPC"), so the user reads "cannot write to /x/y: no space left on the device."
 */
export function namingPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (asSystemError(e) && !(e as { path?: unknown }).path) (e as { path?: string }).path = path;
    throw e;
  }
}

/** Writes all of `bytes` at the descriptor's position (writeSync may write fewer), errors naming `path`. */
export function writeAllSync(fd: number, path: string, bytes: Uint8Array): void {
  namingPath(path, () => {
    for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
  });
}

/** Opens each path for writing; if one fails, the ones already opened are closed before the error is thrown. */
export function openFilesForWriting(paths: readonly string[]): number[] {
  const opened: { fd: number; path: string }[] = [];
  try {
    for (const path of paths) opened.push({ fd: namingPath(path, () => openSync(path, "w")), path });
  } catch (e) {
    closeFiles(opened, false);
    throw e;
  }
  return opened.map((f) => f.fd);
}

/**
 * Closes every file descriptor, whatever happens to the others. With `report`, the first failure
 * is thrown once all are closed (its file named); without, failures are dropped, for the cleanup
 * after an earlier error (which is the one to report: a full disk fails the close too).
 */
export function closeFiles(files: readonly { fd: number; path: string }[], report: boolean): void {
  let first: unknown;
  for (const f of files) {
    try {
      namingPath(f.path, () => closeSync(f.fd));
    } catch (e) {
      first ??= e;
    }
  }
  if (report && first !== undefined) throw first;
}

/**
 * Runs `finish` (the last writes), then closes the files: on success reporting a failed close, on
 * failure closing them all quietly and throwing finish's error (the one to report).
 */
export function finishThenClose(files: readonly { fd: number; path: string }[], finish: () => void): void {
  try {
    finish();
  } catch (e) {
    closeFiles(files, false);
    throw e;
  }
  closeFiles(files, true);
}

/*
 * Outputs built in a temporary directory. A run builds its output `OUT` in `OUT.tmp-PID` (beside it,
 * on the same file system), which holds from its creation the marker file below, and renames it to
 * `OUT` when complete. The marker says which process made the directory and for which output; a
 * directory holding it is an unfinished output unless its name is that output's (the rename into
 * place is done and only the marker's removal was cut short), so a reader never takes a leftover of
 * a killed run for an index, and a later run can tell conceptfreq's leftovers of dead processes
 * from anything else (which it never touches).
 */

/** The marker file of an unfinished output directory. */
export const UNFINISHED_MARKER = ".conceptfreq-unfinished";
const UNFINISHED_FORMAT = "conceptfreq-unfinished";

interface UnfinishedMarker {
  format: typeof UNFINISHED_FORMAT;
  /** The process that made the directory, and its host (a PID means nothing on another machine). */
  pid: number;
  host: string;
  /** The base name of the output the directory becomes. */
  out: string;
}

function writeMarker(dir: string, out: string): void {
  const marker: UnfinishedMarker = { format: UNFINISHED_FORMAT, pid: process.pid, host: hostname(), out: basename(out) };
  // written whole or not at all (a rename): a marker cut short would read as "unknown", which marks
  // even a complete output (moveIntoPlace marks the previous output before moving it aside) unfinished
  const path = join(dir, UNFINISHED_MARKER);
  const partial = `${path}.partial`;
  namingPath(path, () => {
    writeFileSync(partial, JSON.stringify(marker) + "\n");
    renameSync(partial, path);
  });
}

/** The directory's marker: undefined when it has none, null when it has one that cannot be read. */
function readMarker(dir: string): UnfinishedMarker | null | undefined {
  const path = join(dir, UNFINISHED_MARKER);
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, "utf8")) as UnfinishedMarker;
    return m?.format === UNFINISHED_FORMAT && Number.isInteger(m.pid) && typeof m.out === "string" && typeof m.host === "string" ? m : null;
  } catch {
    return null;
  }
}

/** Whether `dir` is an unfinished output (or lies in one): the process that left it, or null when unknown. */
function unfinishedBy(dir: string): { pid: number | null } | undefined {
  for (const d of [resolve(dir), dirname(resolve(dir))]) {
    const m = readMarker(d);
    if (m === null) return { pid: null };
    if (m && m.out !== basename(d)) return { pid: m.pid };
  }
  return undefined;
}

/** Refuses an unfinished output: a readable `${what}` is never a leftover of an interrupted run. */
export function refuseUnfinished(dir: string, what: string): void {
  const u = unfinishedBy(dir);
  if (u) {
    throw new UserError(
      `${dir} is an unfinished ${what}: the conceptfreq run that wrote it${u.pid === null ? "" : ` (process ${u.pid})`} stopped before it completed; build it again.`,
    );
  }
}

/** Whether `dir` is a directory holding nothing but (some of) `names`. */
function holdsOnly(dir: string, names: readonly string[]): boolean {
  try {
    return statSync(dir).isDirectory() && readdirSync(dir).every((n) => names.includes(n));
  } catch {
    return false;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === "EPERM";
  }
}

/**
 * Removes the unfinished outputs beside `out` that conceptfreq runs on this host left when they
 * were killed: `OUT.tmp-PID` and `OUT.old-PID` holding our marker for `OUT` (or empty: killed
 * before the marker was written), whose process is gone. Anything else is left alone. Returns the directories removed.
 */
export function removeStaleTempDirs(out: string): string[] {
  const target = resolve(out);
  const parent = dirname(target);
  const base = basename(target);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(base + ".")) continue;
    const m = /^\.(tmp|old)-(\d+)$/.exec(name.slice(base.length));
    if (!m) continue;
    const pid = Number(m[2]);
    const dir = join(parent, name);
    if (pid === process.pid || processIsAlive(pid)) continue;
    const marker = readMarker(dir);
    if (marker && marker.pid === pid && marker.out === base && marker.host === hostname()) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } else if (marker === undefined && holdsOnly(dir, [`${UNFINISHED_MARKER}.partial`])) {
      // killed between making the directory and writing its marker (perhaps while writing it): removing
      // an empty directory, or one holding only our half-written marker, loses nothing
      try {
        rmSync(join(dir, `${UNFINISHED_MARKER}.partial`), { force: true });
        rmdirSync(dir);
        removed.push(dir);
      } catch {
        // not empty after all, or not ours to remove
      }
    }
  }
  return removed;
}

/**
 * A fresh, empty directory `OUT.tmp-PID` beside `out` (its parents made, our marker in it) in which
 * an output is built, to be moved into place with `moveIntoPlace` once complete: an interrupted run
 * leaves nothing that looks complete. Leftovers of dead runs beside `out` are removed first
 * (`onReclaim` hears of each).
 */
export function freshTempDirBeside(out: string, onReclaim?: (dir: string) => void): string {
  makeDirs(dirname(out));
  for (const dir of removeStaleTempDirs(out)) onReclaim?.(dir);
  const tmp = `${out}.tmp-${process.pid}`;
  if (existsSync(tmp)) {
    if (readMarker(tmp) === undefined) throw new UserError(`${tmp} exists and is not conceptfreq's; move it away first.`);
    rmSync(tmp, { recursive: true, force: true });
  }
  namingPath(tmp, () => mkdirSync(tmp));
  try {
    writeMarker(tmp, out);
  } catch (e) {
    removeTempDir(tmp);
    throw e;
  }
  return tmp;
}

/**
 * Moves the completed `tmp` (from freshTempDirBeside) to `out`, replacing what is there (the caller
 * has checked it may be replaced, see io/replace-output.ts). Every step is a rename, so whenever the
 * process dies `out` is absent, the previous output or the new one, complete: the previous output
 * moves aside to `OUT.old-PID` (marked unfinished, so it is reclaimed if we die) and is removed last.
 */
export function moveIntoPlace(tmp: string, out: string): void {
  let old: string | undefined;
  if (existsSync(out)) {
    old = `${out}.old-${process.pid}`;
    if (existsSync(old)) {
      if (readMarker(old) === undefined) throw new UserError(`${old} exists and is not conceptfreq's; move it away first.`);
      rmSync(old, { recursive: true, force: true });
    }
    writeMarker(out, out); // still complete under its own name; unfinished once renamed
    renameSync(out, old);
  }
  renameSync(tmp, out);
  try {
    unlinkSync(join(out, UNFINISHED_MARKER));
  } catch {
    // harmless: a marker naming the directory's own name marks a complete output
  }
  if (old) removeTempDir(old);
}

/**
 * Removes a temporary directory on the way out of a failed run (or an old output moved aside), never
 * masking the run's own error. Its unfinished marker goes last: killed halfway, what is left (a
 * manifest without some of its files) still reads as unfinished, never as a damaged index.
 */
export function removeTempDir(tmp: string): void {
  try {
    for (const name of readdirSync(tmp)) if (name !== UNFINISHED_MARKER) rmSync(join(tmp, name), { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  } catch {
    // a later run reclaims it (see removeStaleTempDirs)
  }
}
