/**
 * Curation of a long-tail test set from candidate images, after "Let It Wag!":
 * one sub-folder per concept → decode and pHash every image (bounded concurrency) → drop unreadable
 * and tiny images → optionally drop images duplicated across classes → greedy near-duplicate removal
 * within each class (near-duplicates.ts) → class balancing with a seed → manifest.
 *
 * Outputs in the output folder, written in a temporary folder beside it (manifest.csv last) that is
 * renamed into place when complete; an existing output folder is replaced only with `force` and only
 * when it is an earlier curate output (its curate.json says so) or empty (see io/replace-output.ts):
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
 */
import { copyFileSync, linkSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { parseCsv } from "../corpus/csv.js";
import { csvLine, csvTable } from "../io/csv-write.js";
import { compareCodePoints } from "../code-point-order.js";
import { dedupeGreedy, findCrossClassDuplicates, type ClassedItem } from "./near-duplicates.js";
import { computePHash, parseHashBits, type HashBits, type ImageHash } from "./phash.js";
import { sampleWithoutReplacement, seededRandom } from "./seeded-random.js";
import { freshTempDirBeside, makeDirs, moveIntoPlace, removeTempDir } from "../io/file-system.js";
import { checkReplaceable, type OutputKind } from "../io/replace-output.js";

export const CURATE_FORMAT = { name: "conceptfreq-longtail-curate", version: 1 } as const;

/** What `--force` may replace: an earlier curate output (see io/replace-output.ts). */
export const CURATE_OUTPUT: OutputKind = { name: "curate output", markers: [{ file: "curate.json", formats: [CURATE_FORMAT.name] }] };

/** File extensions taken as candidate images (case-insensitive). Other files are counted as ignored. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([".jpg", ".jpeg", ".png", ".webp"]);

export type FilePlacement = "none" | "copy" | "link";

export interface CurateOptions {
  /** Folder with one sub-folder per class. */
  images: string;
  /** Output folder (created; must not be the images folder or inside it). */
  out: string;
  /** 64 (default) or 256. */
  hashBits?: number;
  /** Images within this Hamming distance are duplicates (default 10, the paper's setting). */
  maxDistance?: number;
  /** Images whose shorter side is below this are skipped as tiny (default 32). */
  minSide?: number;
  /** Drop images that have a near-duplicate in another class, from both classes (default false). */
  crossClass?: boolean;
  /** Cap on images per class; default: the smallest remaining class size. */
  perClass?: number;
  /** Classes with fewer images after cleaning are dropped (default 1: only empty classes). */
  minPerClass?: number;
  /** Cap classes at all (default true); false keeps every clean image. */
  balance?: boolean;
  /** Seed for class balancing (default 0). */
  seed?: number;
  /** Also place kept files under out/<class>/ (default "none"). */
  files?: FilePlacement;
  /** Images decoded at once (default 3). */
  concurrency?: number;
  /** Called after each image is hashed. */
  onProgress?: (done: number, total: number) => void;
  /** Replace an existing output folder, when it is an earlier curate output or empty. */
  force?: boolean;
  /** Hears of each leftover of a killed run beside the output that was removed. */
  onReclaim?: (dir: string) => void;
}

/** A file found under a class folder. */
export interface CandidateImage {
  className: string;
  /** File name inside the class folder. */
  name: string;
  /** Absolute path. */
  source: string;
}

/** A candidate after decoding: its hash, or why it could not be read. */
export interface HashedCandidate extends CandidateImage {
  hash?: ImageHash;
  error?: string;
}

export type ExclusionReason = "unreadable" | "tiny" | "cross-class-duplicate" | "duplicate" | "sampled-out" | "class-dropped";

export interface Exclusion {
  candidate: HashedCandidate;
  reason: ExclusionReason;
  detail: string;
}

export interface ClassSummary {
  className: string;
  found: number;
  ignored: number;
  unreadable: number;
  tiny: number;
  crossClass: number;
  duplicates: number;
  sampledOut: number;
  kept: number;
  /** Why the class was dropped, or undefined when kept. */
  droppedBecause?: string;
}

