import type { Command } from "commander";
import { buildImageIndexFromEmbeddings } from "../image/embedding-tagger.js";
import { conceptCountsCsv, summarizeImageIndexes } from "../image/summary.js";
import { importImageTags } from "../image/tag-import.js";
import { compareCodePoints } from "../code-point-order.js";
import { writeOutput } from "../io/atomic-write.js";
import { action, collect, nonNegativeInt, positiveInt } from "./action.js";
import { progressBar } from "./progress.js";
import { reportReclaimed } from "./reclaimed-note.js";

interface KeyFlags {
  keys?: string[];
  rowKeys?: string[];
  keyColumn?: string;
}

function addKeyFlags(cmd: Command, rowsWhat: string): Command {
  return cmd
    .option("--keys <file>", "key alignment: the key of every doc in doc-id order (.txt one per line, or the caption files with a key column); repeatable", collect)
    .option("--row-keys <file>", `key alignment: the keys of the ${rowsWhat} rows, one file per ${rowsWhat} file, in order; repeatable`, collect)
    .option("--key-column <name>", "key column/field in parquet/jsonl/csv key files (default: key)");
}

export function registerImageIndex(program: Command): void {
  const cmd = program.command("image-index").description("build image indexes: concept -> images tagged with it, in the text index's doc ids");

  addKeyFlags(
    cmd
      .command("build")
      .description("tag images by cosine similarity between image and concept embeddings")
      .requiredOption("--embeddings <files...>", "image embeddings, one file per shard in caption-input order (.npy float16/float32, .safetensors, raw .f16/.f32: row size from --dim or the concept embeddings)")
      .requiredOption("--concept-embeddings <file>", "concept embeddings: one row per concept (or --per-concept rows each), in concept-list order")
      .requiredOption("--concepts <file|builtin:NAME>", "concept list naming the concept rows")
      .requiredOption("--threshold <t[,t...]>", "cosine similarity at or above which a concept tags an image; a comma list builds one index per threshold (DIR/t=0.2, ...)")
      .requiredOption("--out <dir>", "image index directory to create")
      .option("--dim <d>", "embedding dimension of raw .f16/.f32 files (default: read from the concept embeddings)", positiveInt)
      .option("--per-concept <k>", "rows per concept in the concept embeddings (prompt ensembles): normalised, averaged, renormalised", positiveInt, 1)
      .option("--top-k <k>", "keep at most k tags per image (the most similar)", positiveInt)
      .option("--block-rows <n>", "image rows per similarity block", positiveInt)
      .option("--threads <n>", "threads for the similarity product (default: all cores)", positiveInt)
      .option("--counts-out <file>", "write per-concept tag counts (CSV: concept and one column per threshold)")
      .option("--force", "replace an existing output directory", false),
    "embedding",
  )
    .addHelpText(
      "after",
      "\nExample:\n  conceptfreq image-index build --embeddings img_emb_0.npy img_emb_1.npy --concept-embeddings concepts.npy \\\n" +
        "    --concepts concepts.txt --threshold 0.25 --out laion.img",
    )
    .action(
      action(
        async (
          o: KeyFlags & {
            embeddings: string[];
            conceptEmbeddings: string;
            concepts: string;
            threshold: string;
            out: string;
            dim?: number;
            perConcept: number;
            topK?: number;
            blockRows?: number;
            threads?: number;
            countsOut?: string;
            force: boolean;
          },
        ) => {
          let bar: ReturnType<typeof progressBar> | undefined;
          const r = await buildImageIndexFromEmbeddings({
            embeddings: o.embeddings,
            conceptEmbeddings: o.conceptEmbeddings,
            concepts: o.concepts,
            threshold: o.threshold,
            out: o.out,
            dim: o.dim,
            perConcept: o.perConcept,
            topK: o.topK,
            force: o.force,
            onReclaim: reportReclaimed,
            docKeys: o.keys,
            rowKeys: o.rowKeys,
            keyColumn: o.keyColumn,
            blockRows: o.blockRows,
            threads: o.threads,
            onProgress: (p) => {
              bar ??= progressBar("tagging |{bar}| {value}/{total} images | {percentage}% | ETA {eta_formatted}", p.totalRows);
              bar.update(p.rows);
            },
          });
          bar?.stop();
          const images = r.manifests[0]!.inputs.reduce((a, i) => a + i.rows, 0);
          process.stderr.write(
            `tagged ${images} images against ${r.manifests[0]!.concepts.length} concepts (${r.backend}) in ${r.seconds.toFixed(2)} s ` +
              `(${Math.round(images / Math.max(r.seconds, 1e-9))} images/s) -> ${o.out}\n`,
          );
          for (const line of summarizeImageIndexes(r.manifests, r.conceptCounts)) process.stderr.write(line + "\n");
          if (o.countsOut) writeOutput(o.countsOut, conceptCountsCsv(r.manifests, r.conceptCounts));
        },
      ),
    );

  addKeyFlags(
    cmd
      .command("import")
      .description("import an image tagger's output (e.g. RAM++): JSONL tag probabilities or a probability matrix")
      .requiredOption("--tags <files...>", 'JSONL ({"row": n, "tags": {"concept": prob}} per line, or "key" with --keys) or a .npy/.safetensors probability matrix (images × concepts)')
      .requiredOption("--threshold <p[,p...]>", "probability (0..1) at or above which a concept tags an image; a comma list builds one index per threshold")
      .requiredOption("--out <dir>", "image index directory to create")
      .option("--concepts <file|builtin:NAME>", "the tagger's vocabulary (JSONL: other tags are ignored) or the matrix columns' names (required for a matrix)")
      .option("--docs <n>", "JSONL rows: number of docs (default: one per record)", nonNegativeInt)
      .option("--index <dir>", "JSONL rows: take the number of docs from this text index")
      .option("--top-k <k>", "keep at most k tags per image (the most probable)", positiveInt)
      .option("--counts-out <file>", "write per-concept tag counts (CSV: concept and one column per threshold)")
      .option("--force", "replace an existing output directory", false),
    "matrix",
  )
    .addHelpText("after", "\nExample:\n  conceptfreq image-index import --tags rampp_tags.jsonl --concepts ram_tag_list.txt --threshold 0.68 --out cc3m.img")
    .action(
      action(
        async (
          o: KeyFlags & {
            tags: string[];
            threshold: string;
            out: string;
            concepts?: string;
            docs?: number;
            index?: string;
            topK?: number;
            countsOut?: string;
            force: boolean;
          },
        ) => {
          let bar: ReturnType<typeof progressBar> | undefined;
          const r = await importImageTags({
            tags: o.tags,
            threshold: o.threshold,
            out: o.out,
            concepts: o.concepts,
            docs: o.docs,
            textIndex: o.index,
            topK: o.topK,
            force: o.force,
            onReclaim: reportReclaimed,
            docKeys: o.keys,
            rowKeys: o.rowKeys,
            keyColumn: o.keyColumn,
            onProgress: (p) => {
              if (p.totalRows === undefined) return;
              bar ??= progressBar("importing |{bar}| {value}/{total} images", p.totalRows);
              bar.update(p.rows);
            },
          });
          bar?.stop();
          const m0 = r.manifests[0]!;
          process.stderr.write(`imported tags of ${m0.docCount} docs, ${m0.concepts.length} concepts, in ${r.seconds.toFixed(2)} s -> ${o.out}\n`);
          if (r.unknownTags.size > 0) {
            const shown = [...r.unknownTags.entries()]
              .sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]))
              .slice(0, 5)
              .map(([n, c]) => `${n} (${c})`)
              .join(", ");
            process.stderr.write(`note: ${r.unknownTags.size} tag name(s) not in ${o.concepts} were ignored: ${shown}${r.unknownTags.size > 5 ? ", ..." : ""}\n`);
          }
          for (const line of summarizeImageIndexes(r.manifests, r.conceptCounts)) process.stderr.write(line + "\n");
          if (o.countsOut) writeOutput(o.countsOut, conceptCountsCsv(r.manifests, r.conceptCounts));
        },
      ),
    );

  cmd
    .command("verify")
    .description("check an image index (or every index of a threshold sweep): the tag file's size and CRC32, its structure, every bitmap")
    .argument("<dir>", "image index directory (or sweep directory)")
    .addHelpText("after", "\nExample:\n  conceptfreq image-index verify cc3m.img")
    .action(
      action(async (dir: string) => {
        const { verifyImageIndexes } = await import("../image/image-index.js");
        for (const r of verifyImageIndexes(dir)) {
          process.stderr.write(`image index ${r.dir} is sound: ${r.docCount} docs, ${r.concepts} concepts, 1 file (${r.bytes} bytes), ${r.bitmaps} bitmaps checked\n`);
        }
      }),
    );
}
