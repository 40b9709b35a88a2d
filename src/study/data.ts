/**
 * study-data.json: everything the dashboard shows about a study, written by runStudy beside the report.
 * It is self-contained (counts, example captions, fits with their points), so the dashboard reads
 * nothing outside the study directory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UserError } from "../errors.js";
import type { Binned } from "../analysis/binning.js";
import type { Regression } from "../analysis/regression.js";
import type { PairJoin } from "../analysis/fit.js";
import type { TailReport } from "../analysis/long-tail.js";
import type { ResidualPoint } from "../analysis/residuals.js";
import type { ConceptExample } from "./counts.js";
import type { CountMode } from "./manifest.js";

export const STUDY_DATA_FILE = "study-data.json";
export const STUDY_DATA_FORMAT = "conceptfreq-study-data";
export const STUDY_DATA_VERSION = 2;

/** A fit's point with its residual (analysis/residuals.ts). */
export type FitPoint = ResidualPoint;

export interface StudyFit {
  /** "dataset/model/corpus/mode", or "figure:FIGURE/model/corpus/mode" for a figure's pooled fit */
  id: string;
  /** The figure whose datasets this fit pools (null: one dataset's fit). */
  figure: string | null;
  /** The dataset ("" for a figure's fit). */
  dataset: string;
  /** A figure's fit: the datasets pooled (those with counts in this corpus and mode). */
  datasets?: string[];
  model: string;
  corpus: string;
  mode: CountMode;
  n: number;
  pairs: PairJoin[];
  regression: Regression;
  binned: Binned | null;
  points: FitPoint[];
  /** The points furthest from the fitted line (largest |residual| first). */
  outliers: FitPoint[];
  /** Study-relative paths of this fit's plot files. */
  plot: { svg: string; png: string } | null;
  /**
   * How the fit's counts are known: `intervals` points have a count with a 95% interval (0: exact
   * counts), `estimated` when they are estimates from a sampled index, `propagated` when the slope's
   * bootstrap drew the counts within their intervals (analyses.fit.countUncertainty).
   */
  countIntervals?: { intervals: number; estimated: boolean; propagated: boolean };
}

export interface StudyData {
  format: typeof STUDY_DATA_FORMAT;
  version: number;
  name: string;
  modes: CountMode[];
  /** sample: the text index is a sample (index build --sample), so its counts are estimates; null: a full index or count files. */
  corpora: { name: string; docCount: number | null; match: "paper" | "phrase"; modes: CountMode[]; image: boolean; sample?: { rate: number; seed: number; rowsSeen: number } | null }[];
  datasets: { name: string; concepts: string[]; models: string[] }[];
  /** Figures: each pools datasets into one series per model. */
  figures: { name: string; title: string; datasets: string[]; models: string[]; corpora: string[]; modes: CountMode[] }[];
  /** corpus -> mode -> concept -> count (concepts of every dataset). */
  counts: Record<string, Partial<Record<CountMode, Record<string, number>>>>;
  /** corpus -> mode -> concept -> [low, high]: the 95% intervals of counts that have one (sampled index, count files). */
  countIntervals?: Record<string, Partial<Record<CountMode, Record<string, [number, number]>>>>;
  /** The synonym expansions used: per corpus and dataset, the study-relative file (the `--explain` format). */
  synonyms?: { corpus: string; dataset: string; file: string }[];
  /** corpus -> concept -> first example captions. */
  examples: Record<string, Record<string, ConceptExample[]>>;
  /** dataset -> model -> concept -> performance. */
  performance: Record<string, Record<string, Record<string, number>>>;
  fits: StudyFit[];
  /** mode -> the long-tail report over the corpora counted in that mode. */
  tail: Partial<Record<CountMode, TailReport>>;
  /** Study-relative paths of the other outputs. */
  files: {
    report: string | null;
    results_csv: string;
    results_json: string;
    plots: { title: string; svg: string; png: string }[];
  };
}

export function fitId(f: { dataset: string; model: string; corpus: string; mode: string }): string {
  return `${f.dataset}/${f.model}/${f.corpus}/${f.mode}`;
}

export function figureFitId(f: { figure: string; model: string; corpus: string; mode: string }): string {
  return `figure:${f.figure}/${f.model}/${f.corpus}/${f.mode}`;
}

/** Reads a study directory's study-data.json. */
export function loadStudyData(dir: string): StudyData {
  const path = join(dir, STUDY_DATA_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UserError(`${dir} is not a study directory (no ${STUDY_DATA_FILE}); run \`conceptfreq study MANIFEST --out ${dir}\` first.`);
  }
  let d: StudyData;
  try {
    d = JSON.parse(text) as StudyData;
  } catch {
    throw new UserError(`${path} is not valid JSON; re-run the study.`);
  }
  if (d?.format !== STUDY_DATA_FORMAT) throw new UserError(`${path} is not conceptfreq study data (format "${String(d?.format)}").`);
  if (d.version !== STUDY_DATA_VERSION) {
    throw new UserError(`${path} has study data version ${d.version}; this conceptfreq reads version ${STUDY_DATA_VERSION}: re-run the study.`);
  }
  const checked = STUDY_DATA_SHAPE.safeParse(d);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const where = issue.path.length ? issue.path.map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`)).join("").replace(/^\./, "") : "the top level";
    throw new UserError(`${path} is damaged: ${where}: ${issue.message.replace(/^Invalid input: /, "")}; re-run the study.`);
  }
  return d;
}

// What the dashboard and the report rely on, checked when the file is read (extra fields are allowed).
const num = z.number();
const str = z.string();
const countsByConcept = z.record(str, num);
const point = z.object({ concept: str, frequency: num, performance: num, residual: num.nullable() });
const STUDY_DATA_SHAPE = z.object({
  name: str,
  modes: z.array(str),
  corpora: z.array(z.object({ name: str, docCount: num.nullable(), modes: z.array(str), image: z.boolean() })),
  datasets: z.array(z.object({ name: str, concepts: z.array(str), models: z.array(str) })),
  figures: z.array(z.object({ name: str, title: str, datasets: z.array(str), models: z.array(str), corpora: z.array(str), modes: z.array(str) })),
  counts: z.record(str, z.record(str, countsByConcept)),
  examples: z.record(str, z.record(str, z.array(z.object({ doc: num, caption: str })))),
  performance: z.record(str, z.record(str, countsByConcept)),
  fits: z.array(
    z.object({
      id: str,
      figure: str.nullable(),
      dataset: str,
      model: str,
      corpus: str,
      mode: str,
      n: num,
      regression: z.object({ slope: num.nullable(), intercept: num.nullable(), r: num.nullable() }),
      binned: z.object({ bins: z.array(z.object({ edge: num, mean: num.nullable(), kept: z.boolean() })) }).nullable(),
      points: z.array(point),
      outliers: z.array(point),
    }),
  ),
  tail: z.record(str, z.unknown()),
  files: z.object({ report: str.nullable(), results_csv: str, results_json: str }),
});
