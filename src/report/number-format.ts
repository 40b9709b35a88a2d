/** Number formatting shared by the text reports. */

/** A number to `digits` significant digits without trailing zeros; "n/a" for null. */
export function sig(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, "e");
  return String(Number(v.toPrecision(digits)));
}

/** A p-value: 4 decimals down to 1e-4, then scientific ("3.2e-12"). */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "n/a";
  if (p === 0) return "< 1e-300";
  if (p >= 1e-4) return p.toFixed(4);
  return p.toExponential(1);
}

/** A share in [0, 1] as a percentage with one decimal. */
export function percent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "n/a";
  return `${(v * 100).toFixed(1)}%`;
}

/** An integer with thousands separators. */
export function count(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString("en-US") : sig(v);
}

/** Left-aligned columns, two spaces apart; numbers right-aligned. */
/** "1 concept", "2 concepts": a count and its noun, singular for exactly one. */
export function countOf(v: number, noun: string, plural = `${noun}s`): string {
  return `${count(v)} ${v === 1 ? noun : plural}`;
}

export function table(rows: string[][], numeric: boolean[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = " ".repeat(widths[i]! - [...cell].length);
        return numeric[i] ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd(),
  );
}
