/**
 * The candidates of a curation: the image files under one sub-folder per class, listed in a
 * deterministic order, then decoded and pHashed with bounded concurrency.
 */
import { readdirSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { compareCodePoints } from "../code-point-order.js";
import { mapWithConcurrency } from "./map-with-concurrency.js";
import { computePHash, type HashBits, type ImageHash } from "./phash.js";

/** File extensions taken as candidate images (case-insensitive). Other files are counted as ignored. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([".jpg", ".jpeg", ".png", ".webp"]);

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
