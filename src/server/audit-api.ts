/**
 * The audit view's data: the audit CSV read (and checked) once at start. The view keeps labels in
 * the browser's localStorage under a key made of the file's content hash, so labels of one sample
 * never leak into another; the server never writes.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { readAuditFile } from "../audit/audit-file.js";

export interface AuditView {
  /** The file's name (the export is offered under it). */
  name: string;
  /** The first 16 hex digits of the file's SHA-256. */
  id: string;
  rows: { concept: string; matches: number | null; doc: number; caption: string; relevant: 1 | 0 | null }[];
}

export function loadAuditView(path: string): AuditView {
  const rows = readAuditFile(path);
  const id = createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 16);
  return {
    name: basename(path),
    id,
    rows: rows.map((r) => ({ concept: r.concept, matches: r.matches ?? null, doc: r.doc, caption: r.caption, relevant: r.relevant === undefined ? null : r.relevant ? 1 : 0 })),
  };
}
