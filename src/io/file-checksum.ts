/** A file's CRC32 (zlib's, as `crc32` and `gzip` give), read in chunks: bounded memory for any size. */
import { closeSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";

export interface FileCheck {
  bytes: number;
  crc32: number;
}

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
