/**
 * Turning the order-sensitive command line of `conceptfreq fit` (--series, --freq, --perf) into series
 * of (frequency, performance) pairs:
 *   - `--series NAME` starts a new series; the flags after it belong to it. Flags before the first
 *     --series form an unnamed series.
 *   - within a series the k-th --freq pairs with the k-th --perf; a single --freq pairs with every --perf.
 */
import { basename, extname } from "node:path";
import { parsePointer, parseValueMapSpec } from "./value-map.js";
import { UserError } from "../errors.js";

export interface SeriesArg {
  kind: "freq" | "perf" | "series";
  value: string;
}

export interface SeriesPlan {
  name: string;
  pairs: { freq: string; perf: string }[];
}

/**
 * A name for a series given without --series: the last key of the performance spec's JSON pointer that
 * names something (a model, not `classwise`/`conceptwise`/`full`), with the key before it when it is a
 * number (a recall level), else the file's name without its extension; "pooled (N pairs)" for several
 * pairs.
 */
function defaultName(pairs: SeriesPlan["pairs"]): string {
  if (pairs.length === 1) {
    const { path, pointer } = parseValueMapSpec(pairs[0]!.perf);
    const keys = pointer ? parsePointer(pointer).filter((k) => !GENERIC_KEYS.has(k)) : [];
    if (keys.length === 0) return basename(path, extname(path));
    const last = keys[keys.length - 1]!;
    // a bare number is a level, not a name: eval retrieve's `#/i2t/5/conceptwise` is "i2t/5", not "5"
    return /^\d+$/.test(last) && keys.length > 1 ? `${keys[keys.length - 2]}/${last}` : last;
  }
  return `pooled (${pairs.length} pairs)`;
}

/** Keys of the paper's result files that say what a value is, not whose it is. */
const GENERIC_KEYS = new Set(["classwise", "conceptwise", "full", "mean", "max"]);

export function planSeries(args: readonly SeriesArg[]): SeriesPlan[] {
  const segments: { name: string | undefined; freq: string[]; perf: string[] }[] = [{ name: undefined, freq: [], perf: [] }];
  for (const a of args) {
    if (a.kind === "series") {
      if (a.value.trim() === "") throw new UserError("--series needs a non-empty name.");
      segments.push({ name: a.value, freq: [], perf: [] });
    } else segments[segments.length - 1]![a.kind].push(a.value);
  }
  const plans: SeriesPlan[] = [];
  for (const seg of segments) {
    const where = seg.name === undefined ? "the unnamed series (flags before the first --series)" : `series "${seg.name}"`;
    if (seg.freq.length === 0 && seg.perf.length === 0) {
      if (seg.name !== undefined) throw new UserError(`Series "${seg.name}" has no --freq/--perf pair after it.`);
      continue;
    }
    if (seg.freq.length === 0) throw new UserError(`In ${where}, --perf is given without a --freq to pair it with.`);
    if (seg.perf.length === 0) throw new UserError(`In ${where}, --freq is given without a --perf to pair it with.`);
    let pairs: SeriesPlan["pairs"];
    if (seg.freq.length === seg.perf.length) pairs = seg.freq.map((freq, k) => ({ freq, perf: seg.perf[k]! }));
    else if (seg.freq.length === 1) pairs = seg.perf.map((perf) => ({ freq: seg.freq[0]!, perf }));
    else {
      throw new UserError(
        `In ${where}, there are ${seg.freq.length} --freq and ${seg.perf.length} --perf; ` +
          "give one --freq per --perf (the k-th pairs with the k-th) or a single --freq for all.",
      );
    }
    plans.push({ name: seg.name ?? defaultName(pairs), pairs });
  }
  if (plans.length === 0) throw new UserError("Nothing to fit: give at least one --freq FILE --perf FILE pair.");
  return plans;
}
