/**
 * The study manifest (study.json or study.yaml): which corpora to count in, which downstream datasets
 * (a concept list and per-model result files) to fit, and which analyses to run.
 *
 * Relative paths are resolved against the root directory (the manifest's own directory unless
 * `--root` says otherwise). A malformed manifest is a UserError that names the offending key:
 * `study.yaml: datasets[0].results[1].pointer: expected a string.`
 *
 * Corpora can be text/image indexes or count files (`counts:` per mode, a file or a pattern with
 * `{dataset}` and `{corpus}`). Results can be one file per model or a file of many models whose
 * top-level keys match a pattern (`keys: backbone{model}_pretrained{corpus}`). `figures:` pool datasets
 * into one series per model, with their own binning settings.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { UserError } from "../errors.js";

import { COUNT_MODES, type CountMode } from "../image/count-modes.js";

export { COUNT_MODES, type CountMode };

/** Names end up in file names: letters, digits, ".", "_" and "-" only. */
const NAME = z
  .string({ error: "expected a string" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._=-]{0,79}$/, { error: 'expected a name of letters, digits, ".", "_", "=" or "-" (at most 80, not starting with a punctuation mark)' });
const PATH = z.string({ error: "expected a string" }).min(1, { error: "expected a non-empty path" });
const nonNegInt = z.number({ error: "expected a number" }).int({ error: "expected an integer" }).min(0, { error: "expected an integer of at least 0" });

const ImageSchema = z.strictObject({
  /** Image index directory (see the image stage). */
  index: PATH,
  /** Tag score threshold, when the image index keeps scores. */
  threshold: z.number({ error: "expected a number" }).optional(),
});

const MODE = z.enum(COUNT_MODES as readonly CountMode[] as [CountMode, ...CountMode[]], { error: 'expected "text", "image" or "integrated"' });

/** Count files per mode: a file, or a pattern with {dataset} (and {corpus}) in it. */
const CountsSchema = z.strictObject({ text: PATH.optional(), image: PATH.optional(), integrated: PATH.optional() });

/** wordnet, none (no expansion: overrides a setting above) or a frozen expansion file (the format `count --explain` writes). */
const SYNONYMS = z.string({ error: 'expected "wordnet", "none" or a synonym file' }).min(1, { error: 'expected "wordnet", "none" or a synonym file' });
const SENSES = z.enum(["first", "all"], { error: 'expected "first" or "all"' });
const SynonymSettings = { synonyms: SYNONYMS.optional(), senses: SENSES.optional() };

const TRIM = z.tuple([nonNegInt, nonNegInt], { error: "expected two integers [low, high]" });
const BINS = z.number({ error: "expected a number" }).int({ error: "expected an integer" }).min(2, { error: "expected an integer of at least 2" });
const BINNING = z.enum(["paper", "quantile"], { error: 'expected "paper" or "quantile"' });

const CorpusSchema = z.strictObject({
  name: NAME,
  /** Text index directory (conceptfreq index build). */
  index: PATH.optional(),
  /** Counts per mode, instead of or beside the indexes (a mode with counts reads them, not an index). */
  counts: CountsSchema.optional(),
  /** Counting rule for captions: paper (default) or phrase. */
  match: z.enum(["paper", "phrase"], { error: 'expected "paper" or "phrase"' }).optional(),
  /** Example captions kept per concept for the dashboard (default 5, at most 50). */
  examples: nonNegInt.max(50, { error: "expected at most 50" }).optional(),
  image: ImageSchema.optional(),
  /** Count concepts with their synonyms in this corpus' text index (overrides the study's). */
  ...SynonymSettings,
});

