import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { expandFromFile, expandWithWordNet, expansionQuery, formatSynonymFile, type SenseChoice, type SynonymExpansion } from "../concepts/synonyms.js";
import { UserError } from "../errors.js";
import { refuseDirectoryOutput, writeOutput } from "../io/atomic-write.js";

export interface SynonymFlagValues {
  synonyms?: string;
  senses?: SenseChoice;
  explain?: string;
}

function parseSenses(v: string): SenseChoice {
  if (v !== "first" && v !== "all") throw new InvalidArgumentError("expected first or all.");
  return v;
}

/** `--synonyms wordnet|FILE`, `--senses first|all`, `--explain FILE|-` (count and search). */
export function addSynonymFlags(cmd: Command): Command {
  return cmd
    .option("--synonyms <wordnet|file>", "also count each concept's synonyms: wordnet (the lemma names of its WordNet 3.1 noun synsets; pin a sense with crane#n2 or an 8-digit offset) or a file written by --explain")
    .option("--senses <which>", "with --synonyms wordnet: first (default) or all noun senses", parseSenses)
    .option("--explain <file>", "write the alternates used per concept (the --synonyms FILE format) to this file, - for stderr");
}

/**
 * The synonym expansion the flags ask for (undefined without --synonyms); `queries` are the query
 * texts to count the concepts as.
 */
export function resolveSynonyms(concepts: readonly string[], o: SynonymFlagValues): { expansion: SynonymExpansion; queries: string[] } | undefined {
  if (o.synonyms === undefined) {
    if (o.senses !== undefined) throw new UserError("--senses chooses WordNet senses for --synonyms wordnet; add --synonyms wordnet.");
    if (o.explain !== undefined) throw new UserError("--explain writes the synonym expansion; add --synonyms wordnet (or --synonyms FILE).");
    return undefined;
  }
  refuseDirectoryOutput(o.explain, "--explain");
  let expansion: SynonymExpansion;
  if (o.synonyms === "wordnet") {
    expansion = expandWithWordNet(concepts, { senses: o.senses ?? "first" });
  } else {
    if (o.senses !== undefined) throw new UserError(`--senses applies to --synonyms wordnet; ${o.synonyms} already lists each concept's alternates.`);
    const fromFile = expandFromFile(concepts, o.synonyms);
    if (fromFile.unlisted.length > 0) process.stderr.write(`note: ${fromFile.unlisted.length} concept(s) not in ${o.synonyms} counted under their own name.\n`);
    expansion = fromFile;
  }
  return { expansion, queries: expansion.concepts.map(expansionQuery) };
}

/** Writes the expansion where --explain says (after the command's own output is complete). */
export function writeExplain(o: SynonymFlagValues, expansion: SynonymExpansion | undefined): void {
  if (o.explain === undefined || expansion === undefined) return;
  if (o.explain === "-") process.stderr.write(formatSynonymFile(expansion));
  else writeOutput(o.explain, formatSynonymFile(expansion));
}
