/**
 * K-way merge of sorted posting runs into one posting file: for each term (in order), the union of
 * its bitmaps across runs. Doc-id ranges of different runs may interleave; union makes the result
 * independent of how docs were spread over workers.
 */
import { PostingFile, PostingFileWriter, RoaringBitmap32, deserializePortable } from "./posting-file.js";
import type { MemoryRun } from "./postings-accumulator.js";

/**
 * Merges runs: posting files, plus runs held in memory (an index build's last runs, which are
 * never written). `offsets[i]` (default 0) is added to the ids of file run i (for appending indexes).
 */
export function mergePostingRuns(runPaths: string[], outPath: string, offsets?: number[], memoryRuns: MemoryRun[] = []): { terms: number } {
  const files = runPaths.map((p) => PostingFile.open(p));
  try {
    const cursors = [...files.map((f) => ({ terms: f.terms(), i: 0 })), ...memoryRuns.map((r) => ({ terms: r.terms, i: 0 }))];
    const writer = new PostingFileWriter(outPath);
    for (;;) {
      let next: string | undefined;
      for (const c of cursors) {
        const t = c.terms[c.i];
        if (t !== undefined && (next === undefined || t < next)) next = t;
      }
      if (next === undefined) break;
      const parts: RoaringBitmap32[] = [];
      const lists: Uint32Array[] = [];
      for (let k = 0; k < cursors.length; k++) {
        const c = cursors[k]!;
        if (c.terms[c.i] !== next) continue;
        const at = c.i++;
        if (k >= files.length) {
          const r = memoryRuns[k - files.length]!;
          lists.push(r.docs.subarray(r.starts[at]!, r.starts[at + 1]!));
          continue;
        }
        let b = deserializePortable(files[k]!.raw(next)!);
        const off = offsets?.[k] ?? 0;
        if (off !== 0) b = shift(b, off);
        parts.push(b);
      }
      if (lists.length > 0) parts.push(new RoaringBitmap32(mergeSorted(lists)));
      writer.add(next, parts.length === 1 ? parts[0]! : RoaringBitmap32.orMany(parts));
    }
    return { terms: writer.close().terms };
  } finally {
    for (const f of files) f.close();
  }
}

/** The union of ascending, pairwise disjoint doc lists (from different workers), ascending. */
function mergeSorted(lists: Uint32Array[]): Uint32Array {
  let merged = lists[0]!;
  for (let k = 1; k < lists.length; k++) {
    const a = merged;
    const b = lists[k]!;
    const out = new Uint32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < a.length && j < b.length) out[o++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
    while (i < a.length) out[o++] = a[i++]!;
    while (j < b.length) out[o++] = b[j++]!;
    merged = out;
  }
  return merged;
}

function shift(b: RoaringBitmap32, offset: number): RoaringBitmap32 {
  const ids = b.toUint32Array();
  for (let i = 0; i < ids.length; i++) ids[i] += offset;
  return new RoaringBitmap32(ids);
}
