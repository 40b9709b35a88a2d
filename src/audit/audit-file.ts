/**
 * The audit CSV (RFC 4180, UTF-8, header row), written by `audit sample`, labelled by a person (in
 * the dashboard's audit view or a spreadsheet) and read by `audit apply`:
 *
 *   concept,matches,doc,caption,relevant
 *   crane,1234,77,"a crane lifts steel beams, at dusk",
 *
 *   concept   the concept's name as in the concept list
 *   matches   the concept's matching captions in the index the sample was drawn from
 *   doc       the caption's doc id in that index
 *   caption   the caption text
 *   relevant  empty until labelled: 1/yes/y/true (relevant) or 0/no/n/false (not), any case
 *
 * Columns are found by name, so their order may change; `matches` and `caption` may be left out.
 */
import { readFileSync, statSync } from "node:fs";
import { parseCsv } from "../corpus/csv.js";
import { UserError } from "../errors.js";
import { csvTable } from "../io/csv-write.js";
import type { AuditSampleRow } from "./sample.js";

export const AUDIT_COLUMNS = ["concept", "matches", "doc", "caption", "relevant"] as const;

/** The label a person gave: true (relevant), false (not), undefined (not labelled yet). */
export type AuditLabel = boolean | undefined;

export interface AuditRow {
  concept: string;
  /** undefined when the file has no `matches` column or the cell is blank. */
  matches: number | undefined;
  doc: number;
  caption: string;
  relevant: AuditLabel;
}

const YES = new Set(["1", "yes", "y", "true"]);
const NO = new Set(["0", "no", "n", "false"]);

/** Parses a `relevant` cell: a label, undefined for blank, or null when it is none of the accepted values. */
export function parseLabel(cell: string): AuditLabel | null {
  const v = cell.trim().toLowerCase();
  if (v === "") return undefined;
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  return null;
}

/** The audit CSV for sampled rows (labels empty) or labelled ones (1/0). */
export function formatAuditCsv(rows: readonly (AuditSampleRow | AuditRow)[]): string {
  return csvTable(
    AUDIT_COLUMNS,
    rows.map((r) => [r.concept, r.matches, r.doc, r.caption, !("relevant" in r) || r.relevant === undefined ? "" : r.relevant ? 1 : 0]),
  );
}

/** Reads and checks an audit CSV; every problem a user can cause is a UserError naming the file. */
export function readAuditFile(path: string): AuditRow[] {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UserError(`the audit file ${path} is a directory, not a CSV file.`);
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read the audit file ${path}: no such file.`);
  }
  return parseAuditCsv(text, path);
}

/** Parses audit CSV text (`where` names it in messages). */
export function parseAuditCsv(text: string, where: string): AuditRow[] {
  const records = parseCsv(text).filter((r) => !(r.length === 1 && r[0]!.trim() === ""));
  if (records.length === 0) throw new UserError(`the audit file ${where} is empty; expected a header row "${AUDIT_COLUMNS.join(",")}".`);
  const header = records[0]!.map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  for (const name of ["concept", "doc", "relevant"]) {
    if (col(name) < 0) throw new UserError(`the audit file ${where} has no "${name}" column (its header is "${records[0]!.join(",")}").`);
  }
  const [cConcept, cDoc, cRel, cMatches, cCaption] = [col("concept"), col("doc"), col("relevant"), col("matches"), col("caption")];
  const rows: AuditRow[] = [];
  const seen = new Set<string>();
  const matchesOf = new Map<string, number>();
  const badLabels: { row: number; value: string }[] = [];
  for (let i = 1; i < records.length; i++) {
    const r = records[i]!;
    const at = `${where} row ${i + 1}`;
    if (r.length !== header.length) throw new UserError(`${at} has ${r.length} fields, not ${header.length} as the header has.`);
    const concept = r[cConcept]!;
    if (concept.trim() === "") throw new UserError(`${at} has an empty concept.`);
    const docCell = r[cDoc]!.trim();
    if (!/^(0|[1-9][0-9]{0,15})$/.test(docCell) || !Number.isSafeInteger(Number(docCell))) throw new UserError(`${at}: the doc id "${r[cDoc]}" is not a non-negative integer.`);
    const doc = Number(docCell);
    const key = `${concept}\u0000${doc}`;
    if (seen.has(key)) throw new UserError(`${at}: doc ${doc} of "${concept}" appears twice.`);
    seen.add(key);
    let matches: number | undefined;
    if (cMatches >= 0 && r[cMatches]!.trim() !== "") {
      const m = r[cMatches]!.trim();
      if (!/^(0|[1-9][0-9]{0,15})$/.test(m)) throw new UserError(`${at}: matches "${r[cMatches]}" is not a non-negative integer.`);
      matches = Number(m);
      const before = matchesOf.get(concept);
      if (before !== undefined && before !== matches) throw new UserError(`${at}: "${concept}" has matches ${matches} here but ${before} on an earlier row.`);
      matchesOf.set(concept, matches);
    }
    const label = parseLabel(r[cRel]!);
    if (label === null) {
      badLabels.push({ row: i + 1, value: r[cRel]! });
      continue;
    }
    rows.push({ concept, matches, doc, caption: cCaption >= 0 ? r[cCaption]! : "", relevant: label });
  }
  if (badLabels.length > 0) {
    const first = badLabels[0]!;
    throw new UserError(
      `${where}: ${badLabels.length} row(s) have a "relevant" value other than 1/0, yes/no, y/n, true/false or blank (first: row ${first.row}, ${JSON.stringify(first.value)}).`,
    );
  }
  return rows;
}
