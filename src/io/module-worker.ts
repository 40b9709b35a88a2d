/**
 * Starts a worker thread on a module beside the caller's: its compiled `.js` in the package, or,
 * run from source (tests through tsx), its `.ts` through tsx's loader, which the worker needs too.
 */
import { Worker } from "node:worker_threads";

/** A worker on `./NAME.js` (or `./NAME.ts` from source) relative to `callerUrl` (the caller's import.meta.url). */
export function startModuleWorker(name: string, callerUrl: string, workerData: unknown): Worker {
  const fromSource = callerUrl.endsWith(".ts");
  const url = new URL(`./${name}.${fromSource ? "ts" : "js"}`, callerUrl);
  return fromSource
    ? new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true, workerData })
    : new Worker(url, { workerData });
}
