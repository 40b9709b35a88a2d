/**
 * The pure part of curation: from hashed candidates to what is kept and why the rest is not —
 * unreadable and tiny images, duplicates across classes (optional), near-duplicates within a class
 * (near-duplicates.ts), classes too small, and class balancing with a seed.
 */
import { UserError } from "../errors.js";
import { compareCodePoints } from "../code-point-order.js";
import { dedupeGreedy, findCrossClassDuplicates, type ClassedItem } from "./near-duplicates.js";
import type { ImageHash } from "./phash.js";
import { sampleWithoutReplacement, seededRandom } from "./seeded-random.js";
import type { CandidateImage, HashedCandidate } from "./curate-candidates.js";
import type { ResolvedSettings } from "./curate-settings.js";

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

export interface CurationPlan {
  kept: HashedCandidate[];
  excluded: Exclusion[];
  classes: ClassSummary[];
  /** The cap applied to every class, or null without balancing. */
  perClass: number | null;
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
