/**
 * Curation of a long-tail test set from candidate images, after "Let It Wag!":
 * one sub-folder per concept → decode and pHash every image (bounded concurrency) → drop unreadable
 * and tiny images → optionally drop images duplicated across classes → greedy near-duplicate removal
 * within each class (near-duplicates.ts) → class balancing with a seed → manifest.
 *
 * The steps, a file each: settings (curate-settings.ts), candidates — listing and hashing
 * (curate-candidates.ts), the plan of what is kept (curate-plan.ts), the output files
 * (curate-outputs.ts), the printed summary (curate-summary.ts).
 *
 * Outputs are written in a temporary folder beside the output folder and renamed into place when
 * complete; an existing output folder is replaced only with `force` and only when it is an earlier
 * curate output (its curate.json says so) or empty (see io/replace-output.ts).
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { UserError } from "../errors.js";
import { freshTempDirBeside, moveIntoPlace, removeTempDir } from "../io/file-system.js";
import { checkReplaceable } from "../io/replace-output.js";
import { hashCandidates, listCandidateImages, type CandidateImage } from "./curate-candidates.js";
import { CURATE_OUTPUT, manifestRows, OUTPUT_FILES, writeOutputs, type ManifestRow } from "./curate-outputs.js";
import { planCuration, type CurationPlan } from "./curate-plan.js";
import { resolveSettings, type CurateOptions } from "./curate-settings.js";
import type { HashBits } from "./phash.js";

export { IMAGE_EXTENSIONS, listCandidateImages, hashCandidates, type CandidateImage, type HashedCandidate } from "./curate-candidates.js";
export { mapWithConcurrency } from "./map-with-concurrency.js";
export { planCuration, type CurationPlan, type ClassSummary, type Exclusion, type ExclusionReason } from "./curate-plan.js";
export { CURATE_FORMAT, CURATE_OUTPUT, type ManifestRow } from "./curate-outputs.js";
export { formatCurationSummary } from "./curate-summary.js";
export type { CurateOptions, FilePlacement } from "./curate-settings.js";

export interface CurateResult extends CurationPlan {
  manifest: ManifestRow[];
  hashBits: HashBits;
  /** Files written in the output folder (names relative to it), in write order. */
  written: string[];
}

function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}

function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === "" || (r !== ".." && !r.startsWith(".." + sep) && !isAbsolute(r));
}

/** Curates a long-tail test set (see the module comment). */
export async function curateLongTail(options: CurateOptions): Promise<CurateResult> {
  const s = resolveSettings(options);
  const imagesRoot = resolve(options.images);
  const out = resolve(options.out);
  const { candidates, classes, ignored } = listCandidateImages(options.images);
  if (isInside(out, imagesRoot)) {
    throw new UserError(`the output folder ${options.out} must not be the images folder or inside it.`);
  }
  checkReplaceable(out, CURATE_OUTPUT, { force: options.force, inputs: [options.images], shown: options.out });
  if (s.files !== "none") {
    const clash = classes.find((c) => OUTPUT_FILES.includes(c));
    if (clash) throw new UserError(`class folder "${clash}" has the name of an output file; rename it to use --${s.files}.`);
  }
  const hashed = await hashCandidates(candidates, s.hashBits, s.concurrency, options.onProgress);
  const displayPath = (c: CandidateImage): string => toPosix(relative(out, c.source));
  const plan = planCuration(hashed, classes, ignored, s, displayPath);

  const manifest = manifestRows(plan, s.files, displayPath);

  const tmp = freshTempDirBeside(out, options.onReclaim);
  try {
    const written = writeOutputs(tmp, s, plan, manifest, hashed.length, displayPath);
    moveIntoPlace(tmp, out);
    return { ...plan, manifest, hashBits: s.hashBits, written };
  } catch (e) {
    removeTempDir(tmp);
    throw e;
  }
}
