/**
 * A file's byte size and CRC32 (zlib's, as `crc32` and `gzip` give), as index manifests record them
 * for each of their files, and the check of a directory's files against such a record: the sizes
 * always (cheap), the CRC32s on request (reads every byte).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { UserError } from "../errors.js";

export interface FileCheck {
  bytes: number;
  crc32: number;
}

/** The byte size and CRC32 of a file, read in chunks: bounded memory for any size. */
export function fileCheck(path: string): FileCheck {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  let crc = 0;
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, bytes);
      if (n === 0) break;
      crc = crc32(buf.subarray(0, n), crc);
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, crc32: crc };
}

/** The byte size and CRC32 of each named file in `dir`, by file name (for a manifest's `checksums`). */
export function fileChecksums(dir: string, names: readonly string[]): Record<string, FileCheck> {
  const out: Record<string, FileCheck> = {};
  for (const name of names) out[name] = fileCheck(join(dir, name));
  return out;
}

const isCount = (v: unknown, max: number): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;

/**
 * The name of the first of `names` whose entry in a manifest's `checksums` (as parsed, unchecked) is
 * not a byte size and CRC32, or undefined when all are.
 */
export function badChecksumEntry(checksums: unknown, names: readonly string[]): string | undefined {
  const c = checksums as Record<string, unknown> | null;
  for (const name of names) {
    const e = (typeof c === "object" && c !== null ? c[name] : undefined) as { bytes?: unknown; crc32?: unknown } | undefined;
    if (typeof e !== "object" || e === null || !isCount(e.bytes, Number.MAX_SAFE_INTEGER) || !isCount(e.crc32, 0xffffffff)) return name;
  }
  return undefined;
}

/**
 * Checks that each named file is in `dir` with the recorded byte size and, with `verify`,
 * the recorded CRC32. `damaged(name)` names the file in the caller's words ("index DIR is damaged:
 * FILE"); the error is a UserError "<that>: what is wrong."
 */
export function checkFiles(
  dir: string,
  names: readonly string[],
  checksums: Record<string, FileCheck>,
  opts: { verify?: boolean; damaged: (name: string) => string },
): void {
  for (const name of names) {
    const want = checksums[name]!;
    const path = join(dir, name);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`${opts.damaged(name)}: the file is missing.`);
    const size = statSync(path).size;
    if (size !== want.bytes) throw new UserError(`${opts.damaged(name)}: it is ${size} bytes, the manifest says ${want.bytes}.`);
    if (opts.verify && fileCheck(path).crc32 !== want.crc32) throw new UserError(`${opts.damaged(name)}: its CRC32 differs from the manifest's.`);
  }
}
