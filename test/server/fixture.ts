/** Builds the demo study once per test process in a temp dir (the shipped sample; no network). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDemo, type DemoSummary } from "../../src/study/demo.js";

let built: Promise<{ root: string; demo: DemoSummary }> | undefined;

export function demoStudy(): Promise<{ root: string; demo: DemoSummary }> {
  built ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), "conceptfreq-server-"));
    process.on("exit", () => rmSync(root, { recursive: true, force: true }));
    const demo = await runDemo({ out: join(root, "demo") });
    return { root, demo };
  })();
  return built;
}