const ResultSchema = z.strictObject({
  /** The model's name (one model per entry), or */
  model: NAME.optional(),
  /** a pattern over the file's top-level keys naming many models: backbone{model}_pretrained{corpus}. */
  keys: z.string({ error: "expected a string" }).optional(),
  /** A JSON file (or CSV/TSV concept,value table) of per-concept performance; {dataset} stands for the dataset's name. */
  file: PATH,
  /** RFC 6901 JSON pointer to the concept -> performance map inside `file` (with keys: inside each key). */
  pointer: z.string({ error: "expected a string" }).optional(),
  /** Fit this model against these corpora only (default: every corpus; with {corpus} in keys: that corpus). */
  corpora: z.array(NAME, { error: "expected a list of corpus names" }).min(1, { error: "expected at least one corpus name" }).optional(),
  /** Multiply every value (100: recalls in 0..1 to percentage points). */
  scale: z.number({ error: "expected a number" }).positive({ error: "expected a positive number" }).optional(),
  /** A value that is a list (one score per prompt) becomes its mean or max. */
  reduce: z.enum(["mean", "max"], { error: 'expected "mean" or "max"' }).optional(),
});

const ResultsSchema = z.array(ResultSchema, { error: "expected a list of result files" }).min(1, { error: "expected at least one result file" });

const DatasetSchema = z.strictObject({
  name: NAME,
  /** Concept list: .txt / .json / .csv file or builtin:NAME (default: the concepts of its results). */
  concepts: PATH.optional(),
  /** The dataset's name in count file patterns ({dataset}); default its name. */
  countsAs: z.string({ error: "expected a string" }).min(1, { error: "expected a non-empty name" }).optional(),
  /** Other names of its concepts: {plane: airplane} renames plane to airplane in results and concept list, or a JSON file of them. */
  aliases: z.union([PATH, z.record(z.string(), z.string({ error: "expected a string" }))], { error: "expected {name: other name} or a JSON file" }).optional(),
  /** Default: the study's top-level results. */
  results: ResultsSchema.optional(),
  /** Count this dataset's concepts with their synonyms (overrides the corpus' and the study's). */
  ...SynonymSettings,
});

const BinSettings = {
  bins: BINS.optional(),
  trim: TRIM.optional(),
  binning: BINNING.optional(),
};

const FigureSchema = z.strictObject({
  name: NAME,
  title: z.string({ error: "expected a string" }).optional(),
  /** Datasets pooled into one series per model. */
  datasets: z.array(NAME, { error: "expected a list of dataset names" }).min(1, { error: "expected at least one dataset" }),
  ...BinSettings,
  modes: z.array(MODE, { error: "expected a list of count modes" }).min(1, { error: "expected at least one count mode" }).optional(),
  corpora: z.array(NAME, { error: "expected a list of corpus names" }).min(1, { error: "expected at least one corpus name" }).optional(),
  /** Per-corpus settings: {laion400m: {trim: [2, 1]}}. */
  perCorpus: z.record(z.string(), z.strictObject(BinSettings), { error: "expected {corpus: {bins, trim, binning}}" }).optional(),
});

const FitSchema = z.strictObject({
  zeroAs: z.number({ error: "expected a number" }).positive({ error: "expected a positive number" }).optional(),
  bootstrap: nonNegInt.optional(),
  seed: nonNegInt.optional(),
  bins: BINS.optional(),
  trim: TRIM.optional(),
  binning: BINNING.optional(),
  /** How many outliers (largest |residual|) to list per fit (default 10). */
  outliers: nonNegInt.optional(),
  /** Counts with intervals (a sampled index, count files {count, low, high}): the bootstrap draws each count within its interval (fit --count-uncertainty). */
  countUncertainty: z.boolean({ error: "expected true or false" }).optional(),
});

const AnalysesSchema = z.strictObject({
  modes: z
    .array(MODE, { error: "expected a list of count modes" })
    .min(1, { error: "expected at least one count mode" })
    .optional(),
  fit: FitSchema.optional(),
  tail: z
    .union([z.boolean(), z.strictObject({ rarest: nonNegInt.optional(), plot: z.enum(["log", "linear"], { error: 'expected "log" or "linear"' }).optional() })], {
      error: 'expected true, false or { rarest: N, plot: log | linear }',
    })
    .optional(),
  crossCorpus: z.boolean({ error: "expected true or false" }).optional(),
  /** true: every plot; "figures": the figures' plots and the tail plots only (many datasets: fewer plots); false: none. */
  plots: z.union([z.boolean(), z.literal("figures")], { error: 'expected true, false or "figures"' }).optional(),
  report: z.boolean({ error: "expected true or false" }).optional(),
});

