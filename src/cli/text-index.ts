import type { Command } from "commander";
import { statSync } from "node:fs";
import { buildTextIndex } from "../text-index/build.js";
import { UserError } from "../errors.js";
import { formatRate } from "../text-index/sample.js";
import { action, finiteNumber, nonNegativeInt, positiveInt } from "./action.js";
import { progressBar } from "./progress.js";
import { addReaderFlags, readerOptions, type ReaderFlagValues } from "./reader-flags.js";
import { reportReclaimed } from "./reclaimed-note.js";

function totalInputBytes(paths: string[]): number {
  let total = 0;
  for (const p of paths) {
    try {
      total += statSync(p).size;
    } catch {
      // a missing file is reported by the build itself
    }
  }
  return Math.max(total, 1);
}

export function registerIndex(program: Command): void {
  const index = program.command("index").description("build and merge text indexes of caption corpora");

  addReaderFlags(
    index
      .command("build")
      .description("index captions: noun lemmas per caption, Roaring postings, kept captions")
      .argument("<inputs...>", "caption files (TSV/CSV/JSONL/Parquet/WebDataset .tar; .gz/.zst text), in doc-id order; - or a pipe: read as a stream, with --format")
      .requiredOption("--out <dir>", "index directory to create"),
  )
    .option("--workers <n>", "worker threads analysing captions (default: all cores)", positiveInt)
    .option("--memory <MiB>", "memory for in-memory postings before spilling runs to disk", positiveInt, 4096)
    .option("--force", "replace an existing output directory", false)
    .option("--sample <rate>", "index a seeded random sample: each row kept with this probability, in (0, 1]; `count` then estimates full-corpus counts", finiteNumber)
    .option("--seed <n>", "seed of --sample (default 0; the same inputs, rate and seed give the same sample)", nonNegativeInt)
    .addHelpText(
      "after",
      "\nExample:\n  conceptfreq index build cc3m_train.tsv --out cc3m.idx\n  conceptfreq index build laion/part-*.parquet --out laion.idx\n" +
        "  conceptfreq index build laion/part-*.parquet --sample 0.01 --seed 0 --out laion-1pct.idx\n" +
        "  zstdcat cc12m.tsv.zst | conceptfreq index build - --format tsv --text-column 1 --out cc12m.idx",
    )
    .action(
      action(async (inputs: string[], o: ReaderFlagValues & { out: string; workers?: number; memory: number; force: boolean; sample?: number; seed?: number }) => {
        if (o.seed !== undefined && o.sample === undefined) throw new UserError("--seed is the seed of --sample: give --sample RATE too.");
        // The bar runs over input bytes (files read so far plus the current file's position).
        const bar = progressBar("indexing |{bar}| {percentage}% | file {file}/{files} | {rows} rows | {rate} rows/s | ETA {eta_formatted}", totalInputBytes(inputs), {
          file: 1,
          files: inputs.length,
          rows: 0,
          rate: 0,
        });
        const m = await buildTextIndex(inputs, {
          ...readerOptions(o),
          out: o.out,
          workers: o.workers,
          memoryMiB: o.memory,
          force: o.force,
          sample: o.sample !== undefined ? { rate: o.sample, seed: o.seed ?? 0 } : undefined,
          onReclaim: reportReclaimed,
          onProgress: (p) =>
            bar.update(p.bytes, {
              rows: p.rows,
              rate: Math.round(p.rows / Math.max(p.seconds, 1e-9)),
              file: Math.min(p.inputIndex + 1, p.inputCount),
              files: p.inputCount,
            }),
        });
        bar.stop();
        const skipped = Object.entries(m.skipped);
        const skippedText = skipped.length
          ? `; ${skipped.reduce((a, [, n]) => a + n, 0)} malformed rows kept as empty docs (${skipped.map(([k, n]) => `${k} ${n}`).join(", ")})`
          : "";
        const sampleText = m.sample ? ` (a ${formatRate(m.sample.rate)} sample of ${m.sample.rowsSeen} rows, seed ${m.sample.seed})` : "";
        process.stderr.write(
          `indexed ${m.docCount} docs${sampleText} from ${m.inputs.length} file(s) in ${m.buildSeconds.toFixed(2)} s ` +
            `(${Math.round(m.docCount / Math.max(m.buildSeconds, 1e-9))} rows/s)${skippedText}; ` +
            `${m.vocabulary.nouns} noun lemmas -> ${o.out}\n`,
        );
      }),
    );

  index
    .command("merge")
    .description("append indexes: doc ids of the second follow those of the first, and so on")
    .argument("<indexes...>", "index directories, in order")
    .requiredOption("--out <dir>", "merged index directory to create")
    .option("--force", "replace an existing output directory", false)
    .option("--verify", "check the inputs' checksums first", false)
    .addHelpText("after", "\nExample:\n  conceptfreq index merge part0.idx part1.idx --out all.idx")
    .action(
      action(async (dirs: string[], o: { out: string; force: boolean; verify: boolean }) => {
        // imported here: it loads the roaring addon, which `index build` never needs on this thread
        const { mergeTextIndexes } = await import("../text-index/merge.js");
        const m = mergeTextIndexes(dirs, { out: o.out, force: o.force, verify: o.verify, onReclaim: reportReclaimed });
        process.stderr.write(`merged ${dirs.length} indexes: ${m.docCount} docs -> ${o.out}\n`);
      }),
    );

  index
    .command("verify")
    .description("check a text index (or every shard of a corpus): every file's size and CRC32, its structure, every bitmap's cardinality")
    .argument("<dir>", "index directory, or a corpus directory (corpus.json)")
    .addHelpText("after", "\nExamples:\n  conceptfreq index verify cc3m.idx\n  conceptfreq index verify laion.corpus")
    .action(
      action(async (dir: string) => {
        const { verifyTextSource } = await import("../corpus-set/text-corpus.js");
        const r = verifyTextSource(dir);
        const what = r.shards > 0 ? `corpus ${dir} is sound: ${r.shards} shards, ` : `index ${dir} is sound: `;
        process.stderr.write(`${what}${r.docCount} docs, ${r.files} files (${r.bytes} bytes), ${r.bitmaps} bitmaps checked\n`);
      }),
    );
}
