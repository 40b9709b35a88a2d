import type { Command } from "commander";
import { readConceptList } from "../concepts/concept-list.js";
import { ImageIndex } from "../image/image-index.js";
import { computeMisalignment } from "../image/misalignment.js";
import type { MatchMode } from "../text-index/count.js";
import { serializePortable } from "../postings/posting-file.js";
import { TextIndex } from "../text-index/text-index.js";
import { writeFileAtomic, writeOutput } from "../io/atomic-write.js";
import { action } from "./action.js";
import { parseMatch } from "./count.js";
import { hasCorpusManifest } from "../corpus-set/corpus-manifest.js";
import { corpusMisalignment } from "../corpus-set/corpus-counts.js";
import { TextCorpus } from "../corpus-set/text-corpus.js";
import { UserError } from "../errors.js";
import { resolve } from "node:path";

function report(o: { out?: string }, r: { samples: number; samples_with_both: number; misaligned: number; degree: number | null; degree_all: number | null; missing: string[] }): void {
  if (r.missing.length > 0) process.stderr.write(`note: ${r.missing.length} concept(s) not in the image index were treated as never tagged.\n`);
  const { samples, samples_with_both, misaligned, degree, degree_all } = r;
  writeOutput(o.out, JSON.stringify({ samples, samples_with_both, misaligned, degree, degree_all }, null, 2) + "\n");
}

/** Over a corpus of shards: the shards' sample counts summed (its image shards beside its text shards). */
function misalignmentOfCorpus(o: { index: string; imageIndex?: string; match: MatchMode; allowMissing: boolean; out?: string; idsOut?: string }, concepts: readonly string[]): void {
  if (o.imageIndex !== undefined && resolve(o.imageIndex) !== resolve(o.index)) {
    throw new UserError(`${o.index} is a corpus of shards: misalignment uses its image shards (corpus add-images), so give no --image-index.`);
  }
  const r = corpusMisalignment(TextCorpus.open(o.index), concepts, { match: o.match, allowMissing: o.allowMissing });
  if (o.idsOut) writeFileAtomic(o.idsOut, r.misalignedIds.serialize());
  report(o, r);
}

export function registerMisalignment(program: Command): void {
  program
    .command("misalignment")
    .description("the share of samples whose caption concepts and image concepts have nothing in common (the paper's misalignment degree)")
    .requiredOption("--index <dir>", "text index directory, or a finished corpus of shards with image shards (corpus add-images)")
    .option("--image-index <dir>", "image index over the same samples (required unless --index is a corpus)")
    .requiredOption("--concepts <file|builtin:NAME>", "concept list")
    .option("--match <rule>", "caption matching rule: paper or phrase", parseMatch, "paper")
    .option("--allow-missing", "treat concepts the image index does not know as never tagged", false)
    .option("--out <file>", "write the JSON here instead of stdout")
    .option("--ids-out <file>", "also write the misaligned samples' doc ids (one Roaring bitmap, portable serialisation; over a corpus, global ids in Roaring's 64-bit portable serialisation)")
    .addHelpText(
      "after",
      "\nPrints {samples, samples_with_both, misaligned, degree, degree_all}: samples_with_both have >= 1 listed concept in\n" +
        "the caption and >= 1 in the image; misaligned are those among them whose two concept sets are disjoint;\n" +
        "degree = misaligned / samples_with_both, degree_all = misaligned / samples.\n\n" +
        "Example:\n  conceptfreq misalignment --index cc3m.idx --image-index cc3m.img --concepts builtin:cifar100\n" +
        "  conceptfreq misalignment --index laion.corpus --concepts builtin:cifar100   # a corpus with image shards",
    )
    .action(
      action((o: { index: string; imageIndex?: string; concepts: string; match: MatchMode; allowMissing: boolean; out?: string; idsOut?: string }) => {
        const list = readConceptList(o.concepts);
        if (hasCorpusManifest(o.index)) return misalignmentOfCorpus(o, list.concepts);
        if (o.imageIndex === undefined) throw new UserError("misalignment needs the image index (--image-index) beside a single text index.");
        const text = TextIndex.open(o.index);
        try {
          const image = ImageIndex.open(o.imageIndex);
          try {
            const r = computeMisalignment(text, image, list.concepts, { match: o.match, allowMissing: o.allowMissing });
            if (o.idsOut) writeFileAtomic(o.idsOut, serializePortable(r.misalignedIds));
            report(o, r);
          } finally {
            image.close();
          }
        } finally {
          text.close();
        }
      }),
    );
}
