/**
 * Appends text indexes: the docs of index k get ids offset by the doc counts of indexes 0..k-1.
 * All inputs must share the format and analyzer versions (checked on open).
 */
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { FILES } from "./build.js";
import { TextIndex } from "./text-index.js";
import { MANIFEST_FILE, TEXT_INDEX_FORMAT_VERSION, captionCodec, fileChecksums, type MalformedCounts, type TextIndexManifest } from "./manifest.js";
import { mergePostingRuns } from "../postings/merge-runs.js";
import { freshTempDirBeside, moveIntoPlace, removeTempDir } from "../io/file-system.js";
import { checkReplaceable } from "../io/replace-output.js";
import { TEXT_INDEX_OUTPUT } from "./build.js";
import { Positions, PositionsWriter, dictionaryText } from "./positions.js";
import { CaptionStore, CaptionStoreWriter, blockCount } from "./caption-store.js";


export interface MergeOptions {
  /** The merged index's directory. */
  out: string;
  /** Replace an existing text index at `out`. */
  force?: boolean;
  /** Check every input's CRC32s first (its structure and sizes are always checked). */
  verify?: boolean;
  /** Hears of each leftover of a killed run beside the output that the merge removed. */
  onReclaim?: (dir: string) => void;
}

export function mergeTextIndexes(dirs: string[], opts: MergeOptions): TextIndexManifest {
  if (dirs.length < 2) throw new UserError("index merge needs at least two indexes.");
  const manifests = dirs.map((d) => {
    const index = TextIndex.open(d, { verify: opts.verify });
    index.close();
    return index.manifest;
  });
  const sampled = dirs.find((_, i) => manifests[i]!.sample !== undefined);
  if (sampled !== undefined) {
    throw new UserError(`cannot merge ${sampled}: it is a sampled index (index build --sample); build the sample over all the inputs in one index build instead.`);
  }
  const out = resolve(opts.out);
  checkReplaceable(out, TEXT_INDEX_OUTPUT, { force: opts.force, inputs: dirs, shown: opts.out });
  const started = process.hrtime.bigint();
  const tmp = freshTempDirBeside(out, opts.onReclaim);
  try {
    const offsets: number[] = [];
    let total = 0;
    for (const m of manifests) {
      offsets.push(total);
      total += m.docCount;
    }
    if (total > 0x100000000) throw new UserError("the merged index would hold more than 2^32 docs (32-bit doc ids).");
    const nouns = mergePostingRuns(dirs.map((d, i) => join(d, manifests[i]!.files.nouns)), join(tmp, FILES.nouns), offsets).terms;
    const terms = mergePostingRuns(dirs.map((d, i) => join(d, manifests[i]!.files.terms)), join(tmp, FILES.terms), offsets).terms;
    concatCaptions(dirs, manifests, tmp);
    const phraseTokens = mergePositions(dirs, manifests, tmp);

    const skipped: MalformedCounts = {};
    for (const m of manifests) for (const [k, n] of Object.entries(m.skipped)) skipped[k as keyof MalformedCounts] = (skipped[k as keyof MalformedCounts] ?? 0) + n;
    const first = manifests[0]!;
    const manifest: TextIndexManifest = {
      ...first,
      // (written in this conceptfreq's format, whatever the inputs' versions)
      formatVersion: TEXT_INDEX_FORMAT_VERSION,
      docCount: total,
      inputs: manifests.flatMap((m, i) => m.inputs.map((inp) => ({ ...inp, firstDoc: inp.firstDoc + offsets[i]! }))),
      skipped,
      vocabulary: { nouns, terms, phraseTokens },
      files: { ...FILES },
      checksums: fileChecksums(tmp, FILES),
      buildSeconds: Math.round((Number(process.hrtime.bigint() - started) / 1e9) * 1000) / 1000,
    };
    writeFileAtomic(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    moveIntoPlace(tmp, out);
    return manifest;
  } catch (e) {
    removeTempDir(tmp);
    throw e;
  }
}

/**
 * Appends the inputs' captions, re-blocked: blocks hold CAPTIONS_PER_BLOCK docs of the merged ids, so
 * each input's blocks are decompressed and their captions written again (the same bytes a build
 * over all the inputs would write).
 */
function concatCaptions(dirs: string[], manifests: TextIndexManifest[], tmp: string): void {
  const writer = new CaptionStoreWriter(join(tmp, FILES.captions), join(tmp, FILES.offsets));
  try {
    for (let i = 0; i < dirs.length; i++) {
      const m = manifests[i]!;
      const where = (p: string) => `index ${dirs[i]} is damaged: ${p.slice(p.lastIndexOf("/") + 1)}`;
      const store = new CaptionStore(join(dirs[i]!, m.files.captions), join(dirs[i]!, m.files.offsets), m.docCount, where, captionCodec(m));
      try {
        for (let k = 0; k < blockCount(m.docCount); k++) {
          const { text, starts } = store.block(k);
          writer.addBytes(text, starts.subarray(1));
        }
      } finally {
        store.close();
      }
    }
    writer.close();
  } catch (e) {
    writer.abort();
    throw e;
  }
}

/**
 * Appends the inputs' positions: the merged dictionary is the first index's, then each later
 * index's tokens it does not hold yet, in their order; every sequence is re-coded with the merged
 * ids. Returns the merged dictionary's size.
 */
function mergePositions(dirs: string[], manifests: TextIndexManifest[], tmp: string): number {
  const ids = new Map<string, number>();
  const keys: string[] = [];
  const writer = new PositionsWriter(join(tmp, FILES.positions), join(tmp, FILES.positionsOffsets));
  try {
    for (let i = 0; i < dirs.length; i++) {
      const m = manifests[i]!;
      const where = (p: string) => `index ${dirs[i]} is damaged: ${p.slice(p.lastIndexOf("/") + 1)}`;
      const p = new Positions(join(dirs[i]!, m.files.positions), join(dirs[i]!, m.files.positionsOffsets), join(dirs[i]!, m.files.phraseTokens), m.docCount, where);
      const remap = new Int32Array(p.tokenCount + 1);
      p.keys.forEach((key, j) => {
        let id = ids.get(key);
        if (id === undefined) {
          keys.push(key);
          ids.set(key, (id = keys.length));
        }
        remap[j + 1] = id;
      });
      let seq: Int32Array<ArrayBufferLike> = new Int32Array(256);
      for (let d = 0; d < m.docCount; d++) {
        const [s, n] = p.sequence(d, seq);
        seq = s;
        for (let k = 0; k < n; k++) seq[k] = remap[seq[k]!]!;
        writer.add(seq, 0, n);
      }
    }
    writer.close();
  } catch (e) {
    writer.abort();
    throw e;
  }
  writeFileAtomic(join(tmp, FILES.phraseTokens), dictionaryText(keys));
  return keys.length;
}
