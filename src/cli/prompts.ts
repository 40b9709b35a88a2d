import { Option, type Command } from "commander";
import { readClassNames } from "../evaluate/labels.js";
import { buildPrompts, PROMPT_SETS, promptTemplates, type PromptSet } from "../evaluate/prompts.js";
import { writeOutput } from "../io/atomic-write.js";
import { action } from "./action.js";

export function registerPrompts(program: Command): void {
  program
    .command("prompts")
    .description(
      "write the zero-shot prompts for a class list, one per line, class-major: the row order " +
        "`conceptfreq eval classify --templates k` expects of their embeddings",
    )
    .requiredOption("--classes <file>", "class names, one per line, or builtin:cifar10, builtin:cifar100, builtin:imagenet")
    .addOption(
      new Option("--set <set>", 'simple = "a photo of a {}.", class = "{}", ensemble = the CLIP paper\'s 80 ImageNet templates')
        .choices([...PROMPT_SETS])
        .default("simple"),
    )
    .option("--out <file>", "write the prompts here (default: stdout)")
    .addHelpText(
      "after",
      "\nExample:\n  conceptfreq prompts --classes classes.txt --set ensemble --out prompts.txt   # 80 lines per class\n" +
        "  (embed prompts.txt with your text encoder, then: eval classify --class-embeddings emb.npy --templates 80)",
    )
    .action(
      action((o: { classes: string; set: PromptSet; out?: string }) => {
        const names = readClassNames(o.classes);
        const prompts = buildPrompts(names, o.set);
        writeOutput(o.out, prompts.join("\n") + "\n");
        if (o.out !== undefined) {
          process.stderr.write(
            `prompts: ${names.length} classes × ${promptTemplates(o.set).length} template(s) = ${prompts.length} prompts (--templates ${promptTemplates(o.set).length})\n`,
          );
        }
      }),
    );
}
