/**
 * The scale bench (issue 15, part 5): a web-like corpus of N captions (env SCALE_CAPTIONS, default
 * 1,000,000; the issue's figures are at 20,000,000), each two real CC-3M captions joined (env
 * CC3M_CAPTIONS, default ../shared/data/cc3m-val/captions.tsv beside the checkout; generated text when it is missing)
 * plus 1-3 made-up words drawn from a Zipf vocabulary of 825,000 ranks (env SCALE_VOCAB; seeded PRNG;
 * the words seen keep growing with the corpus, as a web corpus's do: ~330k distinct at 1M captions,
 * ~820k at 20M, so the 20M corpus has the issue's ~826k distinct nouns), written as a TSV in a temp dir. Then, on the same captions:
 *
 * - conceptfreq: buildTextIndex (public API, workers = all cores) in a child process, so its peak
 *   RSS is the build's alone; build captions/s, peak RSS, bytes per caption of each index file;
 *   3,000+ concepts (builtin imagenet + cifar100 + cifar10 and frequent multi-word phrases of the
 *   captions, at least a third of several words) counted with --match paper and --match phrase.
 * - SQLite FTS5 (porter tokenizer, on-disk DB in the temp dir): build time, DB size, the same
 *   concepts as an AND of their words and as phrase queries; the ratios ours/FTS5.
 *
 * The temp dir is removed at the end (env SCALE_KEEP=1 keeps it, with the TSV and the index, and prints its path: for profiling,
 * or for `COOCCUR_INDEX=DIR/idx npm run bench -- cooccur`; SCALE_FTS=0 skips the FTS5 half).
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { TextIndex, countConcepts, countConceptsInParallel, mulberry32, readConceptList } from "../src/index.js";

const require = createRequire(import.meta.url);
const N = Number(process.env.SCALE_CAPTIONS ?? 1_000_000);
const CC3M =
  process.env.CC3M_CAPTIONS ??
  [new URL("../../shared/data/cc3m-val/captions.tsv", import.meta.url).pathname, "/work/shared/data/cc3m-val/captions.tsv"].find((p) => existsSync(p)) ??
  "../shared/data/cc3m-val/captions.tsv";
const SEED = 15;
/** Multi-word phrases taken from the captions (on top of the builtin lists). */
const PHRASES = 2_000;

const STOP = new Set(
  "a an the of in on at to for with and or but is are was were be been being by from as into over under up down out off near this that these those its it his her their our your my some any all one two three four five very more most other such no not only own same so than too can will just there here while during before after above below between through about against again further then once each few both what which who whom why how when where".split(" "),
);

function seconds<T>(f: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

const CONS = "bdfgklmnprstvz";
const VOWELS = "aeiou";
/** The made-up word of Zipf rank r: consonant-vowel syllables spelling r, letters only, ending in "x" (no English word collides). */
function madeUpWord(r: number): string {
  let s = "";
  let x = r;
  do {
    const syl = x % (CONS.length * VOWELS.length);
    s += CONS[syl % CONS.length]! + VOWELS[Math.floor(syl / CONS.length)]!;
    x = Math.floor(x / (CONS.length * VOWELS.length));
  } while (x > 0);
  return s + "x";
}

/** Generated stand-in captions when CC-3M is not here (a fixed small English vocabulary). */
function generatedCaptions(rand: () => number, n: number): string[] {
  const adj = "red small old young happy wooden white black big modern".split(" ");
  const noun = "dog cat man woman car house tree boat bird city street beach table chair flower horse".split(" ");
  const verb = "sitting standing walking running lying waiting".split(" ");
  const place = "park beach street garden room river field kitchen".split(" ");
  const pick = (a: string[]) => a[Math.floor(rand() * a.length)]!;
  return Array.from({ length: n }, () => `a ${pick(adj)} ${pick(noun)} ${pick(verb)} in the ${pick(place)} with a ${pick(noun)}`);
}

/** Frequent word n-grams (2 and 3 words, letters only, no stop words) of the base captions. */
function captionPhrases(base: string[], k: number): string[] {
  const grams = new Map<string, number>();
  for (const l of base) {
    const w = l.toLowerCase().split(/\s+/);
    for (let i = 0; i < w.length; i++) {
      for (const len of [2, 3]) {
        const g = w.slice(i, i + len);
        if (g.length < len || g.some((x) => !/^[a-z]{3,}$/.test(x) || STOP.has(x))) continue;
        const key = g.join(" ");
        grams.set(key, (grams.get(key) ?? 0) + 1);
      }
    }
  }
  return [...grams].filter((e) => e[1] >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k).map((e) => e[0]);
}

/** Calls f on each line of a file (chunked reads; never the whole file in memory). */
function forEachLine(path: string, f: (line: string) => void): void {
  const fd = openSync(path, "r");
  const buf = Buffer.alloc(1 << 24);
  let rest = "";
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = rest + buf.toString("utf8", 0, n);
      const lines = text.split("\n");
      rest = lines.pop()!;
      for (const l of lines) f(l);
    }
    if (rest) f(rest);
  } finally {
    closeSync(fd);
  }
}

