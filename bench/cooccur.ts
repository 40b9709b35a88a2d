/**
 * Co-occurrence (issue 17 part 5): every pair of the 100 CIFAR-100 class names on the real CC-3M
 * validation captions (4,950 pairs), through the library as `conceptfreq cooccur --concepts
 * builtin:cifar100` runs it; the same for the 1,000 most frequent noun lemmas (499,500 pairs).
 * COOCCUR_INDEX=DIR runs the same on an index already built (e.g. the scale bench's 20M-caption corpus,
 * kept with SCALE_KEEP=1) instead of building one from the CC-3M captions.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { buildTextIndex, BUILTIN_CONCEPT_LISTS, conceptCooccurrence, conceptPairs, cooccurrenceInParallel, TextIndex } from "../src/index.js";

/** The captions beside the main checkout (CC3M_CAPTIONS overrides, e.g. when run from a worktree). */
const CC3M = process.env.CC3M_CAPTIONS ?? new URL("../../shared/data/cc3m-val/captions.tsv", import.meta.url).pathname;

export async function main(): Promise<void> {
  console.log("## concept co-occurrence (issue 17)");
  const given = process.env.COOCCUR_INDEX;
  if (given) {
    const index = TextIndex.open(given);
    try {
      await report(index, given);
    } finally {
      index.close();
    }
    return;
  }
  if (!existsSync(CC3M)) {
    console.log(`skipped: ${CC3M} not found`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "cf-bench-cooccur-"));
  try {
    const dir = join(work, "cc3m.idx");
    // COOCCUR_REPEAT=N indexes the captions N times over (e.g. 128: 2.03M captions) to see how pair counting scales
    const repeat = Math.max(1, Number(process.env.COOCCUR_REPEAT ?? 1) || 1);
    let input = CC3M;
    if (repeat > 1) {
      input = join(work, "repeated.tsv");
      const text = readFileSync(CC3M);
      for (let i = 0; i < repeat; i++) appendFileSync(input, text);
    }
    await buildTextIndex([input], { out: dir, workers: 2 });
    const index = TextIndex.open(dir);
    try {
      await report(index, dir);
    } finally {
      index.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Every pair of CIFAR-100's names and of the index's 1,000 most frequent noun lemmas: time in this
 * thread, pairs that co-occur, top PMI; then the same pairs on every core (the `cooccur` command's way).
 */
async function report(index: TextIndex, dir: string): Promise<void> {
  const lemmas = index.nouns
    .terms()
    .map((t) => ({ t, n: index.nouns.cardinality(t) }))
    .sort((a, b) => b.n - a.n || (a.t < b.t ? -1 : 1))
    .slice(0, 1000)
    .map((x) => x.t);
  for (const [name, concepts] of [
    ["CIFAR-100 class names", [...BUILTIN_CONCEPT_LISTS.cifar100!]],
    ["top noun lemmas", lemmas],
  ] as const) {
    const pairs = conceptPairs(concepts);
    const t0 = performance.now();
    const out = conceptCooccurrence(index, pairs);
    const seconds = (performance.now() - t0) / 1000;
    const together = out.filter((p) => p.both > 0).length;
    const top = conceptCooccurrence(index, pairs, { top: 3, minCount: 5 });
    console.log(
      `${name} (${concepts.length}): all ${pairs.length} pairs in ${seconds.toFixed(2)} s (${Math.round(pairs.length / seconds)} pairs/s) ` +
        `over ${index.docCount} captions; ${together} pairs co-occur; top PMI (both >= 5): ` +
        top.map((p) => `${p.a}+${p.b} ${p.pmi!.toFixed(2)} (${p.both})`).join(", "),
    );
    const workers = availableParallelism();
    const t1 = performance.now();
    const parallel = await cooccurrenceInParallel(dir, pairs, { workers });
    const parallelSeconds = (performance.now() - t1) / 1000;
    if (parallel.some((p, i) => p.both !== out[i]!.both)) throw new Error("cooccurrenceInParallel disagrees with conceptCooccurrence");
    console.log(`  the same on ${workers} worker threads (cooccurrenceInParallel, each opening the index): ${parallelSeconds.toFixed(2)} s`);
  }
}
