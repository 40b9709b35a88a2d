#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { createRequire } from "node:module";
import { registerCommands } from "./commands.js";

const require = createRequire(import.meta.url);
const { version } = require("../../package.json") as { version: string };

const program = new Command();
program
  .name("conceptfreq")
  .description(
    "Measure how often the concepts of a downstream task occur in a multimodal pretraining dataset, " +
      "and how that frequency determines a model's zero-shot performance. Start with `conceptfreq demo`.",
  )
  .version(version)
  .exitOverride();

// A reader that closes early (`conceptfreq count ... | head`) ends the command quietly, as Unix tools do.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

await registerCommands(program, process.argv.slice(2));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version are not errors; usage errors exit 2 (commander already printed the sentence).
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  throw e;
}
