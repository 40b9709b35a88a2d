/**
 * Phrase counts from positions (issue 15): the CC-3M validation captions repeated 32 times
 * (~507k captions), built by the CLI (whole process, 2 workers); bytes per caption of each index
 * file; 3,000+ concepts (the 2,500 most frequent word pairs of the captions and the ImageNet class
 * names) counted with --match phrase from the index's positions and by re-analysing the candidate
 * captions (the pre-format-3 way), which must give identical counts, and with --match paper.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TextIndex, countConcepts, readConceptList } from "../src/index.js";

const CC3M = process.env.CONCEPTFREQ_CC3M ?? new URL("../../shared/data/cc3m-val/captions.tsv", import.meta.url).pathname;
const REPEAT = 32;

function seconds<T>(f: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

export async function main(): Promise<void> {
  console.log("## phrase counts from positions (issue 15)");
  if (!existsSync(CC3M)) {
    console.log(`skipped: ${CC3M} not present (set CONCEPTFREQ_CC3M).`);
    return;
  }
  const lines = readFileSync(CC3M, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")[0]!);
  const dir = mkdtempSync(join(tmpdir(), "cf-bench-phrase-"));
  try {
    const tsv = join(dir, "x.tsv");
    const rows: string[] = [];
    for (let r = 0; r < REPEAT; r++) lines.forEach((l, i) => rows.push(`${l}\thttp://x.invalid/${r}/${i}`));
    writeFileSync(tsv, rows.join("\n") + "\n");
    const cli = new URL("../dist/cli/main.js", import.meta.url).pathname;
    const idx = join(dir, "idx");
    const builds: number[] = [];
    for (let r = 0; r < 3; r++) {
      rmSync(idx, { recursive: true, force: true });
      const [res, s] = seconds(() => spawnSync(process.execPath, [cli, "index", "build", tsv, "--out", idx, "--workers", "2"], { encoding: "utf8" }));
      if (res.status !== 0) throw new Error(res.stderr);
      builds.push(s);
    }
    builds.sort((a, b) => a - b);
    console.log(`build of ${rows.length} captions (whole process, 2 workers): median of 3 ${builds[1]!.toFixed(2)} s (${builds.map((s) => s.toFixed(2)).join(", ")})`);
    for (const f of readdirSync(idx).sort()) console.log(`  ${f}: ${(statSync(join(idx, f)).size / rows.length).toFixed(2)} bytes/caption`);

    const pairs = new Map<string, number>();
    for (const l of lines) {
      const w = l.split(" ");
      for (let k = 0; k + 1 < w.length; k++) if (/^[a-z0-9]+$/.test(w[k]!) && /^[a-z0-9]+$/.test(w[k + 1]!)) pairs.set(`${w[k]} ${w[k + 1]}`, (pairs.get(`${w[k]} ${w[k + 1]}`) ?? 0) + 1);
    }
    const top = [...pairs].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 2500).map((e) => e[0]);
    const concepts = [...new Set([...top, ...readConceptList("builtin:imagenet").concepts])];
    const index = TextIndex.open(idx);
    try {
      const [fromPositions, tp] = seconds(() => countConcepts(index, concepts, { match: "phrase" }));
      const [fromCaptions, tc] = seconds(() => countConcepts(index, concepts, { match: "phrase", phraseFrom: "captions" }));
      const [, tpaper] = seconds(() => countConcepts(index, concepts, { match: "paper" }));
      const same = fromPositions.every((c, i) => c.count === fromCaptions[i]!.count);
      console.log(
        `${concepts.length} concepts, --match phrase: from positions ${tp.toFixed(2)} s, re-analysing candidates ${tc.toFixed(2)} s (${(tc / tp).toFixed(1)}x); ` +
          `identical counts: ${same ? "yes" : "NO"}; --match paper ${tpaper.toFixed(2)} s`,
      );
    } finally {
      index.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
