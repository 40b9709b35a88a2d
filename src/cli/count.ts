import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { readConceptList } from "../concepts/concept-list.js";
import { countConceptsByMode, COUNT_MODES, type CountMode } from "../image/count-modes.js";
import { ImageIndex } from "../image/image-index.js";
import type { ConceptCount, MatchMode } from "../text-index/count.js";
import type { TextIndexManifest } from "../text-index/manifest.js";
import { writeConceptIds } from "../text-index/ids-out.js";
import { IndexSource, openTextSource, type TextCorpus } from "../corpus-set/text-corpus.js";
import { hasCorpusManifest } from "../corpus-set/corpus-manifest.js";
import { countCorpusByMode } from "../corpus-set/corpus-counts.js";
import { writeGlobalConceptIds } from "../corpus-set/global-ids.js";
import { resolve } from "node:path";
import { UserError } from "../errors.js";
import { refuseDirectoryOutput, writeOutput } from "../io/atomic-write.js";
import { action, positiveInt } from "./action.js";
import { countConceptsInParallel } from "../corpus-set/count-parallel.js";
import { readTextManifest } from "../text-index/manifest.js";
import { formatCounts, formatEstimates, type CountFormat } from "../report/count-format.js";
import { estimateConceptCounts } from "../text-index/sample-estimate.js";
import { formatRate } from "../text-index/sample.js";
import { addSynonymFlags, resolveSynonyms, writeExplain, type SynonymFlagValues } from "./synonym-flags.js";

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

interface CountFlags extends SynonymFlagValues {
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
  workers?: number;
}

export function registerCount(program: Command): void {
  const cmd = program
    .command("count")
    .description("count, for each concept, the captions (text), images (image) or samples with both (integrated) that contain it")
    .option("--index <dir>", "text index directory, or a finished corpus of shards (required for --mode text and integrated)")
    .option("--image-index <dir>", "image index over the same samples (required for --mode image and integrated; a corpus of shards uses its own image shards)")
    .option("--mode <mode>", "text: captions; image: tagged images; integrated: caption AND image (the paper's matched frequency)", parseMode, "text")
    .requiredOption("--concepts <file|builtin:NAME>", "concept list: .txt (one per line, # comments), .json array, .csv with a concept column, or builtin:cifar10|cifar100|imagenet")
    .option("--match <rule>", "paper: all noun lemmas of the concept in the caption's noun set; phrase: contiguous words, any POS, digits included, hyphens joining (t-shirt = t - shirt)", parseMatch, "paper")
    .option("--allow-missing", "count concepts the image index does not know as 0 (default: an error)", false)
    .option(
      "--format <format>",
      "json ({concept: count} in list order) or csv (concept,count); on a sampled index (index build --sample) estimates: json {concept: {count, low, high, sampled, rate}}, csv concept,count,low,high,sampled,rate",
      parseCountFormat,
      "json",
    )
    .option("--out <file>", "write here instead of stdout")
    .option("--ids-out <dir>", "also write the matching doc ids per concept (a Roaring file each; over a corpus, global ids in 64-bit Roaring files)")
    .option("--force", "replace an existing --ids-out directory", false)
    .option("--verify", "check the indexes' checksums first (text and image; reads every byte of them)", false)
    .option("--workers <n>", "threads counting the concepts in --mode text without --ids-out, each a slice of the list (default: all cores; 1: this thread only); same output for any n", positiveInt);
  addSynonymFlags(cmd)
    .addHelpText(
      "after",
      "\nExamples:\n  conceptfreq count --index cc3m.idx --concepts builtin:cifar10 --out cc3m_cifar10.json\n" +
        "  conceptfreq count --index cc3m.idx --image-index cc3m.img --mode integrated --concepts builtin:cifar10\n" +
        "  conceptfreq count --index cc3m.idx --concepts builtin:cifar100 --synonyms wordnet --explain cifar100.synonyms.json\n" +
        "  conceptfreq count --index cc3m.idx --concepts builtin:cifar100 --synonyms cifar100.synonyms.json   # a frozen (edited) expansion\n" +
        "\nWith --synonyms the JSON is {concept: {count, alternates}} and the CSV has an alternates column.",
    )
    .action(
      action(async (o: CountFlags) => {
        if (o.index === undefined && o.imageIndex !== undefined && hasCorpusManifest(o.imageIndex)) o.index = o.imageIndex; // a corpus's image shards
        const isCorpus = o.index !== undefined && hasCorpusManifest(o.index);
        if (o.index === undefined && o.mode !== "image") throw new UserError(`count --mode ${o.mode} needs the text index (--index).`);
        if (o.imageIndex === undefined && o.mode !== "text" && !isCorpus) throw new UserError(`count --mode ${o.mode} needs the image index (--image-index).`);
        refuseDirectoryOutput(o.out, "--out");
        const list = readConceptList(o.concepts);
        if (list.duplicates > 0) process.stderr.write(`note: ${list.duplicates} duplicate concept name(s) in ${o.concepts} counted once.\n`);
        if (o.synonyms !== undefined && o.mode === "image") throw new UserError("--synonyms expands caption queries; --mode image counts the tagger's names as they are.");
        const synonyms = resolveSynonyms(list.concepts, o);
        const alternates = synonyms?.expansion.concepts.map((c) => c.alternates);
        if (o.mode === "text" && o.idsOut === undefined && o.imageIndex === undefined) {
          // text counts only: the concepts shared among worker threads
          const counts = await countConceptsInParallel(o.index!, list.concepts, { match: o.match, queries: synonyms?.queries, workers: o.workers, verify: o.verify });
          const sample = isCorpus ? undefined : readTextManifest(o.index!).sample;
          writeTextCounts(o, counts, sample, alternates);
          writeExplain(o, synonyms?.expansion);
          return;
        }
        const source = o.index !== undefined ? openTextSource(o.index, { verify: o.verify }) : undefined;
        if (source !== undefined && !(source instanceof IndexSource)) {
          // a corpus of shards: every mode summed over its shards (its image shards: corpus add-images)
          try {
            countCorpus(source as TextCorpus, list.concepts, o, synonyms?.queries, alternates);
            writeExplain(o, synonyms?.expansion);
          } finally {
            source.close();
          }
          return;
        }
        const text = source?.index;
        if (text?.manifest.sample && o.mode === "integrated") {
          text.close();
          throw new UserError(`${o.index} is a sampled index (index build --sample): its doc ids are not the image index's, so --mode integrated cannot use it.`);
        }
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
            queries: synonyms?.queries,
          });
          if (missing.length > 0) process.stderr.write(`note: ${missing.length} concept(s) not in the image index counted 0.\n`);
          if (o.idsOut) writeConceptIds(o.idsOut, counts.map((c) => ({ concept: c.concept, ids: c.ids! })), o.force);
          writeTextCounts(o, counts, o.mode === "text" ? text?.manifest.sample : undefined, alternates);
          writeExplain(o, synonyms?.expansion);
        } finally {
          image?.close();
          text?.close();
        }
      }),
    );
}

