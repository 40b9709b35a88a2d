import type { Command } from "commander";
import { UserError } from "../errors.js";
import { action, nonNegativeInt } from "./action.js";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("a local, read-only dashboard over a study: log-linear plots, concept search, rarest concepts, outliers")
    .option("--study <dir>", "study output directory (conceptfreq study ... --out DIR, or conceptfreq-demo/study)")
    .option("--audit <file>", "an audit CSV (conceptfreq audit sample) to label in the audit view at /audit; labels stay in the browser")
    .option("--host <address>", "address to listen on (keep 127.0.0.1 unless you mean to expose the study)", "127.0.0.1")
    .option("--port <n>", "port (0 picks a free one)", nonNegativeInt, 8765)
    .addHelpText("after", "\nExamples:\n  conceptfreq demo && conceptfreq serve --study conceptfreq-demo/study\n  conceptfreq serve --audit audit.csv   (then open /audit; see docs/audit.md)")
    .action(
      action(async (o: { study?: string; audit?: string; host: string; port: number }) => {
        if (o.study === undefined && o.audit === undefined) throw new UserError("serve needs a study (--study DIR) or an audit file (--audit FILE).");
        if (o.port > 65535) throw new UserError(`--port must be at most 65535 (got ${o.port}).`);
        const { startDashboard } = await import("../server/app.js"); // loaded on use (fastify)
        const { url, close } = await startDashboard({ studyDir: o.study, auditFile: o.audit, host: o.host, port: o.port });
        process.stdout.write(`Dashboard: ${url}  (Ctrl-C to stop)\n`);
        if (o.audit !== undefined) process.stdout.write(`Audit view: ${url}audit\n`);
        const stop = () => {
          void close().then(() => process.exit(0));
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      }),
    );
}
