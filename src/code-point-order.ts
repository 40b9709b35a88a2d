/**
 * Locale-independent string order, so outputs are byte-identical everywhere: UTF-16 code-unit order,
 * as `<` and Array.prototype.sort compare (the posting-run merge in postings/merge-runs.ts relies on
 * the same order). It equals code-point order except that U+E000..U+FFFF sort after the astral planes.
 */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