/** Writes the counts, or on a sampled index the estimates of the full corpus's counts. */
function writeTextCounts(o: CountFlags, counts: ConceptCount[], sample: TextIndexManifest["sample"], alternates: Parameters<typeof formatCounts>[2]): void {
  if (sample) {
    // A sampled index: every count is an estimate of the full corpus's, with its interval.
    process.stderr.write(
      `note: ${o.index} is a ${formatRate(sample.rate)} sample of ${sample.rowsSeen} rows (seed ${sample.seed}): ` +
        `counts are estimates of the full corpus's (sampled count / rate) with exact 95% intervals [low, high].\n`,
    );
    writeOutput(o.out, formatEstimates(estimateConceptCounts(counts, sample.rate), o.format));
  } else writeOutput(o.out, formatCounts(counts, o.format, alternates));
}

/** count over a corpus of shards: the corpus's own image shards, global ids in --ids-out. */
function countCorpus(corpus: TextCorpus, concepts: readonly string[], o: CountFlags, queries: readonly string[] | undefined, alternates: Parameters<typeof formatCounts>[2]): void {
  if (o.imageIndex !== undefined && resolve(o.imageIndex) !== resolve(corpus.dir)) {
    throw new UserError(`${o.index} is a corpus of shards: count uses its image shards (corpus add-images), so give no --image-index (or the corpus itself).`);
  }
  const r = countCorpusByMode(corpus, concepts, { mode: o.mode, match: o.match, queries, allowMissing: o.allowMissing, keepIds: !!o.idsOut });
  if (r.missing.length > 0) process.stderr.write(`note: ${r.missing.length} concept(s) not in the image index counted 0.\n`);
  if (o.idsOut) writeGlobalConceptIds(o.idsOut, r.counts.map((c) => ({ concept: c.concept, ids: c.ids! })), o.force);
  writeOutput(o.out, formatCounts(r.counts.map((c) => ({ concept: c.concept, count: c.count })), o.format, alternates));
}
