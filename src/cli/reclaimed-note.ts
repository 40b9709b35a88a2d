/** What a command says on stderr when it removed a leftover of a killed run beside its output (`onReclaim`). */
export function reportReclaimed(dir: string): void {
  process.stderr.write(`note: removed ${dir}, left by a conceptfreq run that was killed.\n`);
}
