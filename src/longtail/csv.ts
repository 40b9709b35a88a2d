/** RFC 4180 CSV for the long-tail outputs: fields quoted only when needed, "\n" line ends. */

export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly (string | number)[]): string {
  return fields.map(csvField).join(",") + "\n";
}

export function csvTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return csvLine(header) + rows.map(csvLine).join("");
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF); a trailing newline adds no row. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let any = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
      any = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      any = false;
    } else {
      field += c;
      any = true;
    }
    i++;
  }
  if (any || field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
