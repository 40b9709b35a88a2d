/**
 * The settings of a curation: the options a caller gives (`CurateOptions`) and their checked,
 * defaulted form (`ResolvedSettings`). A bad value is a UserError naming the flag.
 */
import { UserError } from "../errors.js";
import { parseHashBits, type HashBits } from "./phash.js";

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

export interface ResolvedSettings {
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

export function resolveSettings(o: CurateOptions): ResolvedSettings {
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