export interface ManifestRow {
  /** Relative to the output folder, "/" separators. */
  path: string;
  className: string;
  hash: string;
  width: number;
  height: number;
  source: string;
}

export interface CurationPlan {
  kept: HashedCandidate[];
  excluded: Exclusion[];
  classes: ClassSummary[];
  /** The cap applied to every class, or null without balancing. */
  perClass: number | null;
}

export interface CurateResult extends CurationPlan {
  manifest: ManifestRow[];
  hashBits: HashBits;
  /** Files written in the output folder (names relative to it), in write order. */
  written: string[];
}

interface ResolvedSettings {
  hashBits: HashBits;
  maxDistance: number;
  minSide: number;
  crossClass: boolean;
  perClass: number | undefined;
  minPerClass: number;
  balance: boolean;
  seed: number;
  files: FilePlacement;
  concurrency: number;
}

function intSetting(name: string, v: number | undefined, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = v ?? def;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(`${name} must be an integer between ${min} and ${max === Number.MAX_SAFE_INTEGER ? "any size" : max}, not ${n}.`);
  }
  return n;
}

function resolveSettings(o: CurateOptions): ResolvedSettings {
  const hashBits = parseHashBits(o.hashBits ?? 64);
  const balance = o.balance ?? true;
  if (!balance && o.perClass !== undefined) throw new UserError("--per-class cannot be combined with --no-balance.");
  const files = o.files ?? "none";
  if (!["none", "copy", "link"].includes(files)) throw new UserError(`unknown file placement "${files}".`);
  return {
    hashBits,
    maxDistance: intSetting("--max-distance", o.maxDistance, 10, 0, hashBits),
    minSide: intSetting("--min-side", o.minSide, 32, 1),
    crossClass: o.crossClass ?? false,
    perClass: o.perClass === undefined ? undefined : intSetting("--per-class", o.perClass, 0, 1),
    minPerClass: intSetting("--min-per-class", o.minPerClass, 1, 1),
    balance,
    seed: intSetting("--seed", o.seed, 0, Number.MIN_SAFE_INTEGER),
    files,
    concurrency: intSetting("--concurrency", o.concurrency, 3, 1, 64),
  };
}

function isHidden(name: string): boolean {
  return name.startsWith(".");
}

/**
 * The candidate images under `dir`: for each sub-folder (a class, in code-point order), its files
 * with an image extension, in code-point order. Hidden entries are skipped; files directly in `dir`
 * and deeper folders are not looked at. `ignored` counts other files per class.
 */
export function listCandidateImages(dir: string): { candidates: CandidateImage[]; classes: string[]; ignored: Map<string, number> } {
  const root = resolve(dir);
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new UserError(`images folder ${dir} does not exist.`);
  }
  if (!st.isDirectory()) throw new UserError(`${dir} is not a folder (expected one sub-folder per class).`);
  const isDir = (p: string): boolean => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false; // a dangling link
    }
  };
  const entries = (d: string): string[] => {
    try {
      return readdirSync(d);
    } catch (e) {
      throw new UserError(`cannot read the folder ${d} (${(e as NodeJS.ErrnoException).code ?? "error"}).`);
    }
  };
  const classes = entries(root)
    .filter((n) => !isHidden(n) && isDir(join(root, n)))
    .sort(compareCodePoints);
  if (classes.length === 0) throw new UserError(`${dir} has no class sub-folders (expected one sub-folder per class).`);
  const candidates: CandidateImage[] = [];
  const ignored = new Map<string, number>();
  for (const className of classes) {
    const cdir = join(root, className);
    let skipped = 0;
    for (const name of entries(cdir).sort(compareCodePoints)) {
      if (isHidden(name)) continue;
      const source = join(cdir, name);
      let fst;
      try {
        fst = statSync(source);
      } catch {
        skipped++; // dangling link
        continue;
      }
      if (!fst.isFile()) continue;
      if (!IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) {
        skipped++;
        continue;
      }
      candidates.push({ className, name, source });
    }
    ignored.set(className, skipped);
  }
  return { candidates, classes, ignored };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The decoder's own summary of a failure: the first line, without the libvips detail after the first
 * colon. libvips appends that detail from a per-thread error buffer, sometimes on the same line and
 * sometimes not, so keeping it made excluded.csv differ between identical runs.
 */