const StudySchema = z.strictObject({
  version: z.literal(1, { error: "expected 1 (the only manifest version)" }).optional(),
  name: z.string({ error: "expected a string" }).optional(),
  corpora: z.array(CorpusSchema, { error: "expected a list of corpora" }).min(1, { error: "expected at least one corpus" }),
  datasets: z.array(DatasetSchema, { error: "expected a list of datasets" }).optional(),
  /** Result files of every dataset that has no results of its own ({dataset} in file names). */
  results: ResultsSchema.optional(),
  figures: z.array(FigureSchema, { error: "expected a list of figures" }).optional(),
  analyses: AnalysesSchema.optional(),
  /** Count every dataset's concepts with their synonyms on the text indexes (count --synonyms). */
  ...SynonymSettings,
});

type RawStudy = z.infer<typeof StudySchema>;
type RawResult = z.infer<typeof ResultSchema>;

/**
 * A synonym setting: WordNet's noun synsets (first or all senses) or a frozen expansion file
 * (absolute path); null: no expansion ("none").
 */
export type StudySynonyms = { source: "wordnet"; senses: "first" | "all" } | { source: "file"; file: string } | null;

export interface StudyCorpus {
  name: string;
  /** Absolute path of the text index (absent for a corpus of counts only). */
  index?: string;
  /** Absolute count file paths (or patterns with {dataset}) per mode. */
  counts: Partial<Record<CountMode, string>>;
  match: "paper" | "phrase";
  examples: number;
  image?: { index: string; threshold?: number };
  /** Its own synonym setting (undefined: the study's). */
  synonyms?: StudySynonyms;
}

export interface StudyResult {
  /** The model's name, or undefined when `keys` names the models. */
  model?: string;
  /** The pattern over top-level keys (backbone{model}_pretrained{corpus}). */
  keys?: string;
  /** Absolute path; may hold {dataset} (replaced by the dataset's name). */
  file: string;
  pointer: string;
  /** Corpus names this model is fitted against (a {corpus} in keys narrows it to that corpus). */
  corpora: string[];
  scale: number;
  reduce?: "mean" | "max";
}

export interface StudyDataset {
  name: string;
  /** Absolute path or builtin:NAME; undefined: the concepts of its results. */
  concepts?: string;
  /** {dataset} in count file patterns. */
  countsAs: string;
  /** Alias map (from the manifest or a JSON file: absolute path). */
  aliases: Record<string, string> | string;
  results: StudyResult[];
  /** Its own synonym setting (undefined: the corpus', then the study's). */
  synonyms?: StudySynonyms;
}

export interface BinSettings {
  bins: number;
  /** Binned points dropped at each end (default: 1,1 for paper binning, 0,0 for quantile). */
  trim?: [number, number];
  binning: "paper" | "quantile";
}

export interface StudyFigure {
  name: string;
  title: string;
  datasets: string[];
  modes: CountMode[];
  corpora: string[];
  settings: BinSettings;
  perCorpus: Record<string, Partial<BinSettings>>;
}

export interface StudyFitOptions extends BinSettings {
  zeroAs: number;
  bootstrap: number;
  seed: number;
  outliers: number;
  countUncertainty: boolean;
}

/** A validated manifest with defaults filled in and paths made absolute. */
export interface StudyManifest {
  /** Where it was read from ("" when built in memory). */
  source: string;
  name: string;
  corpora: StudyCorpus[];
  datasets: StudyDataset[];
  figures: StudyFigure[];
  /** The study-wide synonym setting (null: none). */
  synonyms: StudySynonyms;
  analyses: {
    modes: CountMode[];
    fit: StudyFitOptions;
    tail: { rarest: number; plot: "log" | "linear" } | false;
    crossCorpus: boolean;
    plots: boolean | "figures";
    report: boolean;
  };
}

