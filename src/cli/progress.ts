import { createRequire } from "node:module";
import type cliProgressModule from "cli-progress";

// cli-progress (CommonJS) is loaded only when there is a terminal to draw on.
const require = createRequire(import.meta.url);

/** A progress bar on stderr, only when stderr is a TTY; otherwise every call is a no-op. */
export interface Progress {
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

export function progressBar(format: string, total: number, initial: Record<string, unknown> = {}): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const cliProgress = require("cli-progress") as typeof cliProgressModule;
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 50, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, initial);
  return {
    update: (v, payload) => bar.update(v, payload ?? {}),
    stop: () => bar.stop(),
  };
}
