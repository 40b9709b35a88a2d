/**
 * Per-concept text-to-image scores from per-image scores (the paper's measures for generated images:
 * CLIP score, aesthetic score, human ratings, as HEIM reports them).
 *
 * Input: JSONL, one generated image per line: `{"prompt": "...", "concept": "...", "score": 0.31}`;
 * every other numeric field is a further metric (`{"...", "score": 0.31, "aesthetic": 5.2}`); fields
 * that are not numbers are ignored. With `metrics` given, exactly those fields are read and each must
 * be a number on every line.
 *
 * Aggregation (HEIM's "expected" and "max" scores): per (concept, prompt), the mean and the max of
 * the metric over the prompt's lines (its generated images); per concept, the average over its
 * prompts of those per-prompt means ("mean") and maxima ("max"). With one line per prompt both equal
 * the concept's average score. A metric missing on a line is averaged over the lines that have it.
 *
 * Output: `{"score": {"mean": {concept: v}, "max": {concept: v}}, "<metric2>": {...}}` — metrics in
 * order of first appearance with "score" first, concepts in order of first appearance — so
 * `conceptfreq fit --perf out.json#/score/mean` reads it directly.
 *
 * Malformed lines (not JSON, not an object, no non-empty string "concept", no string "prompt", no
 * numeric metric) are counted and skipped; with `strict` the first one is a UserError. Blank lines
 * are skipped silently.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { UserError } from "../errors.js";
import { formatJson, ordered, OrderedObject } from "./json-output.js";

export type ScoreLineProblem = "bad_json" | "not_object" | "missing_concept" | "missing_prompt" | "missing_metric";

const PROBLEM_TEXT: Record<ScoreLineProblem, string> = {
  bad_json: "it is not valid JSON",
  not_object: "it is not a JSON object",
  missing_concept: 'it has no non-empty string "concept"',
  missing_prompt: 'it has no string "prompt"',
  missing_metric: "it has no numeric score",
};

export interface ConceptScores {
  /** Per concept: the average over its prompts of the per-prompt mean. */
  mean: Record<string, number>;
  /** Per concept: the average over its prompts of the per-prompt max. */
  max: Record<string, number>;
}

export interface AggregateReport {
  /** Metric name -> per-concept scores. */
  result: Record<string, ConceptScores>;
  /** Metric names in output order. */
  metrics: string[];
  /** Concept names in order of first appearance. */
  concepts: string[];
  /** Lines read (blank lines included). */
  lines: number;
  /** Lines used. */
  used: number;
  /** Malformed lines by problem. */
  malformed: Partial<Record<ScoreLineProblem, number>>;
  malformedTotal: number;
  /** Line number of the first malformed line, if any. */
  firstMalformedLine?: number;
}

export interface AggregateOptions {
  /** The first malformed line is a UserError. */
  strict?: boolean;
  /** Read exactly these metric fields (each required on every line); default: "score" and every numeric field. */
  metrics?: readonly string[];
  /** Names the input in error messages. */
  source?: string;
}

interface PromptAcc {
  sum: number;
  n: number;
  max: number;
}

const RESERVED = new Set(["prompt", "concept"]);

