/**
 * Sampled indexes (issue 17 part 3) on the real CC-3M validation captions: do counts estimated from
 * 10% samples cover the full index's counts at about the nominal 95%?
 *
 * Builds the full index once and a 10% sample with each of SEEDS seeds (`index build --sample 0.1
 * --seed s`, in process), counts the builtin CIFAR-10 + CIFAR-100 class names and the 1,000 most
 * frequent noun lemmas in each, and prints the share of (concept, seed) pairs whose 95% interval holds
 * the full count (all concepts, and those with a full count of at least 20), the median interval width
 * relative to the full count, and build times.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTextIndex, BUILTIN_CONCEPT_LISTS, countConcepts, estimateConceptCounts, TextIndex } from "../src/index.js";

/** The captions beside the main checkout (CC3M_CAPTIONS overrides, e.g. when run from a worktree). */
const CC3M = process.env.CC3M_CAPTIONS ?? new URL("../../shared/data/cc3m-val/captions.tsv", import.meta.url).pathname;
const RATE = 0.1;
const SEEDS = 20;
const TOP_LEMMAS = 1000;

function countsOf(dir: string, concepts: string[]): number[] {
  const index = TextIndex.open(dir);
  try {
    return countConcepts(index, concepts).map((c) => c.count);
  } finally {
    index.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export async function main(): Promise<void> {
  console.log("## sampled indexes: coverage of 95% intervals from 10% samples (issue 17)");
  if (!existsSync(CC3M)) {
    console.log(`skipped: ${CC3M} not found`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "cf-bench-sample-"));
  try {
    const full = join(work, "full.idx");
    let t0 = performance.now();
    await buildTextIndex([CC3M], { out: full, workers: 2 });
    const fullSeconds = (performance.now() - t0) / 1000;
    const index = TextIndex.open(full);
    const lemmas = index.nouns
      .terms()
      .map((t) => ({ t, n: index.nouns.cardinality(t) }))
      .sort((a, b) => b.n - a.n || (a.t < b.t ? -1 : 1))
      .slice(0, TOP_LEMMAS)
      .map((x) => x.t);
    const docs = index.docCount;
    index.close();
    const builtin = [...new Set([...BUILTIN_CONCEPT_LISTS.cifar10!, ...BUILTIN_CONCEPT_LISTS.cifar100!])];
    const sets: [string, string[]][] = [
      [`CIFAR-10 + CIFAR-100 names (${builtin.length})`, builtin],
      [`top ${lemmas.length} noun lemmas`, lemmas],
    ];
    const truth = sets.map(([, c]) => countsOf(full, c));
    const tally = sets.map(() => ({ pairs: 0, covered: 0, pairs20: 0, covered20: 0, widths: [] as number[], below: 0, above: 0 }));
    let sampleSeconds = 0;
    let sampledDocs = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const dir = join(work, `s${seed}.idx`);
      t0 = performance.now();
      const m = await buildTextIndex([CC3M], { out: dir, workers: 2, sample: { rate: RATE, seed } });
      sampleSeconds += (performance.now() - t0) / 1000;
      sampledDocs += m.docCount;
      sets.forEach(([, concepts], s) => {
        const est = estimateConceptCounts(countsOf(dir, concepts).map((count, i) => ({ concept: concepts[i]!, count })), RATE);
        const t = tally[s]!;
        est.forEach((e, i) => {
          const want = truth[s]![i]!;
          const ok = e.low <= want && want <= e.high;
          t.pairs++;
          if (ok) t.covered++;
          else if (want < e.low) t.below++;
          else t.above++;
          if (want >= 20) {
            t.pairs20++;
            if (ok) t.covered20++;
            t.widths.push((e.high - e.low) / want);
          }
        });
      });
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      `corpus: ${docs} real CC-3M validation captions; ${SEEDS} samples at rate ${RATE} (seeds 0-${SEEDS - 1}), ` +
        `mean ${Math.round(sampledDocs / SEEDS)} docs each`,
    );
    console.log(`build: full index ${fullSeconds.toFixed(2)} s; a 10% sample ${(sampleSeconds / SEEDS).toFixed(2)} s (mean)`);
    sets.forEach(([name], s) => {
      const t = tally[s]!;
      const pct = (a: number, b: number) => (b === 0 ? "n/a" : `${((100 * a) / b).toFixed(1)}%`);
      console.log(
        `${name}: 95% intervals hold the full count in ${pct(t.covered, t.pairs)} of ${t.pairs} (concept, seed) pairs ` +
          `(full count >= 20: ${pct(t.covered20, t.pairs20)} of ${t.pairs20}; misses: ${t.below} above the full count, ${t.above} below it); ` +
          `median width (high - low) / full count, full count >= 20: ${median(t.widths).toFixed(2)}`,
      );
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
