/**
 * The file system as a user meets it. Errors the operating system gives for a file or directory
 * (no space left, permission denied, a read-only disk, ...) are the user's to fix, not bugs: the
 * CLI reports them in one sentence with exit code 2 (see cli/action.ts), wherever they happen, in
 * a worker thread too. And directories are made without fs.mkdirSync's `recursive` option.
 */
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
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
 * A fresh, empty directory beside `out` (its parents made) in which an output is built, to be
 * renamed to `out` once complete: an interrupted run leaves nothing that looks complete.
 */
export function freshTempDirBeside(out: string): string {
  makeDirs(dirname(out));
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  return tmp;
}
