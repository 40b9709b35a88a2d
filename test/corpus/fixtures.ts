/** Shared helpers for the corpus reader tests: temp dirs, reading a file whole, zstd frames. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { after } from "node:test";
import { openCorpus } from "../../src/corpus/open.js";
import type { CaptionRow, MalformedKind, ReaderOptions } from "../../src/corpus/record.js";

/** A temp dir removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "conceptfreq-corpus-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` to `name` in `dir`, returns the path. */
export function fixture(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export interface ReadResult {
  rows: CaptionRow[];
  batchSizes: number[];
}

export async function readAll(path: string, options: ReaderOptions = {}): Promise<ReadResult> {
  const rows: CaptionRow[] = [];
  const batchSizes: number[] = [];
  for await (const batch of openCorpus(path, options)) {
    batchSizes.push(batch.length);
    rows.push(...batch);
  }
  return { rows, batchSizes };
}

export async function texts(path: string, options: ReaderOptions = {}): Promise<string[]> {
  return (await readAll(path, options)).rows.map((r) => r.text);
}

export function malformedCounts(rows: CaptionRow[]): Partial<Record<MalformedKind, number>> {
  const out: Partial<Record<MalformedKind, number>> = {};
  for (const r of rows) if (r.malformed) out[r.malformed] = (out[r.malformed] ?? 0) + 1;
  return out;
}

/**
 * A valid zstd stream made of raw (stored) blocks: no entropy coding, but real frames that any
 * zstd decoder reads. `frames` > 1 splits the data over several concatenated frames.
 */
export function zstdStored(data: Uint8Array, frames = 1): Buffer {
  const parts: Buffer[] = [];
  const per = Math.ceil(data.length / frames);
  for (let f = 0; f < frames; f++) {
    const slice = data.subarray(f * per, Math.min(data.length, (f + 1) * per));
    // magic, frame header descriptor (no content size, not single segment), window 128 KiB
    parts.push(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3]));
    const BLOCK = 128 * 1024;
    let pos = 0;
    do {
      const size = Math.min(BLOCK, slice.length - pos);
      const last = pos + size >= slice.length ? 1 : 0;
      const header = (size << 3) | (0 << 1) | last;
      parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]));
      parts.push(Buffer.from(slice.subarray(pos, pos + size)));
      pos += size;
    } while (pos < slice.length);
  }
  return Buffer.concat(parts);
}

/** Real zstd compression through the `zstd` command when the machine has it, else null. */
export function zstdCli(data: Uint8Array): Buffer | null {
  const r = spawnSync("zstd", ["-q", "-c", "-3"], { input: data, maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0) return null;
  return r.stdout;
}

export const HAVE_ZSTD_CLI = zstdCli(Buffer.from("x")) !== null;
