import { InvalidArgumentError, Option, type Command } from "commander";
import { detectFormat } from "../corpus/open.js";
import type { CorpusFormat } from "../corpus/record.js";
import { UserError } from "../errors.js";
import { aggregateScoresFile, formatAggregate } from "../evaluate/aggregate.js";
import { classifyFiles, formatClassification, type ClassifyFiles } from "../evaluate/classify.js";
import { formatRetrieval, retrieveFiles } from "../evaluate/retrieve.js";
import { writeOutput } from "../io/atomic-write.js";
import { action, nonNegativeInt, positiveInt } from "./action.js";
import { progressBar, type Progress } from "./progress.js";

function positiveIntList(value: string): number[] {
  const parts = value.split(",").map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || nums.some((n) => n <= 0)) {
    throw new InvalidArgumentError("expected a comma-separated list of positive integers (e.g. 1,5,10).");
  }
  return [...new Set(nums)];
}

function nameList(value: string): string[] {
  const names = value.split(",").map((s) => s.trim());
  if (names.some((n) => n === "")) throw new InvalidArgumentError("expected a comma-separated list of field names.");
  return names;
}

/** The classify flags are the library's file options (minus callbacks and the backend choice) plus --out. */
type ClassifyFlags = Omit<ClassifyFiles, "onProgress" | "backend"> & { out?: string };

interface RetrieveFlags {
  imageEmbeddings: string;
  textEmbeddings: string;
  captionsPerImage: number;
  captions?: string;
  textColumn?: string;
  captionsFormat?: CorpusFormat;
  minImages: number;
  recall: number[];
  dim?: number;
  imageTensor?: string;
  textTensor?: string;
  textChunkRows?: number;
  blockRows?: number;
  threads?: number;
  out?: string;
}

interface AggregateFlags {
  scores: string;
  metrics?: string[];
  strict?: boolean;
  out?: string;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command("eval")
    .description("zero-shot evaluation from embeddings and scores, written in the shape `conceptfreq fit --perf` reads");

  cmd
    .command("classify")
    .description(
      "zero-shot classification: top-1/top-5 accuracy overall and per class, with CLIP prompt ensembling\n" +
        "(ties in cosine go to the lowest class index)",
    )
    .requiredOption("--image-embeddings <file>", "image embeddings, one row per image (.npy float16/float32, .safetensors, raw .f16/.f32 with --dim)")
    .requiredOption("--labels <file>", "true class per image: .npy integers, JSON array, or text (a class index or class name per line)")
    .requiredOption("--class-embeddings <file>", "text embeddings of the prompts, k rows per class, class-major (see `conceptfreq prompts`)")
    .requiredOption("--classes <file>", "class names, one per line, in class-index order, or builtin:cifar10, builtin:cifar100, builtin:imagenet")
    .option("--templates <k>", "prompt templates (rows) per class (default: rows ÷ classes)", positiveInt)
    .option("--dim <d>", "embedding dimension (required for raw .f16/.f32 files)", positiveInt)
    .option("--image-tensor <name>", "tensor name in a .safetensors image file")
    .option("--class-tensor <name>", "tensor name in a .safetensors class file")
    .option("--block-rows <n>", "image rows per similarity block", positiveInt)
    .option("--threads <n>", "threads for the similarity product (default: all cores)", positiveInt)
    .option("--out <file>", "write the result JSON here (default: stdout)")
    .addHelpText(
      "after",
      "\nOutput: {\"full\": top-1 %, \"top5\": top-5 %, \"classwise\": {\"<class>\": top-1 %, ...}}\n" +
        "Example:\n  conceptfreq eval classify --image-embeddings val_img.npy --labels val_labels.npy \\\n" +
        "    --class-embeddings prompts_emb.npy --classes classes.txt --templates 80 --out rn50.json\n" +
        "  conceptfreq fit --freq counts.json --perf rn50.json#/classwise",
    )
    .action(
      action(async (o: ClassifyFlags) => {
        let bar: Progress | undefined;
        let report;
        try {
          const { out: _out, ...files } = o;
          report = await classifyFiles({
            ...files,
            onProgress: (done, total) => {
              bar ??= progressBar("classify [{bar}] {value}/{total} images", total);
              bar.update(done);
            },
          });
        } finally {
          bar?.stop();
        }
        writeOutput(o.out, formatClassification(report));
        const missing = report.classesWithoutImages.length;
        process.stderr.write(
          `classify: ${report.images} images, ${report.classes} classes × ${report.templates} template(s), dimension ${report.dim}: ` +
            `top-1 ${report.result.full}%, top-5 ${report.result.top5}% (${report.backend})` +
            (missing > 0 ? `; ${missing} class(es) without images left out of classwise` : "") +
            "\n",
        );
      }),
    );

