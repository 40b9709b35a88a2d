/**
 * Corpus reader throughput: CC-3M validation captions repeated to ~1M rows, written as TSV (plain,
 * .gz, .zst), CSV (every caption quoted), JSONL and Parquet (snappy), each read end to end with
 * openCorpus in a fresh process. Prints rows/s (wall clock, and per CPU-second of the reading
 * process, steadier on a busy machine; a zstd child process's CPU is not counted), MB/s of the
 * file as stored and of its caption text, and the reading process's peak RSS (sampled).
 *
 * Run: `npm run bench -- corpus` (or `node --import tsx bench/corpus.ts`).
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { openCorpus, type ReaderOptions } from "../src/index.js";

const CC3M = fileURLToPath(new URL("../../shared/data/cc3m-val/captions.tsv", import.meta.url));
const TARGET_ROWS = 1_000_000;

interface Figures {
  rows: number;
  malformed: number;
  seconds: number;
  /** CPU time of the reading process (all its threads; not a zstd child process). */
  cpuSeconds: number;
  maxRssMiB: number;
}

/** Child side: read one file, print figures as JSON. */
async function readOne(path: string, options: ReaderOptions): Promise<Figures> {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let rows = 0;
  let malformed = 0;
  // Sampled peak RSS (ru_maxrss of a spawned child includes its parent's RSS at fork on Linux).
  let peakRss = process.memoryUsage.rss();
  for await (const batch of openCorpus(path, options)) {
    rows += batch.length;
    for (const r of batch) if (r.malformed) malformed++;
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { rows, malformed, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMiB: Math.round(peakRss / 2 ** 20) };
}

function measure(path: string, options: ReaderOptions, env: Record<string, string> = {}): Figures {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ["--import", "tsx", self, "--read", path, JSON.stringify(options)], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`reading ${path} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Figures;
}

async function gzipFile(src: string, dst: string): Promise<void> {
  await pipeline(Readable.from([readFileSync(src)]), createGzip({ level: 6 }), createWriteStream(dst));
}

export async function main(): Promise<void> {
  console.log("corpus readers (openCorpus, one fresh process per file)");
  if (!existsSync(CC3M)) {
    console.log(`  skipped: ${CC3M} not found`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "cf-bench-corpus-"));
  try {
    const base = readFileSync(CC3M, "utf8").split("\n").filter((l) => l !== "");
    const repeat = Math.ceil(TARGET_ROWS / base.length);
    const lines: string[] = [];
    for (let r = 0; r < repeat; r++) for (const l of base) lines.push(l);
    const captions = lines.map((l) => l.slice(0, l.indexOf("\t")));
    const urls = lines.map((l) => l.slice(l.indexOf("\t") + 1));
    const textBytes = Buffer.byteLength(captions.join(""));

    const files: { label: string; path: string; options: ReaderOptions; env?: Record<string, string> }[] = [];
    const tsv = join(dir, "captions.tsv");
    writeFileSync(tsv, lines.join("\n") + "\n");
    files.push({ label: "tsv", path: tsv, options: {} });
    const gz = join(dir, "captions.tsv.gz");
    await gzipFile(tsv, gz);
    files.push({ label: "tsv.gz", path: gz, options: {} });
    const zst = join(dir, "captions.tsv.zst");
    const z = spawnSync("zstd", ["-q", "-3", "-f", tsv, "-o", zst]);
    if (!z.error && z.status === 0) {
      files.push({ label: "tsv.zst (command)", path: zst, options: {}, env: { CONCEPTFREQ_ZSTD: "command" } });
      files.push({ label: "tsv.zst (js)", path: zst, options: {}, env: { CONCEPTFREQ_ZSTD: "js" } });
    } else console.log("  (no zstd command: .zst not measured)");
    const csv = join(dir, "captions.csv");
    writeFileSync(csv, "caption,url\n" + lines.map((_, i) => `"${captions[i]!.replaceAll('"', '""')}",${urls[i]}`).join("\n") + "\n");
    files.push({ label: "csv (quoted)", path: csv, options: { header: true } });
    const jsonl = join(dir, "captions.jsonl");
    writeFileSync(jsonl, captions.map((c, i) => JSON.stringify({ caption: c, url: urls[i] })).join("\n") + "\n");
    files.push({ label: "jsonl", path: jsonl, options: {} });
    try {
      const { parquetWriteBuffer } = await import("hyparquet-writer");
      const pq = join(dir, "captions.parquet");
      writeFileSync(
        pq,
        new Uint8Array(
          parquetWriteBuffer({
            columnData: [
              { name: "URL", data: urls, type: "STRING" },
              { name: "TEXT", data: captions, type: "STRING" },
            ],
            rowGroupSize: 100_000,
          }),
        ),
      );
      files.push({ label: "parquet (snappy)", path: pq, options: {} });
    } catch {
      console.log("  (hyparquet-writer not installed: Parquet not measured)");
    }

    console.log(`  ${lines.length.toLocaleString("en")} rows; caption text ${(textBytes / 1e6).toFixed(0)} MB`);
    console.log("  format               rows/s  rows/CPU-s  file MB/s  caption MB/s  peak RSS");
    for (const f of files) {
      const fig = measure(f.path, f.options, f.env);
      if (fig.rows !== lines.length) throw new Error(`${f.label}: read ${fig.rows} rows, expected ${lines.length}`);
      const size = statSync(f.path).size;
      console.log(
        `  ${f.label.padEnd(18)} ${Math.round(fig.rows / fig.seconds).toLocaleString("en").padStart(10)}  ${Math.round(fig.rows / fig.cpuSeconds).toLocaleString("en").padStart(10)}  ${(size / 1e6 / fig.seconds).toFixed(0).padStart(9)}  ${(textBytes / 1e6 / fig.seconds).toFixed(0).padStart(12)}  ${String(fig.maxRssMiB).padStart(5)} MiB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Child mode: `bench/corpus.ts --read PATH OPTIONS_JSON`.
if (process.argv[2] === "--read") {
  const figures = await readOne(process.argv[3]!, JSON.parse(process.argv[4] ?? "{}") as ReaderOptions);
  console.log(JSON.stringify(figures));
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
