import type { Command } from "commander";
import { registerIndex } from "./index-cmd.js";
import { registerCount } from "./count.js";
import { registerImageIndex } from "./image-index.js";
import { registerMisalignment } from "./misalignment.js";
import { registerSearch } from "./search.js";
import { registerConcepts } from "./concepts.js";
import { registerFit } from "./fit.js";
import { registerTail } from "./tail.js";
import { registerLongtail } from "./longtail.js";
import { registerEval } from "./eval.js";
import { registerPrompts } from "./prompts.js";
import { registerStudy } from "./study.js";
import { registerDemo } from "./demo.js";
import { registerServe } from "./serve.js";
// One line per command module; each module adds its command(s) to the program.
// (Keep one import and one call per line so parallel work merges cleanly.)

export function registerCommands(program: Command): void {
  registerIndex(program);
  registerCount(program);
  registerImageIndex(program);
  registerMisalignment(program);
  registerSearch(program);
  registerConcepts(program);
  registerFit(program);
  registerTail(program);
  registerLongtail(program);
  registerEval(program);
  registerPrompts(program);
  registerStudy(program);
  registerDemo(program);
  registerServe(program);
}
