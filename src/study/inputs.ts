/**
 * A study's inputs, read and checked before anything is written: result files (one model each, or many
 * models named by a keys pattern), concept lists, aliases and count files. Every problem is collected
 * and reported at once; what is soft (a count file missing for one dataset, keys naming a corpus the
 * study does not have) becomes a warning or a note.
 */
import { existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import { UserError } from "../errors.js";
import { compareCodePoints } from "../code-point-order.js";
import { readConceptList } from "../concepts/concept-list.js";
import { readCountIntervals, readText, readValueMap, resolvePointer, valueMapFromJson, escapePointerToken } from "../analysis/value-map.js";
import { aliasesFromObject, aliasNames, applyAliases, readAliasFile, type AliasMap } from "../analysis/aliases.js";
import { displayPath } from "./display-path.js";
import { expandStudyConcepts, type StudyExpansions } from "./synonyms.js";
import { keysPattern, type CountMode, type StudyDataset, type StudyManifest, type StudyResult } from "./manifest.js";

export { displayPath };

/** One model's per-concept performance on one dataset. */
export interface ModelResult {
  model: string;
  /** The corpora this performance is fitted against. */
  corpora: string[];
  perf: Map<string, number>;
  /** "file#/pointer" as shown in messages (relative to the current directory). */
  spec: string;
  /** The absolute file and the pointer inside it. */
  file: string;
  pointer: string;
}

export interface DatasetInputs extends StudyDataset {
  concepts_: string[];
  aliasMap: AliasMap;
  models: ModelResult[];
}

/** A count file read for one (corpus, mode, dataset). */
export interface CountFileInput {
  corpus: string;
  mode: CountMode;
  dataset: string;
  file: string;
  counts: Map<string, number>;
  /** The counts' 95% intervals ({concept: {count, low, high}} files: an audit's or a sampled index's); empty: exact counts. */
  intervals: Map<string, { low: number; high: number }>;
}

export interface StudyInputs {
  datasets: DatasetInputs[];
  countFiles: CountFileInput[];
  /** (corpus, mode) pairs counted from files rather than indexes. */
  fileModes: { corpus: string; mode: CountMode }[];
  /** The synonym expansions of the datasets' concepts, per corpus counted from a text index. */
  expansions: StudyExpansions;
  warnings: string[];
  notes: string[];
}

/** Parsed JSON documents by absolute path (a results file of 21 models is parsed once). */
class JsonDocs {
  private docs = new Map<string, unknown>();
  get(path: string): unknown {
    if (!this.docs.has(path)) {
      const text = readText(displayPath(path));
      try {
        this.docs.set(path, JSON.parse(text));
      } catch (e) {
        throw new UserError(`${displayPath(path)} is not valid JSON (${(e as Error).message}).`);
      }
    }
    return this.docs.get(path);
  }
}

function scaled(m: Map<string, number>, scale: number): Map<string, number> {
  if (scale === 1) return m;
  const out = new Map<string, number>();
  for (const [k, v] of m) out.set(k, v * scale);
  return out;
}

function isJsonFile(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === ".json" || (ext !== ".csv" && ext !== ".tsv" && /^\s*[{[]/.test(readText(path).slice(0, 64)));
}

function checkFile(path: string, what: string): string | undefined {
  if (!existsSync(path)) return `${what} ${displayPath(path)} does not exist.`;
  if (statSync(path).isDirectory()) return `${what} ${displayPath(path)} is a directory, not a file.`;
  return undefined;
}

/** The models of one result entry (one, or each top-level key its keys pattern matches). */
function readResultEntry(r: StudyResult, d: StudyDataset, m: StudyManifest, docs: JsonDocs, skippedCorpora: Map<string, number>): ModelResult[] {
  const corpusNames = new Set(m.corpora.map((c) => c.name));
  const shown = displayPath(r.file);
  const problem = checkFile(r.file, `dataset "${d.name}": the result file`);
  if (problem) throw new UserError(problem);
  if (r.model !== undefined) {
    let perf: Map<string, number>;
    if (isJsonFile(r.file)) {
      const where = r.pointer === "" ? shown : `${shown}#${r.pointer}`;
      perf = valueMapFromJson(r.pointer === "" ? docs.get(r.file) : resolvePointer(docs.get(r.file), r.pointer), where, { reduce: r.reduce });
    } else {
      if (r.pointer !== "") throw new UserError(`${shown} is not a JSON file, so it cannot take a JSON pointer ("#${r.pointer}").`);
      perf = readValueMap(shown, { reduce: r.reduce });
    }
    return [{ model: r.model, corpora: r.corpora, perf: scaled(perf, r.scale), spec: r.pointer === "" ? shown : `${shown}#${r.pointer}`, file: r.file, pointer: r.pointer }];
  }
  const doc = docs.get(r.file);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new UserError(`${shown} is not a JSON object, so keys "${r.keys}" names nothing in it.`);
  const { regex, names } = keysPattern(r.keys!);
  const out: ModelResult[] = [];
  for (const key of Object.keys(doc)) {
    const hit = regex.exec(key);
    if (!hit) continue;
    const groups: Record<string, string> = {};
    names.forEach((n, i) => (groups[n] = hit[i + 1]!));
    let corpora = r.corpora;
    if (groups.corpus !== undefined) {
      if (!corpusNames.has(groups.corpus)) {
        skippedCorpora.set(groups.corpus, (skippedCorpora.get(groups.corpus) ?? 0) + 1);
        continue;
      }
      corpora = r.corpora.filter((c) => c === groups.corpus);
      if (corpora.length === 0) continue;
    }
    const pointer = `/${escapePointerToken(key)}${r.pointer}`;
    const spec = `${shown}#${pointer}`;
    const perf = valueMapFromJson(resolvePointer(doc, pointer), spec, { reduce: r.reduce });
    out.push({ model: groups.model!, corpora, perf: scaled(perf, r.scale), spec, file: r.file, pointer });
  }
  if (out.length === 0 && ![...Object.keys(doc)].some((k) => regex.test(k))) {
    const some = Object.keys(doc).slice(0, 3).map((k) => `"${k}"`).join(", ");
    throw new UserError(`dataset "${d.name}": no top-level key of ${shown} matches keys "${r.keys}"${some ? ` (keys: ${some}${Object.keys(doc).length > 3 ? ", ..." : ""})` : ""}.`);
  }
  return out;
}

/** Reads every input the manifest names (nothing is written); throws one UserError listing all problems. */
export function readStudyInputs(m: StudyManifest, onWarning?: (w: string) => void): StudyInputs {
  const problems: string[] = [];
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    onWarning?.(w); // at once: a run that then fails on a problem has shown its warnings
  };
  const notes: string[] = [];
  const docs = new JsonDocs();
  const skippedCorpora = new Map<string, number>();
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof UserError) {
        problems.push(e.message);
        return undefined;
      }
      throw e;
    }
  };

  const datasets: DatasetInputs[] = [];
  for (const d of m.datasets) {
    const aliasMap: AliasMap =
      attempt(() =>
        typeof d.aliases === "string" ? readAliasFile(d.aliases, new Map(), displayPath(d.aliases)) : aliasesFromObject(d.aliases, `${m.source}: dataset "${d.name}": aliases`),
      ) ?? new Map();
    const models: ModelResult[] = [];
    for (const r of d.results) {
      const got = attempt(() => readResultEntry(r, d, m, docs, skippedCorpora));
      for (const mr of got ?? []) {
        const perf = attempt(() => applyAliases(mr.perf, aliasMap, mr.spec));
        if (!perf) continue;
        const clash = models.find((x) => x.model === mr.model && x.corpora.some((c) => mr.corpora.includes(c)));
        if (clash) {
          problems.push(`dataset "${d.name}": model "${mr.model}" has two results for corpus "${clash.corpora.find((c) => mr.corpora.includes(c))}" (${clash.spec} and ${mr.spec}).`);
          continue;
        }
        models.push({ ...mr, perf });
      }
    }
    let concepts: string[] = [];
    if (d.concepts !== undefined) {
      const list = attempt(() => readConceptList(displayPath(d.concepts!)));
      if (list) concepts = aliasNames(list.concepts, aliasMap);
    } else {
      const seen = new Set<string>();
      for (const mr of models) for (const c of mr.perf.keys()) if (!seen.has(c)) (seen.add(c), concepts.push(c));
    }
    datasets.push({ ...d, concepts_: concepts, aliasMap, models });
  }
  if (skippedCorpora.size > 0) {
    const list = [...skippedCorpora].sort((a, b) => compareCodePoints(a[0], b[0])).map(([c, n]) => `${c} (${n})`);
    notes.push(`result keys naming a corpus that is not one of the study's are skipped: ${list.join(", ")}.`);
  }

  const noExpansions: StudyExpansions = { get: () => undefined, all: () => [] };
  const expansions = attempt(() => expandStudyConcepts(m, datasets, (n) => notes.push(n))) ?? noExpansions;

  const countFiles: CountFileInput[] = [];
  const fileModes: StudyInputs["fileModes"] = [];
  const read = new Map<string, { counts: Map<string, number>; intervals: Map<string, { low: number; high: number }> }>();
  for (const c of m.corpora) {
    for (const mode of m.analyses.modes) {
      const pattern = c.counts[mode];
      if (pattern === undefined) continue;
      fileModes.push({ corpus: c.name, mode });
      if (!pattern.includes("{dataset}")) {
        const problem = checkFile(pattern, `corpus "${c.name}", ${mode} counts:`);
        if (problem) {
          problems.push(problem);
          continue;
        }
      }
      for (const d of datasets) {
        const file = pattern.replaceAll("{dataset}", d.countsAs);
        if (!existsSync(file)) {
          warn(`corpus "${c.name}", ${mode} mode, dataset "${d.name}": no count file ${displayPath(file)}; the dataset is left out of this corpus and mode.`);
          continue;
        }
        let got = read.get(file);
        if (!got) {
          got = attempt(() => ({ counts: readValueMap(displayPath(file)), intervals: readCountIntervals(displayPath(file)) })) ?? undefined;
          if (!got) continue;
          read.set(file, got);
        }
        const { counts, intervals } = got;
        const aliased = attempt(() => ({ counts: applyAliases(counts, d.aliasMap, displayPath(file)), intervals: applyAliases(intervals, d.aliasMap, displayPath(file)) }));
        if (aliased) countFiles.push({ corpus: c.name, mode, dataset: d.name, file, ...aliased });
      }
    }
  }

  if (problems.length === 1) throw new UserError(problems[0]!);
  if (problems.length > 1) throw new UserError(`${problems.length} problems with the study's inputs:\n  ${problems.join("\n  ")}`);
  return { datasets, countFiles, fileModes, expansions, warnings, notes };
}
