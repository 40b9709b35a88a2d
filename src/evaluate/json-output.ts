/**
 * JSON text for result files, with object keys in a chosen order. (A plain JavaScript object puts
 * integer-like keys such as "7" first, whatever order they were added in; result files promise e.g.
 * "classes in file order", so ordered objects are written from explicit entry lists.)
 */

/** An object whose keys are written in the order of `entries`. */
export class OrderedObject {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

/** An ordered object from a record and the key order (keys missing from the record are skipped). */
export function ordered(record: Readonly<Record<string, unknown>>, keys: Iterable<string>): OrderedObject {
  const entries: [string, unknown][] = [];
  for (const k of keys) if (Object.prototype.hasOwnProperty.call(record, k)) entries.push([k, record[k]]);
  return new OrderedObject(entries);
}

function write(value: unknown, indent: string, step: string): string {
  if (value instanceof OrderedObject) return writeEntries(value.entries, indent, step);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inner = indent + step;
    return `[\n${value.map((v) => inner + write(v, inner, step)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") return writeEntries(Object.entries(value), indent, step);
  return JSON.stringify(value ?? null);
}

function writeEntries(entries: ReadonlyArray<readonly [string, unknown]>, indent: string, step: string): string {
  const kept = entries.filter(([, v]) => v !== undefined);
  if (kept.length === 0) return "{}";
  const inner = indent + step;
  return `{\n${kept.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${write(v, inner, step)}`).join(",\n")}\n${indent}}`;
}

/** JSON text (2-space indentation, trailing newline) honouring OrderedObject key order. */
export function formatJson(value: unknown): string {
  return write(value, "", "  ") + "\n";
}

/** 100 · part / whole rounded to 2 decimals (half up), as the paper's result files report. */
export function percent(part: number, whole: number): number {
  return Math.round((part * 10000) / whole) / 100;
}
