/**
 * Writing RFC 4180 CSV: a field is quoted only when it must be (a quote, comma or line break, or
 * leading/trailing whitespace that a reader might trim); null and undefined are empty fields.
 * Reading is src/corpus/csv.ts (parseCsv).
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly unknown[]): string {
  return fields.map(csvField).join(",") + "\n";
}

export function csvTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return csvLine(header) + rows.map(csvLine).join("");
}
