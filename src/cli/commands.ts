import type { Command } from "commander";

/**
 * Every command and the module that defines it. Modules are imported only when their command
 * runs (or for --help), so starting the CLI does not load wink-nlp, onnxruntime, sharp or vega
 * for commands that don't need them.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  index: async () => (await import("./text-index.js")).registerIndex,
  corpus: async () => (await import("./corpus.js")).registerCorpus,
  count: async () => (await import("./count.js")).registerCount,
  cooccur: async () => (await import("./cooccur.js")).registerCooccur,
  search: async () => (await import("./search.js")).registerSearch,
  concepts: async () => (await import("./concepts.js")).registerConcepts,
  "image-index": async () => (await import("./image-index.js")).registerImageIndex,
  misalignment: async () => (await import("./misalignment.js")).registerMisalignment,
  fit: async () => (await import("./fit.js")).registerFit,
  tail: async () => (await import("./tail.js")).registerTail,
  eval: async () => (await import("./eval.js")).registerEval,
  prompts: async () => (await import("./prompts.js")).registerPrompts,
  longtail: async () => (await import("./longtail.js")).registerLongtail,
  study: async () => (await import("./study.js")).registerStudy,
  demo: async () => (await import("./demo.js")).registerDemo,
  serve: async () => (await import("./serve.js")).registerServe,
  audit: async () => (await import("./audit.js")).registerAudit,
};

/** Registers the command named by the first argument, or all of them (help, unknown names). */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const first = args.find((a) => !a.startsWith("-"));
  if (first === undefined && (args.includes("--version") || args.includes("-V"))) return;
  const names = first !== undefined && first in COMMANDS ? [first] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]!())(program);
}
