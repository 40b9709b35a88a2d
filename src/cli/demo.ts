import type { Command } from "commander";
import { isAbsolute, relative } from "node:path";
import { action } from "./action.js";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the whole pipeline on a small generated sample shipped with conceptfreq (no downloads) and write a report")
    .option("--out <dir>", "demo directory (indexes, inputs, study.yaml and the study's outputs)", "conceptfreq-demo")
    .addHelpText("after", "\nExample:\n  conceptfreq demo && conceptfreq serve --study conceptfreq-demo/study")
    .action(
      action(async (o: { out: string }) => {
        const { runDemo } = await import("../study/demo.js"); // loaded on use (chart renderer, indexer)
        const s = await runDemo({ out: o.out, onProgress: (m) => process.stderr.write(`${m}\n`) });
        for (const w of s.warnings) process.stderr.write(`conceptfreq: warning: ${w}\n`);
        // Paths as the user gave --out: absolute stays absolute, relative is relative to here.
        const show = (p: string) => (isAbsolute(o.out) ? p : relative(process.cwd(), p) || ".");
        const studyDir = show(s.out);
        process.stdout.write(
          `Demo on a GENERATED sample (assets/demo): ${new Set(s.counts.map((c) => c.corpus)).size} corpora, ${s.rows.length} fits.\n` +
            `Report:    ${show(s.report!)}\n` +
            `Results:   ${show(s.results.csv)}\n` +
            `Manifest:  ${show(s.manifest)}   (re-run: conceptfreq study ${show(s.manifest)} --out ${studyDir})\n` +
            `Dashboard: conceptfreq serve --study ${studyDir}\n`,
        );
      }),
    );
}
