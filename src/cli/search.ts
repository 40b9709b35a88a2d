import type { Command } from "commander";
import { openTextSource } from "../corpus-set/text-corpus.js";
import { action, nonNegativeInt } from "./action.js";
import { UserError } from "../errors.js";
import { parseMatch } from "./count.js";
import type { MatchMode } from "../text-index/count.js";
import { addSynonymFlags, resolveSynonyms, writeExplain, type SynonymFlagValues } from "./synonym-flags.js";

export function registerSearch(program: Command): void {
  const cmd = program
    .command("search")
    .description("a concept's count and example captions")
    .argument("<concept>", 'concept name, e.g. "tiger shark" or "sea lion|sealion"')
    .requiredOption("--index <dir>", "text index directory, or a finished corpus of shards (doc ids are global)")
    .option("--limit <n>", "example captions to show (lowest doc ids first)", nonNegativeInt, 10)
    .option("--match <rule>", "paper or phrase (see count)", parseMatch, "paper")
    .option("--verify", "check the index's checksums first (reads the whole index)", false)
    .option("--json", "print {concept, count, examples: [{doc, caption}]} as JSON (with --synonyms also alternates)", false);
  addSynonymFlags(cmd)
    .addHelpText("after", '\nExamples:\n  conceptfreq search --index cc3m.idx "tiger shark" --limit 5\n  conceptfreq search --index cc3m.idx "crane#n5" --synonyms wordnet   # the bird: WordNet\'s 5th noun sense')
    .action(
      action((concept: string, o: SynonymFlagValues & { index: string; limit: number; match: MatchMode; json: boolean; verify: boolean }) => {
        if (concept.trim() === "") throw new UserError('give a concept to search for, e.g. "tiger shark".');
        const synonyms = resolveSynonyms([concept], o);
        const index = openTextSource(o.index, { verify: o.verify });
        try {
          const alternates = synonyms?.expansion.concepts[0]!.alternates;
          const r = index.search(concept, { limit: o.limit, match: o.match, query: synonyms?.queries[0] });
          if (r.words.length === 0) throw new UserError(`"${concept}" has no word the analyzer counts (letters only; see the counting semantics), so it matches nothing.`);
          if (o.json) {
            process.stdout.write(JSON.stringify(alternates ? { ...r, alternates } : r, null, 2) + "\n");
            writeExplain(o, synonyms?.expansion);
            return;
          }
          process.stdout.write(`${r.concept}: ${r.count} of ${index.docCount} captions (${r.words.join(" | ") || "no words"})\n`);
          for (const e of r.examples) process.stdout.write(`  [${e.doc}] ${e.caption}\n`);
          writeExplain(o, synonyms?.expansion);
        } finally {
          index.close();
        }
      }),
    );
}
