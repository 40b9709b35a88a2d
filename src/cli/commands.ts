import type { Command } from "commander";
// One line per command module; each module adds its command(s) to the program.
// (Keep one import and one call per line so parallel work merges cleanly.)

export function registerCommands(program: Command): void {
  void program;
}
