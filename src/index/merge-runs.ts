/**
 * K-way merge of sorted posting runs into one posting file: for each term (in order), the union of
 * its bitmaps across runs. Doc-id ranges of different runs may interleave; union makes the result
 * independent of how docs were spread over workers.
 */
import { PostingFile, PostingFileWriter, RoaringBitmap32, deserializePortable } from "./posting-file.js";

/** Merges runs; `offsets[i]` (default 0) is added to the ids of run i (for appending indexes). */
export function mergePostingRuns(runPaths: string[], outPath: string, offsets?: number[]): { terms: number } {
  const files = runPaths.map((p) => PostingFile.open(p));
  try {
    const cursors = files.map((f) => ({ terms: f.terms(), i: 0 }));
    const writer = new PostingFileWriter(outPath);
    for (;;) {
      let next: string | undefined;
      for (const c of cursors) {
        const t = c.terms[c.i];
        if (t !== undefined && (next === undefined || t < next)) next = t;
      }
      if (next === undefined) break;
      const parts: RoaringBitmap32[] = [];
      for (let k = 0; k < cursors.length; k++) {
        const c = cursors[k]!;
        if (c.terms[c.i] !== next) continue;
        c.i++;
        let b = deserializePortable(files[k]!.raw(next)!);
        const off = offsets?.[k] ?? 0;
        if (off !== 0) b = shift(b, off);
        parts.push(b);
      }
      writer.add(next, parts.length === 1 ? parts[0]! : RoaringBitmap32.orMany(parts));
    }
    return { terms: writer.close().terms };
  } finally {
    for (const f of files) f.close();
  }
}

function shift(b: RoaringBitmap32, offset: number): RoaringBitmap32 {
  const ids = b.toUint32Array();
  for (let i = 0; i < ids.length; i++) ids[i] += offset;
  return new RoaringBitmap32(ids);
}