function decodeFailure(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (msg.split("\n")[0] ?? "").split(":")[0]!.trim() || "cannot decode";
}

/** Decodes and hashes candidates with bounded concurrency; failures become `error`, never throw. */
export async function hashCandidates(
  candidates: readonly CandidateImage[],
  bits: HashBits,
  concurrency = 3,
  onProgress?: (done: number, total: number) => void,
): Promise<HashedCandidate[]> {
  let done = 0;
  return mapWithConcurrency(candidates, concurrency, async (c) => {
    let r: HashedCandidate;
    try {
      r = { ...c, hash: await computePHash(c.source, bits) };
    } catch (e) {
      r = { ...c, error: decodeFailure(e) };
    }
    onProgress?.(++done, candidates.length);
    return r;
  });
}

/**
 * The pure part of curation: given hashed candidates (in listing order), decide what is kept.
 * `classes` lists every class folder (also empty ones), `ignored` the non-image files per class.
 * `displayPath` names a candidate in exclusion details.
 */
export function planCuration(
  hashed: readonly HashedCandidate[],
  classes: readonly string[],
  ignored: ReadonlyMap<string, number>,
  settings: Pick<ResolvedSettings, "maxDistance" | "minSide" | "crossClass" | "perClass" | "minPerClass" | "balance" | "seed">,
  displayPath: (c: CandidateImage) => string = (c) => `${c.className}/${c.name}`,
): CurationPlan {
  const summary = new Map<string, ClassSummary>();
  for (const className of classes) {
    summary.set(className, {
      className,
      found: 0,
      ignored: ignored.get(className) ?? 0,
      unreadable: 0,
      tiny: 0,
      crossClass: 0,
      duplicates: 0,
      sampledOut: 0,
      kept: 0,
    });
  }
  const sum = (c: CandidateImage): ClassSummary => summary.get(c.className)!;
  const excluded: Exclusion[] = [];
  let usable: (HashedCandidate & { hash: ImageHash })[] = [];
  for (const c of hashed) {
    sum(c).found++;
    if (!c.hash) {
      sum(c).unreadable++;
      excluded.push({ candidate: c, reason: "unreadable", detail: c.error ?? "cannot decode" });
    } else if (Math.min(c.hash.width, c.hash.height) < settings.minSide) {
      sum(c).tiny++;
      excluded.push({ candidate: c, reason: "tiny", detail: `${c.hash.width}x${c.hash.height} is below --min-side ${settings.minSide}` });
    } else usable.push(c as HashedCandidate & { hash: ImageHash });
  }

  const asItem = (c: HashedCandidate & { hash: ImageHash }): ClassedItem => ({
    className: c.className,
    name: c.name,
    width: c.hash.width,
    height: c.hash.height,
    words: c.hash.words,
    hex: c.hash.hex,
  });

  if (settings.crossClass) {
    const cross = findCrossClassDuplicates(usable.map(asItem), settings.maxDistance);
    const drop = new Set<number>();
    for (const x of cross) {
      const c = usable[x.item]!;
      const o = usable[x.other]!;
      drop.add(x.item);
      sum(c).crossClass++;
      excluded.push({
        candidate: c,
        reason: "cross-class-duplicate",
        detail: `matches ${displayPath(o)} (class ${o.className}) at distance ${x.distance}`,
      });
    }
    usable = usable.filter((_, i) => !drop.has(i));
  }

  const byClass = new Map<string, (HashedCandidate & { hash: ImageHash })[]>();
  for (const c of classes) byClass.set(c, []);
  for (const c of usable) byClass.get(c.className)!.push(c);
  const clean = new Map<string, (HashedCandidate & { hash: ImageHash })[]>();
  for (const [className, list] of byClass) {
    const { kept, duplicates } = dedupeGreedy(list.map(asItem), settings.maxDistance);
    for (const d of duplicates) {
      const c = list[d.item]!;
      summary.get(className)!.duplicates++;
      excluded.push({ candidate: c, reason: "duplicate", detail: `duplicate of ${displayPath(list[d.of]!)} at distance ${d.distance}` });
    }
    clean.set(className, kept.map((i) => list[i]!)); // name order (listing order)
  }

  const surviving = classes.filter((c) => clean.get(c)!.length >= settings.minPerClass);
  if (surviving.length === 0) {
    const largest = [...classes].sort((a, b) => clean.get(b)!.length - clean.get(a)!.length || compareCodePoints(a, b))[0]!;
    throw new UserError(
      `no class has at least ${settings.minPerClass} usable image(s) after cleaning (largest: ${largest} with ${clean.get(largest)!.length}).`,
    );
  }
  let cap: number | null = null;
  if (settings.balance) cap = settings.perClass ?? Math.min(...surviving.map((c) => clean.get(c)!.length));

  const kept: HashedCandidate[] = [];
  for (const className of classes) {
    const list = clean.get(className)!;
    const s = summary.get(className)!;
    if (list.length < settings.minPerClass) {
      s.droppedBecause = `${list.length} usable image(s), fewer than --min-per-class ${settings.minPerClass}`;
      for (const c of list) excluded.push({ candidate: c, reason: "class-dropped", detail: s.droppedBecause });
      continue;
    }
    let chosen = list;
    if (cap !== null && list.length > cap) {
      chosen = sampleWithoutReplacement(list, cap, seededRandom(settings.seed, className));
      const inChosen = new Set(chosen);
      for (const c of list) {
        if (inChosen.has(c)) continue;
        s.sampledOut++;
        excluded.push({ candidate: c, reason: "sampled-out", detail: `class capped at ${cap} (seed ${settings.seed})` });
      }
    }
    s.kept = chosen.length;
    kept.push(...chosen);
  }

  // Exclusions in listing order (class, then file name).
  const order = new Map<CandidateImage, number>();
  hashed.forEach((c, i) => order.set(c, i));
  excluded.sort((a, b) => order.get(a.candidate)! - order.get(b.candidate)!);
  return { kept, excluded, classes: classes.map((c) => summary.get(c)!), perClass: cap };
}

