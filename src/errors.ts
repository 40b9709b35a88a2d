/**
 * Errors a user can cause (a bad flag, a missing file, malformed input, mismatched row counts).
 * The CLI prints the message — one clear sentence — and exits with code 2. Anything else is a bug
 * and keeps its stack trace.
 */
export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
