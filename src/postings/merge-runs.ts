/**
 * K-way merge of sorted posting runs into one posting file: for each term (in order), the union of
 * its docs across runs. Doc-id ranges of different runs may interleave; the union makes the result
 * independent of how docs were spread over workers.
 *
 * A term's docs are merged as ascending id lists and written straight from the list (see
 * roaring-portable.ts), so its bytes depend on its doc set only. A term holding more than
 * LIST_LIMIT docs in all is merged as bitmaps instead (CRoaring's union; bounded memory).
 */
import { PostingFile, PostingFileWriter } from "./posting-file.js";
import { roaringBitmap32, type RoaringBitmap32 } from "./roaring.js";
import type { MemoryRun } from "./postings-accumulator.js";

/** Past this many docs (64 MiB of ids) a term is merged as bitmaps. */
const LIST_LIMIT = 1 << 24;

/**
 * Merges runs: posting files, plus runs held in memory (an index build's last runs, which are
 * never written). `offsets[i]` (default 0) is added to the ids of file run i (for appending indexes).
 * `listLimit` (for tests) is the number of docs past which a term is merged as bitmaps.
 */
export function mergePostingRuns(
  runPaths: string[],
  outPath: string,
  offsets?: number[],
  memoryRuns: MemoryRun[] = [],
  listLimit = LIST_LIMIT,
): { terms: number } {
  const files = runPaths.map((p) => PostingFile.open(p));
  try {
    const cursors = [...files.map((f) => ({ terms: f.terms(), i: 0 })), ...memoryRuns.map((r) => ({ terms: r.terms, i: 0 }))];
    const writer = new PostingFileWriter(outPath);
    const holders: number[] = [];
    for (;;) {
      let next: string | undefined;
      for (const c of cursors) {
        const t = c.terms[c.i];
        if (t !== undefined && (next === undefined || t < next)) next = t;
      }
      if (next === undefined) break;
      // the runs holding the term, and its docs in all
      holders.length = 0;
      let total = 0;
      for (let k = 0; k < cursors.length; k++) {
        const c = cursors[k]!;
        if (c.terms[c.i] !== next) continue;
        holders.push(k);
        if (k < files.length) total += files[k]!.cardinality(next);
        else {
          const r = memoryRuns[k - files.length]!;
          total += r.starts[c.i + 1]! - r.starts[c.i]!;
        }
      }
      if (total <= listLimit) {
        const lists = holders.map((k) => docList(k, cursors[k]!.i));
        writer.addSorted(next, lists.length === 1 ? lists[0]! : unionSorted(lists));
      } else {
        const Bitmap = roaringBitmap32();
        const parts = holders.map((k) => (k < files.length ? fileBitmap(k, next) : new Bitmap(docList(k, cursors[k]!.i))));
        writer.add(next, parts.length === 1 ? parts[0]! : Bitmap.orMany(parts));
      }
      for (const k of holders) cursors[k]!.i++;
    }
    return { terms: writer.close().terms };
  } finally {
    for (const f of files) f.close();
  }

  /** Run k's docs for its term at position i, ascending (offset applied). */
  function docList(k: number, i: number): Uint32Array {
    if (k >= files.length) {
      const r = memoryRuns[k - files.length]!;
      return r.docs.subarray(r.starts[i]!, r.starts[i + 1]!);
    }
    return fileIds(k, files[k]!.terms()[i]!);
  }

  /** File run k's docs for the term, ascending, its offset added. */
  function fileIds(k: number, term: string): Uint32Array {
    const ids = files[k]!.get(term).toUint32Array();
    const off = offsets?.[k] ?? 0;
    if (off !== 0) for (let j = 0; j < ids.length; j++) ids[j] += off;
    return ids;
  }

  function fileBitmap(k: number, term: string): RoaringBitmap32 {
    return (offsets?.[k] ?? 0) === 0 ? files[k]!.get(term) : new (roaringBitmap32())(fileIds(k, term));
  }
}

/** The union of ascending lists, ascending (merged in pairs, so k lists cost log k passes). */
export function unionSorted(lists: Uint32Array[]): Uint32Array {
  let level = lists;
  while (level.length > 1) {
    const next: Uint32Array[] = [];
    for (let k = 0; k + 1 < level.length; k += 2) next.push(union2(level[k]!, level[k + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0] ?? new Uint32Array(0);
}

function union2(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      out[o++] = x;
      i++;
    } else if (y < x) {
      out[o++] = y;
      j++;
    } else {
      out[o++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[o++] = a[i++]!;
  while (j < b.length) out[o++] = b[j++]!;
  return o === out.length ? out : out.subarray(0, o);
}