function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}

function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === "" || (r !== ".." && !r.startsWith(".." + sep) && !isAbsolute(r));
}

const OUTPUT_FILES = ["manifest.csv", "classes.txt", "labels.txt", "summary.csv", "excluded.csv", "curate.json"];

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

  const manifest: ManifestRow[] = plan.kept.map((c) => ({
    path: s.files === "none" ? displayPath(c) : `${c.className}/${c.name}`,
    className: c.className,
    hash: c.hash!.hex,
    width: c.hash!.width,
    height: c.hash!.height,
    source: c.source,
  }));

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

/** Writes the output files (and the placed images) into `dir`; returns the file names written. */
function writeOutputs(
  dir: string,
  s: ReturnType<typeof resolveSettings>,
  plan: ReturnType<typeof planCuration>,
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

/** An aligned plain-text table of the per-class summary, with a total row. */
export function formatCurationSummary(classes: readonly ClassSummary[]): string {
  const header = ["class", "found", "unreadable", "tiny", "cross_class", "duplicates", "sampled_out", "kept", "status"];
  const num = (c: ClassSummary): number[] => [c.found, c.unreadable, c.tiny, c.crossClass, c.duplicates, c.sampledOut, c.kept];
  const rows = classes.map((c) => [c.className, ...num(c).map(String), c.droppedBecause ? `dropped (${c.droppedBecause})` : ""]);
  const totals = classes.reduce((acc, c) => num(c).map((v, i) => acc[i]! + v), [0, 0, 0, 0, 0, 0, 0]);
  rows.push(["total", ...totals.map(String), ""]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd() + "\n";
  return line(header) + rows.map(line).join("");
}