export const DEFAULT_FIT: StudyFitOptions = { zeroAs: 1, bootstrap: 1000, seed: 0, bins: 12, binning: "paper", outliers: 10, countUncertainty: false };

export interface ReadManifestOptions {
  /** The directory relative paths resolve against (default: the manifest's own directory). */
  root?: string;
}

/** Reads and validates a study manifest (.json, .yaml or .yml). */
export function readStudyManifest(path: string, opts: ReadManifestOptions = {}): StudyManifest {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UserError(`${path} is a directory; give the study manifest file (study.json or study.yaml).`);
    text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read study manifest ${path}: no such file.`);
  }
  if (opts.root !== undefined && !(existsSync(opts.root) && statSync(opts.root).isDirectory())) {
    throw new UserError(`--root ${opts.root} is not a directory.`);
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
      raw = parseYaml(text, { prettyErrors: false, merge: true });
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos ? `line ${e.linePos[0].line}: ` : "";
      const msg = (e as Error).message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new UserError(`${path}: ${where}not valid YAML (${msg}).`);
    }
  } else {
    throw new UserError(`${path}: a study manifest must be a .json, .yaml or .yml file.`);
  }
  return validateStudyManifest(raw, path, resolve(opts.root ?? dirname(resolve(path))));
}

/** Validates a parsed manifest; `source` names it in errors, `baseDir` resolves its relative paths. */
export function validateStudyManifest(raw: unknown, source: string, baseDir: string): StudyManifest {
  // top-level keys starting with "x-" are the user's (YAML anchors to reuse: x-counts: &counts {...})
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    raw = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith("x-")));
  }
  const parsed = StudySchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`${source}: ${describeIssue(parsed.error.issues[0]!, raw)}`);
  return normalise(parsed.data, source, baseDir);
}

function fail(source: string, key: string, message: string): never {
  throw new UserError(`${source}: ${key}: ${message}.`);
}

/** The placeholders a keys pattern may hold, and a regex matching the keys it names. */
export function keysPattern(pattern: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  let src = "";
  let rest = pattern;
  for (;;) {
    const m = /\{([a-z]+)\}/.exec(rest);
    if (!m) break;
    src += escapeRegex(rest.slice(0, m.index)) + "(.+?)";
    names.push(m[1]!);
    rest = rest.slice(m.index + m[0].length);
  }
  src += escapeRegex(rest);
  return { regex: new RegExp(`^${src}$`, "s"), names };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The synonym setting of a manifest level (undefined: none given there, so the level above decides). */
function synonymSetting(v: { synonyms?: string; senses?: "first" | "all" }, source: string, key: string, abs: (p: string) => string): StudySynonyms | undefined {
  if (v.senses !== undefined && v.synonyms !== "wordnet") fail(source, `${key === "" ? "" : key + "."}senses`, `chooses WordNet senses; it needs synonyms: wordnet beside it`);
  if (v.synonyms === undefined) return undefined;
  if (v.synonyms === "none") return null;
  if (v.synonyms === "wordnet") return { source: "wordnet", senses: v.senses ?? "first" };
  return { source: "file", file: abs(v.synonyms) };
}

/** The synonym setting in force for a dataset's concepts in a corpus: the dataset's, else the corpus', else the study's. */
export function synonymsFor(m: Pick<StudyManifest, "synonyms">, corpus: Pick<StudyCorpus, "synonyms">, dataset: Pick<StudyDataset, "synonyms">): StudySynonyms {
  if (dataset.synonyms !== undefined) return dataset.synonyms;
  if (corpus.synonyms !== undefined) return corpus.synonyms;
  return m.synonyms;
}

/** Which modes a corpus can count: from its count files, or from its indexes. */
export function corpusModes(c: StudyCorpus): CountMode[] {
  return COUNT_MODES.filter((m) => c.counts[m] !== undefined || (m === "text" ? c.index !== undefined : c.image !== undefined && (m === "image" || c.index !== undefined)));
}

function normalise(s: RawStudy, source: string, baseDir: string): StudyManifest {
  const abs = (p: string) => (p.startsWith("builtin:") ? p : resolve(baseDir, p));
  const corpusNames = new Set<string>();
  const corpora: StudyCorpus[] = s.corpora.map((c, i) => {
    if (corpusNames.has(c.name)) fail(source, `corpora[${i}].name`, `"${c.name}" names two corpora; corpus names must be unique`);
    corpusNames.add(c.name);
    const counts: Partial<Record<CountMode, string>> = {};
    for (const m of COUNT_MODES) {
      const p = c.counts?.[m];
      if (p !== undefined) counts[m] = abs(p.replaceAll("{corpus}", c.name));
    }
    if (c.index === undefined && Object.keys(counts).length === 0) fail(source, `corpora[${i}]`, `corpus "${c.name}" needs an index or counts`);
    if (c.image && c.index === undefined && counts.text === undefined && counts.integrated === undefined) {
      // an image index alone counts image mode only; that is allowed
    }
    const out: StudyCorpus = { name: c.name, counts, match: c.match ?? "paper", examples: c.index === undefined ? 0 : (c.examples ?? 5) };
    if (c.index !== undefined) out.index = abs(c.index);
    if (c.image) out.image = { index: abs(c.image.index), ...(c.image.threshold !== undefined ? { threshold: c.image.threshold } : {}) };
    const syn = synonymSetting(c, source, `corpora[${i}]`, abs);
    if (syn !== undefined) out.synonyms = syn;
    return out;
  });
  const normaliseResult = (r: RawResult, key: string): StudyResult => {
    if ((r.model === undefined) === (r.keys === undefined)) fail(source, key, "give either model (one model) or keys (a pattern naming many models), not both or neither");
    const pointer = r.pointer ?? "";
    if (pointer !== "" && !pointer.startsWith("/")) fail(source, `${key}.pointer`, `"${pointer}" is not a JSON pointer (it must be empty or start with "/")`);
    if (r.keys !== undefined) {
      const { names } = keysPattern(r.keys);
      if (!names.includes("model")) fail(source, `${key}.keys`, `"${r.keys}" has no {model} in it`);
      const other = names.find((n) => n !== "model" && n !== "corpus");
      if (other !== undefined) fail(source, `${key}.keys`, `"{${other}}" is not a placeholder of keys (use {model} and {corpus})`);
      if (new Set(names).size !== names.length) fail(source, `${key}.keys`, `"${r.keys}" repeats a placeholder`);
    }
    (r.corpora ?? []).forEach((name, k) => {
      if (!corpusNames.has(name)) fail(source, `${key}.corpora[${k}]`, `"${name}" is not a corpus of this study (corpora: ${[...corpusNames].join(", ")})`);
    });
    const out: StudyResult = { file: abs(r.file), pointer, corpora: r.corpora ?? corpora.map((c) => c.name), scale: r.scale ?? 1 };
    if (r.model !== undefined) out.model = r.model;
    if (r.keys !== undefined) out.keys = r.keys;
    if (r.reduce !== undefined) out.reduce = r.reduce;
    return out;
  };
  const topResults = s.results?.map((r, j) => normaliseResult(r, `results[${j}]`));
  const datasetNames = new Set<string>();
  const datasets: StudyDataset[] = (s.datasets ?? []).map((d, i) => {
    if (datasetNames.has(d.name)) fail(source, `datasets[${i}].name`, `"${d.name}" names two datasets; dataset names must be unique`);
    datasetNames.add(d.name);
    const models = new Set<string>();
    let results: StudyResult[];
    if (d.results) {
      results = d.results.map((r, j) => {
        const key = `datasets[${i}].results[${j}]`;
        const out = normaliseResult(r, key);
        if (out.model !== undefined) {
          if (models.has(out.model)) fail(source, `${key}.model`, `"${out.model}" appears twice in dataset "${d.name}"; model names must be unique within a dataset`);
          models.add(out.model);
        }
        return out;
      });
    } else if (topResults) results = topResults;
    else fail(source, `datasets[${i}]`, `dataset "${d.name}" has no results (give datasets[${i}].results or a top-level results list)`);
    results = results.map((r) => ({ ...r, file: r.file.replaceAll("{dataset}", d.name) }));
    const out: StudyDataset = {
      name: d.name,
      countsAs: d.countsAs ?? d.name,
      aliases: typeof d.aliases === "string" ? abs(d.aliases) : (d.aliases ?? {}),
      results,
    };
    if (d.concepts !== undefined) out.concepts = abs(d.concepts);
    const syn = synonymSetting(d, source, `datasets[${i}]`, abs);
    if (syn !== undefined) out.synonyms = syn;
    return out;
  });
  const a = s.analyses ?? {};
  const available = COUNT_MODES.filter((m) => corpora.some((c) => corpusModes(c).includes(m)));
  const modes = a.modes ?? available;
  const seen = new Set<CountMode>();
  modes.forEach((m, i) => {
    if (seen.has(m)) fail(source, `analyses.modes[${i}]`, `"${m}" is listed twice`);
    seen.add(m);
    if (!available.includes(m)) {
      fail(source, `analyses.modes[${i}]`, `"${m}" counting needs a corpus with ${m} counts or an image index (corpora[].counts.${m} or corpora[].image.index)`);
    }
  });
  const fit = { ...DEFAULT_FIT, ...dropUndefined(a.fit ?? {}) } as StudyFitOptions;
  const figureNames = new Set<string>();
  const figures: StudyFigure[] = (s.figures ?? []).map((f, i) => {
    const key = `figures[${i}]`;
    if (figureNames.has(f.name)) fail(source, `${key}.name`, `"${f.name}" names two figures; figure names must be unique`);
    figureNames.add(f.name);
    f.datasets.forEach((n, k) => {
      if (!datasetNames.has(n)) fail(source, `${key}.datasets[${k}]`, `"${n}" is not a dataset of this study`);
    });
    (f.corpora ?? []).forEach((n, k) => {
      if (!corpusNames.has(n)) fail(source, `${key}.corpora[${k}]`, `"${n}" is not a corpus of this study (corpora: ${[...corpusNames].join(", ")})`);
    });
    (f.modes ?? []).forEach((m, k) => {
      if (!modes.includes(m)) fail(source, `${key}.modes[${k}]`, `"${m}" is not a count mode of this study (modes: ${modes.join(", ")})`);
    });
    for (const n of Object.keys(f.perCorpus ?? {})) {
      if (!corpusNames.has(n)) fail(source, `${key}.perCorpus`, `"${n}" is not a corpus of this study (corpora: ${[...corpusNames].join(", ")})`);
    }
    const settings: BinSettings = { bins: f.bins ?? fit.bins, binning: f.binning ?? fit.binning };
    const trim = f.trim ?? (f.binning === undefined ? fit.trim : undefined);
    if (trim) settings.trim = trim;
    return {
      name: f.name,
      title: f.title ?? f.name,
      datasets: f.datasets,
      modes: f.modes ?? modes,
      corpora: f.corpora ?? corpora.map((c) => c.name),
      settings,
      perCorpus: Object.fromEntries(Object.entries(f.perCorpus ?? {}).map(([k, v]) => [k, dropUndefined(v) as Partial<BinSettings>])),
    };
  });
  const tail = a.tail === undefined || a.tail === true ? { rarest: 10, plot: "log" as const } : a.tail === false ? false : { rarest: a.tail.rarest ?? 10, plot: a.tail.plot ?? "log" };
  return {
    source,
    name: s.name ?? "study",
    corpora,
    datasets,
    figures,
    synonyms: synonymSetting(s, source, "", abs) ?? null,
    analyses: {
      modes,
      fit,
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
