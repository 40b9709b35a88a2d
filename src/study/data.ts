/**
 * study-data.json: everything the dashboard shows about a study, written by runStudy beside the report.
 * It is self-contained (counts, example captions, fits with their points), so the dashboard reads
 * nothing outside the study directory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import type { Binned } from "../analysis/binning.js";
import type { Regression } from "../analysis/regression.js";
import type { PairJoin } from "../analysis/fit.js";
import type { TailReport } from "../analysis/long-tail.js";
import type { ConceptExample } from "./counts.js";
import type { CountMode } from "./manifest.js";

export const STUDY_DATA_FILE = "study-data.json";
export const STUDY_DATA_FORMAT = "conceptfreq-study-data";
export const STUDY_DATA_VERSION = 1;

export interface FitPoint {
  concept: string;
  frequency: number;
  performance: number;
  /** performance minus the fitted line at this frequency (null without a fit). */
  residual: number | null;
}

export interface StudyFit {
  /** "dataset/model/corpus/mode" */
  id: string;
  dataset: string;
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
}

export interface StudyData {
  format: typeof STUDY_DATA_FORMAT;
  version: number;
  name: string;
  modes: CountMode[];
  corpora: { name: string; docCount: number; match: "paper" | "phrase"; modes: CountMode[]; image: boolean }[];
  datasets: { name: string; concepts: string[]; models: string[] }[];
  /** corpus -> mode -> concept -> count (concepts of every dataset). */
  counts: Record<string, Partial<Record<CountMode, Record<string, number>>>>;
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
  return d;
}
