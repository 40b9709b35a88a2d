import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { readConceptList } from "../concepts/concept-list.js";
import { countConcepts, type MatchMode } from "../index/count.js";
import { writeConceptIds } from "../index/ids-out.js";
import { TextIndex } from "../index/text-index.js";
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

export function registerCount(program: Command): void {
  program
    .command("count")
    .description("count, for each concept, the captions that contain it")
    .requiredOption("--index <dir>", "text index directory")
    .requiredOption("--concepts <file|builtin:NAME>", "concept list: .txt (one per line, # comments), .json array, .csv with a concept column, or builtin:cifar10|cifar100")
    .option("--match <rule>", "paper: all noun lemmas of the concept in the caption's noun set; phrase: contiguous lemma sequence, any POS", parseMatch, "paper")
    .option("--format <format>", "json ({concept: count} in list order) or csv (concept,count)", parseCountFormat, "json")
    .option("--out <file>", "write here instead of stdout")
    .option("--ids-out <dir>", "also write the matching doc ids per concept (a Roaring file each)")
    .option("--force", "replace an existing --ids-out directory", false)
    .addHelpText("after", "\nExample:\n  conceptfreq count --index cc3m.idx --concepts builtin:cifar10 --out cc3m_cifar10.json")
    .action(
      action((o: { index: string; concepts: string; match: MatchMode; format: CountFormat; out?: string; idsOut?: string; force: boolean }) => {
        const list = readConceptList(o.concepts);
        if (list.duplicates > 0) process.stderr.write(`note: ${list.duplicates} duplicate concept name(s) in ${o.concepts} counted once.\n`);
        const index = TextIndex.open(o.index);
        try {
          const counts = countConcepts(index, list.concepts, { match: o.match, keepIds: !!o.idsOut });
          if (o.idsOut) writeConceptIds(o.idsOut, counts.map((c) => ({ concept: c.concept, ids: c.ids! })), o.force);
          writeOutput(o.out, formatCounts(counts, o.format));
        } finally {
          index.close();
        }
      }),
    );
}
