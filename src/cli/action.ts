import { InvalidArgumentError } from "commander";
import { isUserError } from "../errors.js";
import { systemErrorSentence } from "../io/file-system.js";

/**
 * Wraps a command's action: a UserError, or an operating-system error a user can fix (no space
 * left, permission denied, ...), becomes one line on stderr and exit code 2; anything else is a
 * bug and is rethrown with its stack.
 */
export function action<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if ((e as NodeJS.ErrnoException | undefined)?.code === "EPIPE") process.exit(0); // the reader of stdout has gone
      const sentence = isUserError(e) ? e.message : systemErrorSentence(e);
      if (sentence !== undefined) {
        process.stderr.write(`conceptfreq: ${sentence}\n`);
        process.exit(2);
      }
      throw e;
    }
  };
}

/** Flag parsers for commander: a bad value becomes commander's usage error (exit 2). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive integer.");
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer.");
  return n;
}

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError("expected a number.");
  return n;
}

/** For repeatable flags: `--freq a --freq b` collects ["a", "b"]. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
