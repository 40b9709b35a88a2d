/**
 * The study manifest (study.json or study.yaml): which corpora to count in, which downstream datasets
 * (a concept list and per-model result files) to fit, and which analyses to run.
 *
 * Relative paths are resolved against the manifest's own directory. A malformed manifest is a
 * UserError that names the offending key: `study.yaml: datasets[0].results[1].pointer: expected a string.`
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { UserError } from "../errors.js";

import type { CountMode } from "../image/count-modes.js";

export type { CountMode };
/** How a concept's frequency is measured: captions (text), image tags (image), or both at once (integrated). */
export const COUNT_MODES = ["text", "image", "integrated"] as const satisfies readonly CountMode[];

/** Names end up in file names: letters, digits, ".", "_" and "-" only. */
const NAME = z
  .string({ error: "expected a string" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, { error: 'expected a name of letters, digits, ".", "_" or "-" (at most 80, not starting with a punctuation mark)' });
const PATH = z.string({ error: "expected a string" }).min(1, { error: "expected a non-empty path" });
const nonNegInt = z.number({ error: "expected a number" }).int({ error: "expected an integer" }).min(0, { error: "expected an integer of at least 0" });

const ImageSchema = z.strictObject({
  /** Image index directory (see the image stage). */
  index: PATH,
  /** Tag score threshold, when the image index keeps scores. */
  threshold: z.number({ error: "expected a number" }).optional(),
});

const CorpusSchema = z.strictObject({
  name: NAME,
  /** Text index directory (conceptfreq index build). */
  index: PATH,
  /** Counting rule for captions: paper (default) or phrase. */
  match: z.enum(["paper", "phrase"], { error: 'expected "paper" or "phrase"' }).optional(),
  /** Example captions kept per concept for the dashboard (default 5, at most 50). */
  examples: nonNegInt.max(50, { error: "expected at most 50" }).optional(),
  image: ImageSchema.optional(),
});

const ResultSchema = z.strictObject({
  model: NAME,
  /** A JSON file (or CSV/TSV concept,value table) of per-concept performance. */
  file: PATH,
  /** RFC 6901 JSON pointer to the concept -> performance map inside `file` ("" or absent: the whole file). */
  pointer: z.string({ error: "expected a string" }).optional(),
  /** Fit this model against these corpora only (default: every corpus). */
  corpora: z.array(NAME, { error: "expected a list of corpus names" }).min(1, { error: "expected at least one corpus name" }).optional(),
});

const DatasetSchema = z.strictObject({
  name: NAME,
  /** Concept list: .txt / .json / .csv file or builtin:NAME. */
  concepts: PATH,
  results: z.array(ResultSchema, { error: "expected a list of result files" }).min(1, { error: "expected at least one result file" }),
});

const FitSchema = z.strictObject({
  zeroAs: z.number({ error: "expected a number" }).positive({ error: "expected a positive number" }).optional(),
  bootstrap: nonNegInt.optional(),
  seed: nonNegInt.optional(),
  bins: z.number({ error: "expected a number" }).int({ error: "expected an integer" }).min(2, { error: "expected an integer of at least 2" }).optional(),
  trim: z.tuple([nonNegInt, nonNegInt], { error: "expected two integers [low, high]" }).optional(),
  binning: z.enum(["paper", "quantile"], { error: 'expected "paper" or "quantile"' }).optional(),
  /** How many outliers (largest |residual|) to list per fit (default 10). */
  outliers: nonNegInt.optional(),
});

const AnalysesSchema = z.strictObject({
  modes: z
    .array(z.enum(COUNT_MODES, { error: 'expected "text", "image" or "integrated"' }), { error: "expected a list of count modes" })
    .min(1, { error: "expected at least one count mode" })
    .optional(),
  fit: FitSchema.optional(),
  tail: z.union([z.boolean(), z.strictObject({ rarest: nonNegInt.optional() })], { error: "expected true, false or { rarest: N }" }).optional(),
  crossCorpus: z.boolean({ error: "expected true or false" }).optional(),
  plots: z.boolean({ error: "expected true or false" }).optional(),
  report: z.boolean({ error: "expected true or false" }).optional(),
});

const StudySchema = z.strictObject({
  version: z.literal(1, { error: "expected 1 (the only manifest version)" }).optional(),
  name: z.string({ error: "expected a string" }).optional(),
  corpora: z.array(CorpusSchema, { error: "expected a list of corpora" }).min(1, { error: "expected at least one corpus" }),
  datasets: z.array(DatasetSchema, { error: "expected a list of datasets" }).optional(),
  analyses: AnalysesSchema.optional(),
});

type RawStudy = z.infer<typeof StudySchema>;

export interface StudyCorpus {
  name: string;
  /** Absolute path of the text index. */
  index: string;
  match: "paper" | "phrase";
  examples: number;
  image?: { index: string; threshold?: number };
}

export interface StudyResult {
  model: string;
  file: string;
  pointer: string;
  /** Corpus names this model is fitted against. */
  corpora: string[];
}

export interface StudyDataset {
  name: string;
  /** Absolute path or builtin:NAME. */
  concepts: string;
  results: StudyResult[];
}

export interface StudyFitOptions {
  zeroAs: number;
  bootstrap: number;
  seed: number;
  bins: number;
  /** Binned points dropped at each end (default: 1,1 for paper binning, 0,0 for quantile). */
  trim?: [number, number];
  binning: "paper" | "quantile";
  outliers: number;
}

/** A validated manifest with defaults filled in and paths made absolute. */
export interface StudyManifest {
  /** Where it was read from ("" when built in memory). */
  source: string;
  name: string;
  corpora: StudyCorpus[];
  datasets: StudyDataset[];
  analyses: {
    modes: CountMode[];
    fit: StudyFitOptions;
    tail: { rarest: number } | false;
    crossCorpus: boolean;
    plots: boolean;
    report: boolean;
  };
}

export const DEFAULT_FIT: StudyFitOptions = { zeroAs: 1, bootstrap: 1000, seed: 0, bins: 12, binning: "paper", outliers: 10 };

/** Reads and validates a study manifest (.json, .yaml or .yml). */
export function readStudyManifest(path: string): StudyManifest {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UserError(`${path} is a directory; give the study manifest file (study.json or study.yaml).`);
    text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read study manifest ${path}: no such file.`);
  }
  const ext = extname(path).toLowerCase();
  let raw: unknown;
  if (ext === ".json") {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new UserError(`${path}: not valid JSON (${(e as Error).message}).`);
    }
  } else if (ext === ".yaml" || ext === ".yml") {
    try {
      raw = parseYaml(text, { prettyErrors: false });
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos ? `line ${e.linePos[0].line}: ` : "";
      const msg = (e as Error).message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new UserError(`${path}: ${where}not valid YAML (${msg}).`);
    }
  } else {
    throw new UserError(`${path}: a study manifest must be a .json, .yaml or .yml file.`);
  }
  return validateStudyManifest(raw, path, dirname(resolve(path)));
}

/** Validates a parsed manifest; `source` names it in errors, `baseDir` resolves its relative paths. */
export function validateStudyManifest(raw: unknown, source: string, baseDir: string): StudyManifest {
  const parsed = StudySchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`${source}: ${describeIssue(parsed.error.issues[0]!, raw)}`);
  return normalise(parsed.data, source, baseDir);
}

function fail(source: string, key: string, message: string): never {
  throw new UserError(`${source}: ${key}: ${message}.`);
}

function normalise(s: RawStudy, source: string, baseDir: string): StudyManifest {
  const abs = (p: string) => (p.startsWith("builtin:") ? p : resolve(baseDir, p));
  const corpusNames = new Set<string>();
  const corpora: StudyCorpus[] = s.corpora.map((c, i) => {
    if (corpusNames.has(c.name)) fail(source, `corpora[${i}].name`, `"${c.name}" names two corpora; corpus names must be unique`);
    corpusNames.add(c.name);
    const out: StudyCorpus = { name: c.name, index: abs(c.index), match: c.match ?? "paper", examples: c.examples ?? 5 };
    if (c.image) out.image = { index: abs(c.image.index), ...(c.image.threshold !== undefined ? { threshold: c.image.threshold } : {}) };
    return out;
  });
  const datasetNames = new Set<string>();
  const datasets: StudyDataset[] = (s.datasets ?? []).map((d, i) => {
    if (datasetNames.has(d.name)) fail(source, `datasets[${i}].name`, `"${d.name}" names two datasets; dataset names must be unique`);
    datasetNames.add(d.name);
    const models = new Set<string>();
    const results = d.results.map((r, j) => {
      const key = `datasets[${i}].results[${j}]`;
      if (models.has(r.model)) fail(source, `${key}.model`, `"${r.model}" appears twice in dataset "${d.name}"; model names must be unique within a dataset`);
      models.add(r.model);
      const pointer = r.pointer ?? "";
      if (pointer !== "" && !pointer.startsWith("/")) fail(source, `${key}.pointer`, `"${pointer}" is not a JSON pointer (it must be empty or start with "/")`);
      (r.corpora ?? []).forEach((name, k) => {
        if (!corpusNames.has(name)) fail(source, `${key}.corpora[${k}]`, `"${name}" is not a corpus of this study (corpora: ${[...corpusNames].join(", ")})`);
      });
      return { model: r.model, file: abs(r.file), pointer, corpora: r.corpora ?? corpora.map((c) => c.name) };
    });
    return { name: d.name, concepts: abs(d.concepts), results };
  });
  const a = s.analyses ?? {};
  const modes = a.modes ?? (corpora.some((c) => c.image) ? [...COUNT_MODES] : ["text" as const]);
  const seen = new Set<CountMode>();
  modes.forEach((m, i) => {
    if (seen.has(m)) fail(source, `analyses.modes[${i}]`, `"${m}" is listed twice`);
    seen.add(m);
    if (m !== "text" && !corpora.some((c) => c.image)) {
      fail(source, `analyses.modes[${i}]`, `"${m}" counting needs a corpus with an image index (corpora[].image.index)`);
    }
  });
  const tail = a.tail === undefined || a.tail === true ? { rarest: 10 } : a.tail === false ? false : { rarest: a.tail.rarest ?? 10 };
  return {
    source,
    name: s.name ?? "study",
    corpora,
    datasets,
    analyses: {
      modes,
      fit: { ...DEFAULT_FIT, ...dropUndefined(a.fit ?? {}) } as StudyFitOptions,
      tail,
      crossCorpus: a.crossCorpus ?? true,
      plots: a.plots ?? true,
      report: a.report ?? true,
    },
  };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `datasets[0].results[1].pointer` from ["datasets", 0, "results", 1, "pointer"]. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else {
      const s = String(p);
      const plain = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s);
      out += plain ? (out === "" ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    }
  }
  return out === "" ? "(top level)" : out;
}

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  keys?: string[];
  errors?: Issue[][];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let here = root;
  for (const p of path) {
    if (here === null || typeof here !== "object") return undefined;
    here = (here as Record<PropertyKey, unknown>)[p as string];
  }
  return here;
}

/** One sentence for the first problem: "key.path: what was expected." */
function describeIssue(issue: Issue, raw: unknown): string {
  const key = formatKeyPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys ?? [];
    const at = keys.length === 1 ? formatKeyPath([...issue.path, keys[0]!]) : key;
    return `${at}: unknown key${keys.length === 1 ? "" : "s"} ${keys.map((k) => `"${k}"`).join(", ")}.`;
  }
  if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined) {
    return `${key}: missing (${stripTrailingDot(humanise(issue))}).`;
  }
  if (issue.code === "invalid_union") {
    return `${key}: ${stripTrailingDot(issue.message === "Invalid input" ? "has the wrong shape" : issue.message)}.`;
  }
  return `${key}: ${stripTrailingDot(humanise(issue))}.`;
}

function humanise(issue: Issue): string {
  // Our schema gives its own messages; zod's defaults ("Invalid input: expected string, received number") are reworded.
  const m = issue.message.replace(/^Invalid input: /, "");
  return m.replace(/, received \w+$/, "");
}

function stripTrailingDot(s: string): string {
  return s.endsWith(".") ? s.slice(0, -1) : s;
}
