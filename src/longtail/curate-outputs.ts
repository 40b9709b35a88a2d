/**
 * The outputs of a curation, written into a (temporary) output folder, manifest.csv last:
 *   manifest.csv   path,class,hash,width,height — one row per kept image, by class then file name;
 *                  `path` is relative to the output folder (the copy/link with --copy/--link, else the
 *                  source file), with "/" separators;
 *   classes.txt    the kept classes, one per line, in manifest order (a concept list, and the class
 *                  names file of `conceptfreq eval classify --classes`);
 *   labels.txt     one line per manifest row: its class index in classes.txt (0-based) — the
 *                  `--labels` of `eval classify` for embeddings computed in manifest order;
 *   summary.csv    per class: found, ignored, unreadable, tiny, cross_class, duplicates, sampled_out,
 *                  kept, status;
 *   excluded.csv   path,class,reason,detail — every candidate image that is not in the manifest;
 *   curate.json    format name and version, the settings used, and totals.
 * With --copy/--link, the kept images are also placed under <class>/.
 */
import { copyFileSync, linkSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { csvLine, csvTable } from "../io/csv-write.js";
import { makeDirs } from "../io/file-system.js";
import type { OutputKind } from "../io/replace-output.js";
import type { CandidateImage } from "./curate-candidates.js";
import type { CurationPlan, ExclusionReason } from "./curate-plan.js";
import type { FilePlacement, ResolvedSettings } from "./curate-settings.js";

export const CURATE_FORMAT = { name: "conceptfreq-longtail-curate", version: 1 } as const;

/** What `--force` may replace: an earlier curate output (see io/replace-output.ts). */
export const CURATE_OUTPUT: OutputKind = { name: "curate output", markers: [{ file: "curate.json", formats: [CURATE_FORMAT.name] }] };

export interface ManifestRow {
  /** Relative to the output folder, "/" separators. */
  path: string;
  className: string;
  hash: string;
  width: number;
  height: number;
  source: string;
}

/** The names of the output files (a class folder with one of these names cannot take --copy/--link). */
export const OUTPUT_FILES = ["manifest.csv", "classes.txt", "labels.txt", "summary.csv", "excluded.csv", "curate.json"];

/** Places one file at `dest` (in the temporary output folder) by copying or hard-linking (symlink if that fails). */
function placeFile(source: string, dest: string, how: "copy" | "link"): void {
  if (how === "copy") copyFileSync(source, dest);
  else {
    try {
      linkSync(source, dest);
    } catch {
      symlinkSync(source, dest);
    }
  }
}

/** The manifest rows of the kept images, in plan order. */
export function manifestRows(plan: CurationPlan, files: FilePlacement, displayPath: (c: CandidateImage) => string): ManifestRow[] {
  return plan.kept.map((c) => ({
    path: files === "none" ? displayPath(c) : `${c.className}/${c.name}`,
    className: c.className,
    hash: c.hash!.hex,
    width: c.hash!.width,
    height: c.hash!.height,
    source: c.source,
  }));
}

/** Writes the output files (and the placed images) into `dir`; returns the file names written. */
export function writeOutputs(
  dir: string,
  s: ResolvedSettings,
  plan: CurationPlan,
  manifest: ManifestRow[],
  candidates: number,
  displayPath: (c: CandidateImage) => string,
): string[] {
  const written: string[] = [];
  if (s.files !== "none") {
    for (const c of plan.kept) {
      makeDirs(join(dir, c.className));
      placeFile(c.source, join(dir, c.className, c.name), s.files);
    }
  }
  const write = (name: string, data: string): void => {
    writeFileAtomic(join(dir, name), data);
    written.push(name);
  };
  write(
    "excluded.csv",
    csvTable(
      ["path", "class", "reason", "detail"],
      plan.excluded.map((x) => [displayPath(x.candidate), x.candidate.className, x.reason, x.detail]),
    ),
  );
  write(
    "summary.csv",
    csvTable(
      ["class", "found", "ignored", "unreadable", "tiny", "cross_class", "duplicates", "sampled_out", "kept", "status"],
      plan.classes.map((c) => [
        c.className,
        c.found,
        c.ignored,
        c.unreadable,
        c.tiny,
        c.crossClass,
        c.duplicates,
        c.sampledOut,
        c.kept,
        c.droppedBecause ? `dropped: ${c.droppedBecause}` : "kept",
      ]),
    ),
  );
  const keptClasses = plan.classes.filter((c) => !c.droppedBecause).map((c) => c.className);
  write("classes.txt", keptClasses.map((c) => c + "\n").join(""));
  const classIndex = new Map(keptClasses.map((c, i) => [c, i]));
  write("labels.txt", manifest.map((r) => `${classIndex.get(r.className)!}\n`).join(""));
  const reasons: Record<ExclusionReason, number> = {
    unreadable: 0,
    tiny: 0,
    "cross-class-duplicate": 0,
    duplicate: 0,
    "class-dropped": 0,
    "sampled-out": 0,
  };
  for (const x of plan.excluded) reasons[x.reason]++;
  write(
    "curate.json",
    JSON.stringify(
      {
        format: CURATE_FORMAT.name,
        version: CURATE_FORMAT.version,
        hashBits: s.hashBits,
        maxDistance: s.maxDistance,
        duplicateRule: "greedy: largest image first, then file name",
        minSide: s.minSide,
        crossClass: s.crossClass,
        balance: s.balance,
        perClass: plan.perClass,
        minPerClass: s.minPerClass,
        seed: s.seed,
        files: s.files,
        candidates,
        classes: keptClasses.length,
        images: manifest.length,
        excluded: reasons,
      },
      null,
      2,
    ) + "\n",
  );
  write(
    "manifest.csv",
    csvLine(["path", "class", "hash", "width", "height"]) +
      manifest.map((r) => csvLine([r.path, r.className, r.hash, r.width, r.height])).join(""),
  );
  return written;
}
