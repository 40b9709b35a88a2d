import type { Command } from "commander";
import { openTextSource } from "../corpus-set/text-corpus.js";
import { action, nonNegativeInt } from "./action.js";
import { UserError } from "../errors.js";
import { parseMatch } from "./count.js";
import type { MatchMode } from "../text-index/count.js";

export function registerSearch(program: Command): void {
  program
    .command("search")
    .description("a concept's count and example captions")
    .argument("<concept>", 'concept name, e.g. "tiger shark" or "sea lion|sealion"')
    .requiredOption("--index <dir>", "text index directory, or a finished corpus of shards (doc ids are global)")
    .option("--limit <n>", "example captions to show (lowest doc ids first)", nonNegativeInt, 10)
    .option("--match <rule>", "paper or phrase (see count)", parseMatch, "paper")
    .option("--verify", "check the index's checksums first (reads the whole index)", false)
    .option("--json", "print {concept, count, examples: [{doc, caption}]} as JSON", false)
    .addHelpText("after", '\nExample:\n  conceptfreq search --index cc3m.idx "tiger shark" --limit 5')
    .action(
      action((concept: string, o: { index: string; limit: number; match: MatchMode; json: boolean; verify: boolean }) => {
        if (concept.trim() === "") throw new UserError('give a concept to search for, e.g. "tiger shark".');
        const index = openTextSource(o.index, { verify: o.verify });
        try {
          const r = index.search(concept, { limit: o.limit, match: o.match });
          if (r.words.length === 0) throw new UserError(`"${concept}" has no word the analyzer counts (letters only; see the counting semantics), so it matches nothing.`);
          if (o.json) {
            process.stdout.write(JSON.stringify(r, null, 2) + "\n");
            return;
          }
          process.stdout.write(`${r.concept}: ${r.count} of ${index.docCount} captions (${r.words.join(" + ") || "no words"})\n`);
          for (const e of r.examples) process.stdout.write(`  [${e.doc}] ${e.caption}\n`);
        } finally {
          index.close();
        }
      }),
    );
}
