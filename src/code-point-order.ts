/** Code-point string order: locale-independent, so outputs are byte-identical everywhere. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
