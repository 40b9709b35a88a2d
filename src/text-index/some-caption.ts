/**
 * An index build whose inputs give no caption at all (empty files, /dev/null, nothing but blank
 * or malformed rows) is refused: an index of nothing with exit status 0 hides a wrong input.
 */
import { UserError } from "../errors.js";
import type { MalformedKind } from "../corpus/record.js";

/** Throws unless some of the `rows` read had a caption (or `maxMalformed` of 1 or more accepts anything). */
export function checkSomeCaption(inputs: readonly string[], rows: number, skipped: Partial<Record<MalformedKind, number>>, maxMalformed: number | undefined): void {
  if (maxMalformed !== undefined && maxMalformed >= 1) return;
  let bad = 0;
  for (const n of Object.values(skipped)) bad += n ?? 0;
  if (rows > bad) return;
  const what = inputs.length === 1 ? inputs[0]! : `the ${inputs.length} inputs`;
  throw new UserError(
    rows === 0
      ? `${what} hold${inputs.length === 1 ? "s" : ""} no rows: there is nothing to index (pass --max-malformed 1 to build an empty index anyway).`
      : `none of the ${rows.toLocaleString("en-US")} rows of ${what} has a caption (all are malformed or empty): there is nothing to index (pass --max-malformed 1 to build it anyway).`,
  );
}
