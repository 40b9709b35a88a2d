/**
 * Synonym expansion (issue 17 part 1) on the real CC-3M validation captions: how much the counts of
 * ImageNet and CIFAR-100 class names change when each is counted as itself OR the lemma names of its
 * WordNet 3.1 noun synsets (--senses first and all; the paper's matching rule). Also the WordNet
 * reader's costs: opening index.noun (read + line starts, binary search) against building a Map of
 * every lemma, and expanding 1,000 names.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countConcepts, defaultWordNetDir, expandWithWordNet, expansionQuery, readConceptList, TextIndex, WordNet, type SenseChoice } from "../src/index.js";

/** The captions beside the checkout (../shared), or, from a worktree, the shared copy. */
const CC3M = [new URL("../../shared/data/cc3m-val/captions.tsv", import.meta.url).pathname, "/work/shared/data/cc3m-val/captions.tsv"].find((p) => existsSync(p)) ?? "../shared/data/cc3m-val/captions.tsv";
const CLI = new URL("../dist/cli/main.js", import.meta.url).pathname;

function ms(t0: number): string {
  return (performance.now() - t0).toFixed(1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function readerCosts(): void {
  const dir = defaultWordNetDir();
  let t0 = performance.now();
  const wn = WordNet.open(dir);
  wn.nounSenses("couch"); // loads the index: read + line starts
  const open = ms(t0);
  t0 = performance.now();
  for (let i = 0; i < 1000; i++) wn.nounSenses(i % 2 ? "sea_lion" : "zymase");
  const lookups = ms(t0);
  wn.close();
  t0 = performance.now();
  const map = new Map<string, string>();
  for (const line of readFileSync(join(dir, "index.noun"), "latin1").split("\n")) {
    if (line === "" || line.startsWith("  ")) continue;
    map.set(line.slice(0, line.indexOf(" ")), line);
  }
  console.log(`WordNet index.noun: read + line starts + first binary search ${open} ms; 1,000 more lookups ${lookups} ms; a Map of all ${map.size} lemmas instead: ${ms(t0)} ms`);
}

function compare(index: TextIndex, listName: string, senses: SenseChoice): void {
  const list = readConceptList(`builtin:${listName}`).concepts;
  const t0 = performance.now();
  const expansion = expandWithWordNet(list, { senses });
  const expandMs = ms(t0);
  const base = countConcepts(index, list);
  const withSyn = countConcepts(index, list, { queries: expansion.concepts.map(expansionQuery) });
  const rows = list.map((concept, i) => ({
    concept,
    base: base[i]!.count,
    syn: withSyn[i]!.count,
    alternates: expansion.concepts[i]!.alternates,
  }));
  const expanded = rows.filter((r) => r.alternates.length > 1).length;
  const inWordNet = expansion.concepts.filter((c) => c.synsets.length > 0).length;
  const counted = rows.filter((r) => r.base > 0);
  const ratios = counted.map((r) => r.syn / r.base);
  const changed = rows.filter((r) => r.syn !== r.base).length;
  const fromZero = rows.filter((r) => r.base === 0 && r.syn > 0).length;
  const total = (k: "base" | "syn") => rows.reduce((s, r) => s + r[k], 0);
  console.log(
    `\n${listName} (${list.length} names), --senses ${senses}: ${inWordNet} found in WordNet, ${expanded} gain alternates (expansion ${expandMs} ms); ` +
      `${changed} counts change, ${fromZero} go from 0 to > 0; total ${total("base")} -> ${total("syn")} matches`,
  );
  console.log(
    `  ratio with/without synonyms over the ${counted.length} names with a count: median ${median(ratios).toFixed(3)}, ` +
      `mean ${(ratios.reduce((a, b) => a + b, 0) / ratios.length).toFixed(3)}, max ${Math.max(...ratios).toFixed(2)}; ` +
      `median over the ${ratios.filter((x) => x !== 1).length} that change: ${median(ratios.filter((x) => x !== 1)).toFixed(2)}`,
  );
  const largest = [...rows].sort((a, b) => b.syn - b.base - (a.syn - a.base) || a.concept.localeCompare(b.concept)).slice(0, 10);
  console.log("  10 largest changes (count without -> with; ratio; alternates):");
  for (const r of largest) {
    const ratio = r.base > 0 ? `x${(r.syn / r.base).toFixed(2)}` : "from 0";
    console.log(`    ${r.concept}: ${r.base} -> ${r.syn} (${ratio}) ${r.alternates.slice(1, 6).join(" | ")}${r.alternates.length > 6 ? " | ..." : ""}`);
  }
}

export async function main(): Promise<void> {
  console.log("## synonyms: WordNet expansion of class names (issue 17)");
  readerCosts();
  if (!existsSync(CC3M)) {
    console.log(`(skipped the count comparison: ${CC3M} is not present)`);
    return;
  }
  if (!existsSync(CLI)) throw new Error("run `npm run build` first (the bench builds its index with dist/cli/main.js)");
  const dir = mkdtempSync(join(tmpdir(), "cf-bench-synonyms-"));
  try {
    const idx = join(dir, "cc3m.idx");
    const b = spawnSync(process.execPath, [CLI, "index", "build", CC3M, "--out", idx], { encoding: "utf8" });
    if (b.status !== 0) throw new Error(b.stderr);
    const index = TextIndex.open(idx);
    try {
      console.log(`CC-3M validation captions: ${index.docCount} docs; paper matching rule`);
      for (const list of ["imagenet", "cifar100"]) for (const senses of ["first", "all"] as const) compare(index, list, senses);
    } finally {
      index.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
