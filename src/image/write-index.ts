/**
 * Writes image indexes: one directory per threshold (a posting file of concept -> tagged docs and a
 * manifest), or, for a sweep, DIR/t=<threshold>/ for each threshold plus DIR/sweep.json. The whole
 * output is written under a temporary name and renamed when complete.
 */
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { compareCodePoints } from "../code-point-order.js";
import { PostingFileWriter } from "../postings/posting-file.js";
import { RoaringBitmap32 } from "../postings/roaring-bitmap.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import {
  IMAGE_INDEX_FORMAT,
  IMAGE_INDEX_FORMAT_VERSION,
  IMAGE_MANIFEST_FILE,
  IMAGE_SWEEP_FILE,
  IMAGE_SWEEP_FORMAT,
  TAGS_FILE,
  thresholdDirName,
  type ImageIndexManifest,
  type ImageSweepManifest,
} from "./manifest.js";
import { freshTempDirBeside, makeDirs, moveIntoPlace, removeTempDir } from "../io/file-system.js";
import { fileChecksums } from "../io/file-checksum.js";
import { checkReplaceable } from "../io/replace-output.js";

/** Everything in a manifest but what the writer computes. */
export type ManifestBase = Omit<ImageIndexManifest, "format" | "formatVersion" | "threshold" | "stats" | "files" | "checksums" | "buildSeconds">;

/** Thresholds from a flag value: "0.25" or "0.2,0.25,0.3" -> ascending, distinct, finite. */
export function parseThresholds(spec: string | number | readonly number[]): number[] {
  const values =
    typeof spec === "number" ? [spec] : typeof spec === "string" ? spec.split(",").map((s) => (s.trim() === "" ? NaN : Number(s))) : [...spec];
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) {
    throw new UserError(`The threshold "${String(spec)}" is not a number or a comma-separated list of numbers.`);
  }
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length !== values.length) throw new UserError(`The threshold list "${String(spec)}" repeats a value.`);
  return sorted;
}

/** Fails early when the output exists and may not be replaced. */
export function checkOutput(out: string, force = false): void {
  checkReplaceable(out, { name: "image index", markers: [{ file: IMAGE_MANIFEST_FILE, formats: [IMAGE_INDEX_FORMAT] }, { file: IMAGE_SWEEP_FILE, formats: [IMAGE_SWEEP_FORMAT] }] }, { force });
}

function writeOne(dir: string, base: ManifestBase, threshold: number, bitmaps: RoaringBitmap32[], seconds: number): ImageIndexManifest {
  makeDirs(dir);
  const order = base.concepts.map((c, i) => i).sort((a, b) => compareCodePoints(base.concepts[a]!, base.concepts[b]!));
  const writer = new PostingFileWriter(join(dir, TAGS_FILE));
  let tags = 0;
  for (const i of order) {
    writer.add(base.concepts[i]!, bitmaps[i]!);
    tags += bitmaps[i]!.size;
  }
  writer.close();
  const tagged = bitmaps.length === 0 ? 0 : RoaringBitmap32.orMany(bitmaps).size;
  const manifest: ImageIndexManifest = {
    format: IMAGE_INDEX_FORMAT,
    formatVersion: IMAGE_INDEX_FORMAT_VERSION,
    ...base,
    threshold,
    stats: { taggedImages: tagged, tags, tagsPerImage: base.docCount === 0 ? 0 : tags / base.docCount },
    files: { tags: TAGS_FILE },
    checksums: fileChecksums(dir, [TAGS_FILE]),
    buildSeconds: Math.round(seconds * 1000) / 1000,
  };
  writeFileAtomic(join(dir, IMAGE_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/**
 * Writes the index (one threshold) or the sweep (several) to `out`. `bitmapOf(level, concept)` gives
 * the docs tagged with `base.concepts[concept]` at `thresholds[level]` (ascending). Returns one
 * manifest per threshold.
 */
export function writeImageIndexes(
  out: string,
  thresholds: readonly number[],
  base: ManifestBase,
  bitmapOf: (level: number, concept: number) => RoaringBitmap32,
  opts: { force?: boolean; startedAt: bigint; onReclaim?: (dir: string) => void },
): ImageIndexManifest[] {
  const target = resolve(out);
  checkOutput(target, opts.force);
  const tmp = freshTempDirBeside(target, opts.onReclaim);
  try {
    const manifests: ImageIndexManifest[] = [];
    const seconds = () => Number(process.hrtime.bigint() - opts.startedAt) / 1e9;
    for (let level = 0; level < thresholds.length; level++) {
      const bitmaps = base.concepts.map((_, c) => bitmapOf(level, c));
      const dir = thresholds.length === 1 ? tmp : join(tmp, thresholdDirName(thresholds[level]!));
      manifests.push(writeOne(dir, base, thresholds[level]!, bitmaps, seconds()));
    }
    if (thresholds.length > 1) {
      const sweep: ImageSweepManifest = {
        format: IMAGE_SWEEP_FORMAT,
        formatVersion: IMAGE_INDEX_FORMAT_VERSION,
        indexes: thresholds.map((t) => ({ threshold: t, dir: thresholdDirName(t) })),
      };
      writeFileAtomic(join(tmp, IMAGE_SWEEP_FILE), JSON.stringify(sweep, null, 2) + "\n");
    }
    moveIntoPlace(tmp, target);
    return manifests;
  } catch (e) {
    removeTempDir(tmp);
    throw e;
  }
}
