import cliProgress from "cli-progress";

/** A progress bar on stderr, only when stderr is a TTY; otherwise every call is a no-op. */
export interface Progress {
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

export function progressBar(format: string, total: number, initial: Record<string, unknown> = {}): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
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
