import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { readConceptList } from "../concepts/concept-list.js";
import { conceptPairs, formatCooccurrence, readConceptPairs } from "../text-index/cooccur.js";
import { formatRate } from "../text-index/sample.js";
import { hasCorpusManifest } from "../corpus-set/corpus-manifest.js";
import { readTextManifest } from "../text-index/manifest.js";
import { cooccurrenceInParallel } from "../corpus-set/cooccur-parallel.js";
import type { MatchMode } from "../text-index/count.js";
import { UserError } from "../errors.js";
import { writeOutput } from "../io/atomic-write.js";
import { action, nonNegativeInt, positiveInt } from "./action.js";
import { parseMatch } from "./count.js";

type CooccurFormat = "json" | "csv" | "tsv";

function parseFormat(v: string): CooccurFormat {
  if (v !== "json" && v !== "csv" && v !== "tsv") throw new InvalidArgumentError("expected json, csv or tsv.");
  return v;
}

interface CooccurFlags {
  index: string;
  pairs?: string;
  concepts?: string;
  with?: string;
  allPairs: boolean;
  top?: number;
  minCount: number;
  maxConcepts: number;
  match: MatchMode;
  format: CooccurFormat;
  out?: string;
  verify: boolean;
  workers?: number;
}

export function registerCooccur(program: Command): void {
  program
    .command("cooccur")
    .description("co-occurrence of concept pairs in a text index: captions matching both, each alone, the count independence predicts, PMI and normalised PMI")
    .requiredOption("--index <dir>", "text index directory, or a corpus of shards (corpus plan ... finish)")
    .option("--pairs <file>", "the pairs: lines a<TAB>b (or a,b), or a .json array of [a, b] / {a, b}")
    .option("--concepts <file|builtin:NAME>", "a concept list: every pair of it (--all-pairs, the default) or each concept with each of --with")
    .option("--with <file|builtin:NAME>", "pair each --concepts concept with each concept of this list")
    .option("--all-pairs", "every unordered pair of --concepts (the default without --with)", false)
    .option("--top <k>", "only the K pairs of highest PMI among those seen together at least --min-count times", positiveInt)
    .option("--min-count <n>", "the small-count guard of --top: rank only pairs seen together at least this often", nonNegativeInt, 5)
    .option("--max-concepts <n>", "refuse --concepts lists longer than this (the pairs grow as its square)", positiveInt, 2000)
    .option("--match <rule>", "paper or phrase, as in count", parseMatch, "paper")
    .option("--format <format>", "json (an array of pairs), csv or tsv (a header, one pair a line; PMI -inf or undefined: empty)", parseFormat, "json")
    .option("--out <file>", "write here instead of stdout")
    .option("--verify", "check the text index's checksums first (reads the whole index)", false)
    .option("--workers <n>", "threads counting the pairs, each a share of them (default: all cores; 1: this thread only); same output for any n", positiveInt)
    .addHelpText(
      "after",
      "\nFields: a, b, both, countA, countB, docs, expected (countA*countB/docs), pmi (natural log; null when\n" +
        "both is 0), npmi (-1 when both is 0; null when a concept has no docs). See docs/cooccur.md.\n" +
        "\nExamples:\n  conceptfreq cooccur --index cc3m.idx --pairs pairs.tsv\n" +
        "  conceptfreq cooccur --index cc3m.idx --concepts builtin:cifar100 --top 20 --format csv\n" +
        "  conceptfreq cooccur --index cc3m.idx --concepts animals.txt --with objects.txt",
    )
    .action(
      action(async (o: CooccurFlags) => {
        if ((o.pairs === undefined) === (o.concepts === undefined)) throw new UserError("cooccur needs either --pairs FILE or --concepts FILE (not both).");
        if (o.with !== undefined && o.concepts === undefined) throw new UserError("--with pairs each --concepts concept with another list: give --concepts too.");
        if (o.with !== undefined && o.allPairs) throw new UserError("--all-pairs and --with choose different pairs: give one of them.");
        let pairs: [string, string][];
        if (o.pairs !== undefined) pairs = readConceptPairs(o.pairs);
        else {
          const a = readConceptList(o.concepts!).concepts;
          const b = o.with !== undefined ? readConceptList(o.with).concepts : undefined;
          for (const [flag, list] of [["--concepts", a], ["--with", b]] as const) {
            if (list && list.length > o.maxConcepts) {
              throw new UserError(
                `${flag} lists ${list.length} concepts, more than --max-concepts ${o.maxConcepts} (pairs grow as the square of the list): raise --max-concepts or give --pairs.`,
              );
            }
          }
          pairs = conceptPairs(a, b);
          if (pairs.length === 0) throw new UserError(`the concept lists give no pair of two different concepts.`);
        }
        // one index or a corpus of shards; --verify checks its checksums once, before the workers open it
        const result = await cooccurrenceInParallel(o.index, pairs, { match: o.match, top: o.top, minCount: o.minCount, workers: o.workers, verify: o.verify });
        const sample = hasCorpusManifest(o.index) ? undefined : readTextManifest(o.index).sample;
        if (sample) {
          process.stderr.write(`note: ${o.index} is a ${formatRate(sample.rate)} sample of ${sample.rowsSeen} rows: counts are the sample's (PMI estimates the full corpus's).\n`);
        }
        if (o.top !== undefined && result.length < Math.min(o.top, pairs.length)) {
          process.stderr.write(`note: ${result.length} of ${pairs.length} pairs are seen together at least ${o.minCount} times (--min-count), so --top ${o.top} lists ${result.length}.\n`);
        }
        writeOutput(o.out, formatCooccurrence(result, o.format));
      }),
    );
}
