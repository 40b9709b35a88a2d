/**
 * Key-based alignment: when the image rows (embeddings, tag files) are not in the text index's row
 * order, each image row carries a key (LAION's `key`, WebDataset's `__key__`) and so does each doc.
 *
 * A key list is read from:
 *   .txt / .keys      one key per line, the line's whole text (a trailing newline ends the last line);
 *   a corpus file     (.parquet, .jsonl, .csv/.tsv with a header row, WebDataset .tar) through the
 *                     corpus readers, taking the key column (default "key"; WebDataset: `__key__`).
 * The doc keys are the keys of the docs in doc-id order (e.g. the parquet files the text index was
 * built from, in the same order); every doc key must be unique.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import { createInterface } from "node:readline";
import { UserError } from "../errors.js";
import { detectFormat, openCorpus } from "../corpus/open.js";

export const DEFAULT_KEY_COLUMN = "key";

function isLineList(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === ".txt" || ext === ".keys";
}

/** Streams the keys of one file, in row order, in batches. */
export async function* readKeys(path: string, keyColumn = DEFAULT_KEY_COLUMN): AsyncGenerator<string[]> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`cannot read the key file ${path}: no such file.`);
  if (isLineList(path)) {
    const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
    let batch: string[] = [];
    for await (const line of lines) {
      batch.push(line);
      if (batch.length >= 4096) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    return;
  }
  const format = detectFormat(path);
  const rows =
    format === "wds"
      ? openCorpus(path, { format })
      : openCorpus(path, { format, header: true, textColumn: keyColumn, strict: false });
  for await (const batch of rows) {
    const keys: string[] = [];
    for (const row of batch) {
      const key = format === "wds" ? row.key : row.text;
      if (key === undefined || key === "") {
        throw new UserError(`${path} has no key at row ${row.location} (key column "${format === "wds" ? "__key__" : keyColumn}").`);
      }
      keys.push(key);
    }
    yield keys;
  }
}

/** Reads every key of the files, in order. */
export async function readKeyList(paths: readonly string[], keyColumn?: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) for await (const batch of readKeys(p, keyColumn)) for (const k of batch) out.push(k);
  return out;
}

/** The doc id of every doc key, and which docs an image row has already claimed. */
export class DocKeys {
  private readonly byKey = new Map<string, number>();
  private readonly claimed: Uint8Array;
  unmatchedRows = 0;

  private constructor(
    readonly sources: readonly string[],
    keys: readonly string[],
  ) {
    keys.forEach((k, doc) => {
      const prev = this.byKey.get(k);
      if (prev !== undefined) throw new UserError(`The doc key "${k}" appears twice in ${sources.join(", ")} (docs ${prev} and ${doc}); keys must be unique.`);
      this.byKey.set(k, doc);
    });
    this.claimed = new Uint8Array(keys.length);
  }

  static async read(paths: readonly string[], keyColumn?: string): Promise<DocKeys> {
    if (paths.length === 0) throw new UserError("Key alignment needs the doc keys (--keys).");
    return new DocKeys(paths, await readKeyList(paths, keyColumn));
  }

  static fromKeys(keys: readonly string[], source = "the doc keys"): DocKeys {
    return new DocKeys([source], keys);
  }

  get docCount(): number {
    return this.claimed.length;
  }

  /**
   * The doc an image row with this key belongs to, or undefined when no doc has the key (the row is
   * counted as unmatched). Two image rows with one key are an error: a doc has one image.
   */
  claim(key: string, where: string): number | undefined {
    const doc = this.byKey.get(key);
    if (doc === undefined) {
      this.unmatchedRows++;
      return undefined;
    }
    if (this.claimed[doc]) throw new UserError(`${where}: the key "${key}" is given to a second image row; each doc has one image.`);
    this.claimed[doc] = 1;
    return doc;
  }

  /** Docs no image row claimed. */
  docsWithoutImage(): number {
    let n = 0;
    for (let i = 0; i < this.claimed.length; i++) if (!this.claimed[i]) n++;
    return n;
  }
}
