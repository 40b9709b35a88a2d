import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { readConceptList } from "../concepts/concept-list.js";
import { countConceptsByMode, COUNT_MODES, type CountMode } from "../image/count-modes.js";
import { ImageIndex } from "../image/image-index.js";
import type { MatchMode } from "../text-index/count.js";
import { writeConceptIds } from "../text-index/ids-out.js";
import { TextIndex } from "../text-index/text-index.js";
import { UserError } from "../errors.js";
import { writeOutput } from "../io/atomic-write.js";
import { action } from "./action.js";
import { formatCounts, type CountFormat } from "./count-format.js";

export function parseMatch(v: string): MatchMode {
  if (v !== "paper" && v !== "phrase") throw new InvalidArgumentError("expected paper or phrase.");
  return v;
}

function parseCountFormat(v: string): CountFormat {
  if (v !== "json" && v !== "csv") throw new InvalidArgumentError("expected json or csv.");
  return v;
}

function parseMode(v: string): CountMode {
  if (!COUNT_MODES.includes(v as CountMode)) throw new InvalidArgumentError("expected text, image or integrated.");
  return v as CountMode;
}

interface CountFlags {
  index?: string;
  imageIndex?: string;
  mode: CountMode;
  concepts: string;
  match: MatchMode;
  allowMissing: boolean;
  format: CountFormat;
  out?: string;
  idsOut?: string;
  force: boolean;
  verify: boolean;
}

export function registerCount(program: Command): void {
  program
    .command("count")
    .description("count, for each concept, the captions (text), images (image) or samples with both (integrated) that contain it")
    .option("--index <dir>", "text index directory (required for --mode text and integrated)")
    .option("--image-index <dir>", "image index over the same samples (required for --mode image and integrated)")
    .option("--mode <mode>", "text: captions; image: tagged images; integrated: caption AND image (the paper's matched frequency)", parseMode, "text")
    .requiredOption("--concepts <file|builtin:NAME>", "concept list: .txt (one per line, # comments), .json array, .csv with a concept column, or builtin:cifar10|cifar100")
    .option("--match <rule>", "paper: all noun lemmas of the concept in the caption's noun set; phrase: contiguous lemma sequence, any POS", parseMatch, "paper")
    .option("--allow-missing", "count concepts the image index does not know as 0 (default: an error)", false)
    .option("--format <format>", "json ({concept: count} in list order) or csv (concept,count)", parseCountFormat, "json")
    .option("--out <file>", "write here instead of stdout")
    .option("--ids-out <dir>", "also write the matching doc ids per concept (a Roaring file each)")
    .option("--force", "replace an existing --ids-out directory", false)
    .option("--verify", "check the indexes' checksums first (text and image; reads every byte of them)", false)
    .addHelpText(
      "after",
      "\nExamples:\n  conceptfreq count --index cc3m.idx --concepts builtin:cifar10 --out cc3m_cifar10.json\n" +
        "  conceptfreq count --index cc3m.idx --image-index cc3m.img --mode integrated --concepts builtin:cifar10",
    )
    .action(
      action((o: CountFlags) => {
        if (o.index === undefined && o.mode !== "image") throw new UserError(`count --mode ${o.mode} needs the text index (--index).`);
        if (o.imageIndex === undefined && o.mode !== "text") throw new UserError(`count --mode ${o.mode} needs the image index (--image-index).`);
        const list = readConceptList(o.concepts);
        if (list.duplicates > 0) process.stderr.write(`note: ${list.duplicates} duplicate concept name(s) in ${o.concepts} counted once.\n`);
        const text = o.index !== undefined ? TextIndex.open(o.index, { verify: o.verify }) : undefined;
        let image: ImageIndex | undefined;
        try {
          image = o.imageIndex !== undefined ? ImageIndex.open(o.imageIndex, { verify: o.verify }) : undefined;
          const { counts, missing } = countConceptsByMode(list.concepts, {
            mode: o.mode,
            text,
            image,
            match: o.match,
            keepIds: !!o.idsOut,
            allowMissing: o.allowMissing,
          });
          if (missing.length > 0) process.stderr.write(`note: ${missing.length} concept(s) not in the image index counted 0.\n`);
          if (o.idsOut) writeConceptIds(o.idsOut, counts.map((c) => ({ concept: c.concept, ids: c.ids! })), o.force);
          writeOutput(o.out, formatCounts(counts, o.format));
        } finally {
          image?.close();
          text?.close();
        }
      }),
    );
}