/** Aggregates per-image score lines into per-concept expected and max scores. */
export async function aggregateScores(
  lines: Iterable<string> | AsyncIterable<string>,
  options: AggregateOptions = {},
): Promise<AggregateReport> {
  const source = options.source ?? "the scores";
  const wanted = options.metrics;
  // metric -> concept -> prompt -> accumulator
  const acc = new Map<string, Map<string, Map<string, PromptAcc>>>();
  const concepts = new Map<string, true>();
  const malformed: Partial<Record<ScoreLineProblem, number>> = {};
  let malformedTotal = 0;
  let firstMalformedLine: number | undefined;
  let lineNo = 0;
  let used = 0;

  const bad = (problem: ScoreLineProblem, detail?: string) => {
    if (options.strict) throw new UserError(`${source} line ${lineNo} is malformed: ${detail ?? PROBLEM_TEXT[problem]}.`);
    malformed[problem] = (malformed[problem] ?? 0) + 1;
    malformedTotal++;
    firstMalformedLine ??= lineNo;
  };

  for await (const raw of lines as AsyncIterable<string>) {
    lineNo++;
    const line = raw.trim();
    if (line === "") continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      bad("bad_json");
      continue;
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      bad("not_object");
      continue;
    }
    const rec = obj as Record<string, unknown>;
    const concept = rec.concept;
    if (typeof concept !== "string" || concept.trim() === "") {
      bad("missing_concept");
      continue;
    }
    if (typeof rec.prompt !== "string") {
      bad("missing_prompt");
      continue;
    }
    const values: [string, number][] = [];
    if (wanted !== undefined) {
      const missing = wanted.find((m) => typeof rec[m] !== "number");
      if (missing !== undefined) {
        bad("missing_metric", `its "${missing}" is not a number`);
        continue;
      }
      for (const m of wanted) values.push([m, rec[m] as number]);
    } else {
      for (const [k, v] of Object.entries(rec)) if (!RESERVED.has(k) && typeof v === "number") values.push([k, v]);
      if (values.length === 0) {
        bad("missing_metric");
        continue;
      }
    }
    used++;
    concepts.set(concept, true);
    for (const [metric, v] of values) {
      let byConcept = acc.get(metric);
      if (byConcept === undefined) acc.set(metric, (byConcept = new Map()));
      let byPrompt = byConcept.get(concept);
      if (byPrompt === undefined) byConcept.set(concept, (byPrompt = new Map()));
      const a = byPrompt.get(rec.prompt);
      if (a === undefined) byPrompt.set(rec.prompt, { sum: v, n: 1, max: v });
      else {
        a.sum += v;
        a.n++;
        if (v > a.max) a.max = v;
      }
    }
  }

  const metricOrder = wanted !== undefined ? [...wanted] : [...acc.keys()];
  if (wanted === undefined && metricOrder.includes("score")) {
    metricOrder.splice(metricOrder.indexOf("score"), 1);
    metricOrder.unshift("score");
  }
  const conceptOrder = [...concepts.keys()];
  const result: Record<string, ConceptScores> = Object.create(null) as Record<string, ConceptScores>;
  for (const metric of metricOrder) {
    const byConcept = acc.get(metric) ?? new Map<string, Map<string, PromptAcc>>();
    const mean: [string, number][] = [];
    const max: [string, number][] = [];
    for (const concept of conceptOrder) {
      const byPrompt = byConcept.get(concept);
      if (byPrompt === undefined) continue;
      let sMean = 0;
      let sMax = 0;
      for (const a of byPrompt.values()) {
        sMean += a.sum / a.n;
        sMax += a.max;
      }
      mean.push([concept, significant15(sMean / byPrompt.size)]);
      max.push([concept, sMax / byPrompt.size]);
    }
    // Object.fromEntries makes own properties even for names like "__proto__".
    result[metric] = { mean: Object.fromEntries(mean), max: Object.fromEntries(max) };
  }
  return {
    result,
    metrics: metricOrder,
    concepts: conceptOrder,
    lines: lineNo,
    used,
    malformed,
    malformedTotal,
    firstMalformedLine,
  };
}

/** Reads a JSONL scores file line by line and aggregates it. */
export async function aggregateScoresFile(path: string, options: AggregateOptions = {}): Promise<AggregateReport> {
  const stream = createReadStream(path, { encoding: "utf8" });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  try {
    await opened;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`The scores file ${path} does not exist.`);
    if (code === "EISDIR") throw new UserError(`The scores file ${path} is a directory, not a file.`);
    throw new UserError(`Cannot read the scores file ${path} (${code ?? String(e)}).`);
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    const report = await aggregateScores(rl, { ...options, source: options.source ?? path });
    if (report.used === 0) {
      // nothing to write: an empty result file would only fail later, in fit, far from its cause
      const why = report.malformedTotal > 0
        ? `all ${report.malformedTotal} of its non-blank lines are malformed (${Object.entries(report.malformed).map(([k, v]) => `${k}: ${v}`).join(", ")}; first at line ${report.firstMalformedLine})`
        : "it has no lines";
      throw new UserError(`The scores file ${path} holds no score lines: ${why}.`);
    }
    return report;
  } finally {
    rl.close();
    stream.destroy();
  }
}

/** The result file's JSON text (metrics and concepts in report order). */
export function formatAggregate(report: AggregateReport): string {
  return formatJson(
    new OrderedObject(
      report.metrics.map((m) => {
        const r = report.result[m]!;
        const pick = (rec: Record<string, number>) => ordered(rec, report.concepts);
        return [m, new OrderedObject([["mean", pick(r.mean)], ["max", pick(r.max)]])] as const;
      }),
    ),
  );
}

/**
 * A mean to 15 significant digits: what a double's sum of a few scores can be trusted to, so that the
 * mean of 0.3 and 0.32 prints as 0.31, not 0.31000000000000005.
 */
function significant15(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(15)) : v;
}
