import type { Command } from "commander";
import { relative } from "node:path";
import { action } from "./action.js";

export function registerStudy(program: Command): void {
  program
    .command("study")
    .description("run a study: counts, fits per model × corpus × count mode, long tail, plots, results and an HTML report")
    .argument("<manifest>", "study manifest: study.json or study.yaml (see docs/study.md)")
    .requiredOption("--out <dir>", "output directory (created; counts are cached there for re-runs)")
    .option("--root <dir>", "the directory the manifest's relative paths resolve against (default: the manifest's own directory), e.g. a checkout of the paper's release")
    .option("--quiet", "print only the report's path", false)
    .addHelpText(
      "after",
      "\nExamples:\n  conceptfreq study study.yaml --out study\n  conceptfreq serve --study study\n" +
        "  conceptfreq study examples/paper-release/classification.yaml --root RELEASE_CHECKOUT --out paper-classification",
    )
    .action(
      action(async (manifestPath: string, o: { out: string; quiet: boolean; root?: string }) => {
        // loaded on use: the study pulls in the chart renderer, which other commands should not pay for
        const { readStudyManifest } = await import("../study/manifest.js");
        const { runStudy } = await import("../study/run.js");
        const manifest = readStudyManifest(manifestPath, { root: o.root });
        const say = (m: string) => {
          if (!o.quiet) process.stderr.write(`${m}\n`);
        };
        // warnings are printed as they arise, so a run that fails later has shown them
        const s = await runStudy(manifest, {
          out: o.out,
          onProgress: say,
          onWarning: (w) => process.stderr.write(`conceptfreq: warning: ${w}\n`),
          onNote: (n) => say(`note: ${n}`),
        });
        const files = s.counts.filter((c) => c.fromCountFiles).length;
        const cached = s.counts.filter((c) => !c.fromCountFiles && c.computed === 0).length;
        const computed = s.counts.length - files - cached;
        const parts = [`${computed} corpus × mode computed`, `${cached} from the cache`, ...(files ? [`${files} read from count files`] : [])];
        say(`counts: ${parts.join(", ")}; ${s.rows.length} fits; ${s.plots.length} plots`);
        const show = (p: string) => relative(process.cwd(), p) || ".";
        say(`results: ${show(s.results.csv)}, ${show(s.results.json)}`);
        process.stdout.write(s.report ? `${show(s.report)}\n` : `${show(s.out)}\n`);
      }),
    );
}