/** An FTS5 query string: each word (alternates "a|b" as OR) quoted; AND of words, or one phrase. */
function ftsQuery(concept: string, phrase: boolean): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const alts = concept.split("|").map((a) => a.trim().split(/\s+/).filter(Boolean));
  const one = (words: string[]) => (phrase ? q(words.join(" ")) : words.map(q).join(" AND "));
  return alts.length === 1 ? one(alts[0]!) : alts.map((w) => `(${one(w)})`).join(" OR ");
}

const mib = (b: number) => (b / 2 ** 20).toFixed(0);

export async function main(): Promise<void> {
  const workers = cpus().length;
  console.log(`## scale bench (issue 15.5): ${N.toLocaleString("en")} captions, workers = ${workers}, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  const rand = mulberry32(SEED);
  const real = existsSync(CC3M);
  const base = real
    ? readFileSync(CC3M, "utf8").split("\n").filter(Boolean).map((l) => l.split("\t")[0]!.trim()).filter(Boolean)
    : generatedCaptions(rand, 20_000);
  console.log(`base captions: ${base.length} (${real ? CC3M : "generated text; CC-3M not found (set CC3M_CAPTIONS)"})`);

  const dir = mkdtempSync(join(tmpdir(), "cf-bench-scale-"));
  try {
    // The corpus: two base captions joined + 1-3 Zipf (s = 1) made-up words from a vocabulary of
    // SCALE_VOCAB ranks (before 2026-12-03 it was 2N ranks: 7.5M distinct words at 20M, 9x the issue's corpus).
    const tsv = join(dir, "captions.tsv");
    const vocab = Number(process.env.SCALE_VOCAB ?? 825_000);
    const lnV = Math.log(vocab + 1);
    const seen = new Set<number>();
    const [, genS] = seconds(() => {
      const fd = openSync(tsv, "w");
      let chunk: string[] = [];
      for (let i = 0; i < N; i++) {
        const a = base[Math.floor(rand() * base.length)]!;
        const b = base[Math.floor(rand() * base.length)]!;
        const k = 1 + Math.floor(rand() * 3);
        const words: string[] = [];
        for (let j = 0; j < k; j++) {
          const r = Math.floor(Math.exp(rand() * lnV)) - 1; // P(r) ~ 1/(r+1)
          if (seen.size < 50_000_000) seen.add(r);
          words.push(madeUpWord(r));
        }
        chunk.push(`${a} ; ${b} with ${words.join(" ")}\thttp://x.invalid/${i}.jpg`);
        if (chunk.length === 65_536) {
          writeSync(fd, chunk.join("\n") + "\n");
          chunk = [];
        }
      }
      if (chunk.length) writeSync(fd, chunk.join("\n") + "\n");
      closeSync(fd);
    });
    const tsvBytes = statSync(tsv).size;
    console.log(`corpus: ${mib(tsvBytes)} MiB TSV, ${seen.size.toLocaleString("en")} distinct made-up words; generated in ${genS.toFixed(1)} s`);

    // conceptfreq build, in a child process (its peak RSS alone).
    const idx = join(dir, "idx");
    const child = new URL("./_scale-build.ts", import.meta.url).pathname;
    const args = ["--import", "tsx", child, tsv, idx, String(workers)];
    const useTime = existsSync("/usr/bin/time");
    const res = useTime
      ? spawnSync("/usr/bin/time", ["-f", "MAXRSS_KB=%M", process.execPath, ...args], { encoding: "utf8", maxBuffer: 1 << 26 })
      : spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
    if (res.status !== 0) throw new Error(`index build failed:\n${res.stderr}`);
    const built = JSON.parse(res.stdout.trim().split("\n").pop()!) as { seconds: number; docs: number };
    const rssKb = /MAXRSS_KB=(\d+)/.exec(res.stderr ?? "")?.[1];
    const rss = rssKb ? `${(Number(rssKb) / 2 ** 20).toFixed(2)} GiB` : "n/a (no /usr/bin/time)";
    let idxBytes = 0;
    const files = readdirSync(idx).sort().map((f) => {
      const s = statSync(join(idx, f)).size;
      idxBytes += s;
      return `${f} ${(s / N).toFixed(2)}`;
    });
    console.log(`conceptfreq build: ${built.seconds.toFixed(1)} s, ${Math.round(N / built.seconds).toLocaleString("en")} captions/s, peak RSS ${rss}, index ${mib(idxBytes)} MiB (${(idxBytes / N).toFixed(1)} bytes/caption)`);
    console.log(`  bytes/caption: ${files.join(", ")}`);

    // Concepts.
    const builtin = ["imagenet", "cifar100", "cifar10"].flatMap((n) => readConceptList(`builtin:${n}`).concepts);
    const uniq = [...new Set([...builtin, ...captionPhrases(base, PHRASES)])];
    const multi = uniq.filter((c) => /\s/.test(c.trim())).length;
    console.log(`concepts: ${uniq.length} (${multi} of several words; builtin imagenet+cifar100+cifar10 and ${PHRASES} frequent caption phrases)`);

    const index = TextIndex.open(idx);
    let paper, phrase, tPaper, tPhrase, nouns;
    try {
      nouns = index.nouns.termCount;
      [paper, tPaper] = seconds(() => countConcepts(index, uniq, { match: "paper" }));
      [phrase, tPhrase] = seconds(() => countConcepts(index, uniq, { match: "phrase" }));
      // Caption reads: 100k random doc ids (seeded), then 100k consecutive ones (a search page's way).
      const reads = Math.min(100_000, N);
      const ids = Array.from({ length: reads }, () => Math.floor(rand() * N));
      const [randomBytes, tRandom] = seconds(() => ids.reduce((s, d) => s + index.captions.caption(d).length, 0));
      const from = Math.floor(rand() * (N - reads + 1));
      const [, tSeq] = seconds(() => {
        let s = 0;
        for (let d = from; d < from + reads; d++) s += index.captions.caption(d).length;
        return s;
      });
      console.log(`caption reads: ${reads.toLocaleString("en")} random docs ${tRandom.toFixed(2)} s (${(tRandom / reads * 1e6).toFixed(1)} µs each, ${randomBytes.toLocaleString("en")} chars), ${reads.toLocaleString("en")} consecutive docs ${tSeq.toFixed(2)} s (${(tSeq / reads * 1e6).toFixed(1)} µs each)`);
    } finally {
      index.close();
    }
    // The same phrase counts on every core: each worker opens the index itself (timed from the directory).
    const t0 = process.hrtime.bigint();
    const parallel = await countConceptsInParallel(idx, uniq, { match: "phrase", workers });
    const tParallel = Number(process.hrtime.bigint() - t0) / 1e9;
    if (parallel.some((c, i) => c.count !== phrase[i]!.count)) throw new Error("countConceptsInParallel disagrees with countConcepts");
    const sum = (a: { count: number }[]) => a.reduce((s, c) => s + c.count, 0);
    console.log(`conceptfreq count: --match paper ${tPaper.toFixed(2)} s (total ${sum(paper).toLocaleString("en")}), --match phrase ${tPhrase.toFixed(2)} s (total ${sum(phrase).toLocaleString("en")}); ${nouns.toLocaleString("en")} distinct noun lemmas`);

    // SQLite FTS5 over the same captions (SCALE_FTS=0 skips it: to keep a big corpus for another bench, e.g. COOCCUR_INDEX).
    if (process.env.SCALE_FTS === "0") {
      console.log("FTS5: skipped (SCALE_FTS=0)");
      return;
    }
    const Database = require("better-sqlite3") as typeof import("better-sqlite3");
    const dbPath = join(dir, "fts.sqlite");
    const db = new Database(dbPath);
    let ftsBuild, tAnd, tPhr, ftsErrors = 0, andTotal = 0, phrTotal = 0;
    try {
      [, ftsBuild] = seconds(() => {
        db.pragma("journal_mode = OFF");
        db.pragma("synchronous = OFF");
        db.exec("CREATE VIRTUAL TABLE captions USING fts5(caption, tokenize='porter')");
        const insert = db.prepare("INSERT INTO captions(caption) VALUES (?)");
        let batch: string[] = [];
        const flush = db.transaction((rows: string[]) => {
          for (const c of rows) insert.run(c);
        });
        forEachLine(tsv, (l) => {
          if (!l) return;
          batch.push(l.slice(0, l.indexOf("\t")));
          if (batch.length === 100_000) {
            flush(batch);
            batch = [];
          }
        });
        if (batch.length) flush(batch);
        db.exec("INSERT INTO captions(captions) VALUES ('optimize')");
      });
      const q = db.prepare("SELECT count(*) AS n FROM captions WHERE captions MATCH ?");
      const run = (phraseQ: boolean) => {
        let total = 0;
        for (const c of uniq) {
          try {
            total += (q.get(ftsQuery(c, phraseQ)) as { n: number }).n;
          } catch {
            ftsErrors++;
          }
        }
        return total;
      };
      [andTotal, tAnd] = seconds(() => run(false));
      [phrTotal, tPhr] = seconds(() => run(true));
    } finally {
      db.close();
    }
    const dbBytes = statSync(dbPath).size;
    console.log(`FTS5 (porter, on disk): build ${ftsBuild.toFixed(1)} s (${Math.round(N / ftsBuild).toLocaleString("en")} captions/s), DB ${mib(dbBytes)} MiB (${(dbBytes / N).toFixed(1)} bytes/caption)`);
    console.log(`FTS5 count: AND of words ${tAnd.toFixed(2)} s (total ${andTotal.toLocaleString("en")}), phrase ${tPhr.toFixed(2)} s (total ${phrTotal.toLocaleString("en")})${ftsErrors ? `; ${ftsErrors} queries FTS5 refused` : ""}`);
    console.log(
      `conceptfreq count --match phrase on ${workers} worker threads (countConceptsInParallel, opening the index in each): ${tParallel.toFixed(2)} s; ` +
        `FTS5 phrase ${tPhr.toFixed(2)} s; ratio ${(tParallel / tPhr).toFixed(2)}x (single-thread ${(tPhrase / tPhr).toFixed(2)}x)`,
    );
    console.log(
      `ratios ours/FTS5: build ${(built.seconds / ftsBuild).toFixed(2)}x, size ${(idxBytes / dbBytes).toFixed(2)}x, ` +
        `paper/AND ${(tPaper / tAnd).toFixed(2)}x, phrase/phrase ${(tPhrase / tPhr).toFixed(2)}x`,
    );
  } finally {
    if (process.env.SCALE_KEEP === "1") console.log(`kept: ${dir} (captions.tsv, idx/, fts.sqlite)`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
