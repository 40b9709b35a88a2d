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

export function registerMisalignment(program: Command): void {
  program
    .command("misalignment")
    .description("the share of samples whose caption concepts and image concepts have nothing in common (the paper's misalignment degree)")
    .requiredOption("--index <dir>", "text index directory")
    .requiredOption("--image-index <dir>", "image index over the same samples")
    .requiredOption("--concepts <file|builtin:NAME>", "concept list")
    .option("--match <rule>", "caption matching rule: paper or phrase", parseMatch, "paper")
    .option("--allow-missing", "treat concepts the image index does not know as never tagged", false)
    .option("--out <file>", "write the JSON here instead of stdout")
    .option("--ids-out <file>", "also write the misaligned samples' doc ids (one Roaring bitmap, portable serialisation)")
    .addHelpText(
      "after",
      "\nPrints {samples, samples_with_both, misaligned, degree, degree_all}: samples_with_both have >= 1 listed concept in\n" +
        "the caption and >= 1 in the image; misaligned are those among them whose two concept sets are disjoint;\n" +
        "degree = misaligned / samples_with_both, degree_all = misaligned / samples.\n\n" +
        "Example:\n  conceptfreq misalignment --index cc3m.idx --image-index cc3m.img --concepts builtin:cifar100",
    )
    .action(
      action((o: { index: string; imageIndex: string; concepts: string; match: MatchMode; allowMissing: boolean; out?: string; idsOut?: string }) => {
        const list = readConceptList(o.concepts);
        const text = TextIndex.open(o.index);
        try {
          const image = ImageIndex.open(o.imageIndex);
          try {
            const r = computeMisalignment(text, image, list.concepts, { match: o.match, allowMissing: o.allowMissing });
            if (r.missing.length > 0) {
              process.stderr.write(`note: ${r.missing.length} concept(s) not in the image index were treated as never tagged.\n`);
            }
            if (o.idsOut) writeFileAtomic(o.idsOut, serializePortable(r.misalignedIds));
            const { samples, samples_with_both, misaligned, degree, degree_all } = r;
            writeOutput(o.out, JSON.stringify({ samples, samples_with_both, misaligned, degree, degree_all }, null, 2) + "\n");
          } finally {
            image.close();
          }
        } finally {
          text.close();
        }
      }),
    );
}
