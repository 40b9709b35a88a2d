import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { extractRetrievalConcepts } from "../concepts/extract.js";
import { writeOutput } from "../io/atomic-write.js";
import { action, positiveInt } from "./action.js";
import { addReaderFlags, readerOptions, type ReaderFlagValues } from "./reader-flags.js";

export function registerConcepts(program: Command): void {
  const concepts = program.command("concepts").description("build concept lists");
  addReaderFlags(
    concepts
      .command("extract")
      .description("the paper's retrieval concepts: noun lemmas of the captions present in at least N images")
      .argument("<captions...>", "caption files of the retrieval set, in image order"),
  )
    .option("--captions-per-image <k>", "an image's captions are k consecutive rows", positiveInt, 5)
    .option("--image-column <name|index>", "instead: rows sharing this column's value belong to one image")
    .option("--min-images <n>", "keep concepts present in at least n images", positiveInt, 10)
    .option("--output-format <format>", "txt (one concept per line) or json ({concept: images})", parseOut, "txt")
    .option("--out <file>", "write here instead of stdout")
    .addHelpText("after", "\nExample:\n  conceptfreq concepts extract coco_karpathy_test.tsv --captions-per-image 5 --min-images 10 --out coco_concepts.txt")
    .action(
      action(async (paths: string[], o: ReaderFlagValues & { captionsPerImage: number; imageColumn?: string; minImages: number; outputFormat: "txt" | "json"; out?: string }) => {
        const r = await extractRetrievalConcepts(paths, {
          ...readerOptions(o),
          keyColumn: o.imageColumn ?? o.keyColumn,
          captionsPerImage: o.captionsPerImage,
          minImages: o.minImages,
        });
        const body =
          o.outputFormat === "json"
            ? JSON.stringify(Object.fromEntries(r.concepts.map((c) => [c.concept, c.images])), null, 2) + "\n"
            : r.concepts.map((c) => c.concept).join("\n") + (r.concepts.length ? "\n" : "");
        writeOutput(o.out, body);
        process.stderr.write(`${r.concepts.length} concepts in >= ${o.minImages} of ${r.images} images (${r.captions} captions)\n`);
      }),
    );
}

function parseOut(v: string): "txt" | "json" {
  if (v !== "txt" && v !== "json") throw new InvalidArgumentError("expected txt or json.");
  return v;
}