  cmd
    .command("retrieve")
    .description(
      "zero-shot retrieval: image→text and text→image Recall@K, overall and per concept\n" +
        "(an image query is correct when any of its captions is in the top K; a caption query when its image is)",
    )
    .requiredOption("--image-embeddings <file>", "image embeddings, one row per image")
    .requiredOption("--text-embeddings <file>", "caption embeddings, --captions-per-image rows per image, in image order")
    .requiredOption("--captions-per-image <k>", "captions per image (5 for COCO and Flickr30k)", positiveInt)
    .option("--captions <file>", "the captions, one per text embedding in order (TSV column 0, or any corpus format): enables conceptwise recall")
    .option("--text-column <name|index>", "caption column or field in the captions file (default 0 / text)")
    .addOption(new Option("--captions-format <format>", "format of the captions file (default: from its extension)").choices(["tsv", "csv", "jsonl", "parquet", "wds"]))
    .option("--min-images <n>", "concepts found in fewer images are not scored (the paper: 10)", nonNegativeInt, 10)
    .option("--recall <k,...>", "recall cut-offs", positiveIntList, [1, 5, 10])
    .option("--dim <d>", "embedding dimension (required for raw .f16/.f32 files)", positiveInt)
    .option("--image-tensor <name>", "tensor name in a .safetensors image file")
    .option("--text-tensor <name>", "tensor name in a .safetensors text file")
    .option("--text-chunk-rows <n>", "captions held in memory per chunk", positiveInt)
    .option("--block-rows <n>", "image rows per similarity block", positiveInt)
    .option("--threads <n>", "threads for the similarity product (default: all cores)", positiveInt)
    .option("--out <file>", "write the result JSON here (default: stdout)")
    .addHelpText(
      "after",
      "\nOutput: {\"i2t\": {\"1\": {\"full\": %, \"conceptwise\": {...}}, \"5\": ..., \"10\": ...}, \"t2i\": {...}}\n" +
        "Example:\n  conceptfreq eval retrieve --image-embeddings coco_img.npy --text-embeddings coco_txt.npy \\\n" +
        "    --captions-per-image 5 --captions coco_captions.tsv --out coco.json\n" +
        "  conceptfreq fit --freq counts.json --perf coco.json#/i2t/5/conceptwise",
    )
    .action(
      action(async (o: RetrieveFlags) => {
        if (o.captions !== undefined && o.captionsFormat === undefined) {
          try {
            detectFormat(o.captions);
          } catch {
            throw new UserError(`Cannot tell the format of ${o.captions} from its name; pass --captions-format tsv, csv, jsonl, parquet or wds.`);
          }
        }
        const bar = progressBar("retrieve [{bar}] {percentage}% | ETA {eta}s", 1000);
        let report;
        try {
          report = await retrieveFiles({
            imageEmbeddings: o.imageEmbeddings,
            textEmbeddings: o.textEmbeddings,
            captionsPerImage: o.captionsPerImage,
            captions: o.captions,
            captionReader: { textColumn: o.textColumn, format: o.captionsFormat },
            minImages: o.minImages,
            ks: o.recall,
            dim: o.dim,
            imageTensor: o.imageTensor,
            textTensor: o.textTensor,
            textChunkRows: o.textChunkRows,
            blockRows: o.blockRows,
            threads: o.threads,
            onProgress: (f) => bar.update(Math.round(f * 1000)),
          });
        } finally {
          bar.stop();
        }
        writeOutput(o.out, formatRetrieval(report));
        const k = report.ks[0]!;
        process.stderr.write(
          `retrieve: ${report.images} images, ${report.captions} captions, dimension ${report.dim}: ` +
            `i2t R@${k} ${report.result.i2t[String(k)]!.full}%, t2i R@${k} ${report.result.t2i[String(k)]!.full}%` +
            (o.captions !== undefined ? `, ${report.concepts.length} concepts in >= ${o.minImages} images` : "") +
            ` (${report.backend})\n`,
        );
      }),
    );

  cmd
    .command("aggregate")
    .description(
      "per-concept text-to-image scores from per-image scores (JSONL {prompt, concept, score, ...}): per prompt the " +
        "mean and max over its images, then per concept the average over its prompts (HEIM's expected and max scores)",
    )
    .requiredOption("--scores <file>", "JSONL, one generated image per line: {\"prompt\", \"concept\", \"score\", other numeric metrics...}")
    .option("--metrics <a,b,...>", "read exactly these numeric fields, each required (default: score and every numeric field)", nameList)
    .option("--strict", "the first malformed line is an error (default: count and skip)")
    .option("--out <file>", "write the result JSON here (default: stdout)")
    .addHelpText(
      "after",
      "\nOutput: {\"score\": {\"mean\": {concept: v}, \"max\": {concept: v}}, \"<metric2>\": {...}}\n" +
        "Example:\n  conceptfreq eval aggregate --scores sd15_clipscores.jsonl --out sd15.json\n" +
        "  conceptfreq fit --freq counts.json --perf sd15.json#/score/mean",
    )
    .action(
      action(async (o: AggregateFlags) => {
        const report = await aggregateScoresFile(o.scores, { strict: o.strict === true, metrics: o.metrics });
        writeOutput(o.out, formatAggregate(report));
        const kinds = Object.entries(report.malformed)
          .map(([k, v]) => `${k}: ${v}`)
          .join(", ");
        process.stderr.write(
          `aggregate: ${report.used} score lines, ${report.concepts.length} concepts, metrics ${report.metrics.join(", ") || "none"}` +
            (report.malformedTotal > 0
              ? `; ${report.malformedTotal} malformed line(s) skipped (${kinds}; first at line ${report.firstMalformedLine})`
              : "") +
            "\n",
        );
      }),
    );
}
