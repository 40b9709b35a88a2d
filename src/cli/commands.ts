import type { Command } from "commander";
// One line per command module; each module adds its command(s) to the program.
export function registerCommands(program: Command): void {
  void program;
}
