/**
 * The "Let It Wag!" comparison: for each model, top-1 accuracy on the curated long-tail set next to
 * its top-1 on a baseline benchmark (ImageNet in the paper), and the gap between the two.
 *
 * Top-1 figures are read from classification results (`conceptfreq eval classify` writes
 * {"full": top1 %, "top5": %, "classwise": {...}}): a spec is `file.json` or `file.json#/json/pointer`
 * (RFC 6901); the value it designates is either a number or an object whose `full` is a number.
 * Figures are percentages; gap = baseline − long-tail, in percentage points.
 */
import { existsSync } from "node:fs";
import { basename, extname } from "node:path";
import { UserError } from "../errors.js";
import { parsePointer, parseValueMapSpec, readJsonFile, resolvePointer } from "../analysis/value-map.js";
import { csvTable } from "../io/csv-write.js";

export interface LongTailReportInput {
  /** Display name; default: the pointer's last token, else the results file's name. */
  model?: string;
  /** Results on the long-tail set: `file.json` or `file.json#/pointer`. */
  results: string;
  /** Results on the baseline benchmark (optional). */
  baseline?: string;
}

export interface LongTailReportRow {
  model: string;
  longTailTop1: number;
  baselineTop1: number | null;
  /** baseline − long-tail, percentage points. */
  gap: number | null;
}

function readJson(path: string, docCache: Map<string, unknown>): unknown {
  const cached = docCache.get(path);
  if (cached !== undefined) return cached;
  const doc = readJsonFile(path);
  docCache.set(path, doc);
  return doc;
}

/** The top-1 (%) a results spec designates (see the module comment). */
export function readTop1(spec: string, docCache: Map<string, unknown> = new Map()): number {
  // A bare number ("60", "59.8") is the figure itself, unless a file of that name exists.
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(spec.trim()) && !existsSync(spec)) return Number(spec);
  const { path, pointer } = parseValueMapSpec(spec);
  const value = resolvePointer(readJson(path, docCache), pointer ?? "");
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const full = (value as Record<string, unknown>).full;
    if (typeof full === "number" && Number.isFinite(full)) return full;
    const keys = Object.keys(value).slice(0, 5).join(", ");
    throw new UserError(
      `${spec} has no numeric "full" (top-1) field` +
        (keys ? ` (keys: ${keys}${Object.keys(value).length > 5 ? ", ..." : ""}); select one model's results with a JSON pointer, e.g. ${path}#/NAME.` : "."),
    );
  }
  throw new UserError(`${spec} is not a top-1 figure: expected a number or an object with a numeric "full" field.`);
}

/** The default display name of a results spec. */
export function modelNameOf(spec: string): string {
  const { path, pointer } = parseValueMapSpec(spec);
  const tokens = pointer ? parsePointer(pointer) : [];
  const last = tokens.length ? tokens[tokens.length - 1]! : "";
  if (last !== "" && last !== "full") return last;
  if (tokens.length > 1) return tokens[tokens.length - 2]!;
  return basename(path, extname(path));
}

/** Reads every model's figures; model names must be distinct. Rows keep the input order. */
export function buildLongTailReport(inputs: readonly LongTailReportInput[]): LongTailReportRow[] {
  if (inputs.length === 0) throw new UserError("give at least one --results file.");
  const seen = new Set<string>();
  const docs = new Map<string, unknown>();
  return inputs.map((inp) => {
    const model = inp.model ?? modelNameOf(inp.results);
    if (seen.has(model)) throw new UserError(`two results are named "${model}"; name each with --model.`);
    seen.add(model);
    const longTailTop1 = readTop1(inp.results, docs);
    const baselineTop1 = inp.baseline === undefined ? null : readTop1(inp.baseline, docs);
    return { model, longTailTop1, baselineTop1, gap: baselineTop1 === null ? null : baselineTop1 - longTailTop1 };
  });
}

function fmt(v: number | null, digits = 2): string {
  return v === null ? "" : v.toFixed(digits);
}

/**
 * A plain-text table (one row per model, then the mean when there are several); the baseline and
 * gap columns are left out when no model has a baseline.
 */
export function formatLongTailTable(rows: readonly LongTailReportRow[], baselineName = "baseline"): string {
  const anyBaseline = rows.some((r) => r.baselineTop1 !== null);
  const header = ["model", "long-tail top-1", `${baselineName} top-1`, "gap (pp)"];
  const body = rows.map((r) => [r.model, fmt(r.longTailTop1), fmt(r.baselineTop1), fmt(r.gap)]);
  if (rows.length > 1) {
    const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    const withBase = rows.filter((r) => r.baselineTop1 !== null);
    body.push([
      "mean",
      fmt(mean(rows.map((r) => r.longTailTop1))),
      withBase.length === rows.length ? fmt(mean(withBase.map((r) => r.baselineTop1!))) : "",
      withBase.length === rows.length ? fmt(mean(withBase.map((r) => r.gap!))) : "",
    ]);
  }
  const columns = anyBaseline ? 4 : 2;
  const cut = (cells: string[]): string[] => cells.slice(0, columns);
  const widths = cut(header).map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cut(cells).map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd() + "\n";
  return line(header) + line(widths.map((w) => "-".repeat(w))) + body.map(line).join("");
}

/** The table as CSV: model,longtail_top1,baseline_top1,gap (empty cells when there is no baseline). */
export function longTailReportCsv(rows: readonly LongTailReportRow[]): string {
  return csvTable(
    ["model", "longtail_top1", "baseline_top1", "gap"],
    rows.map((r) => [r.model, String(r.longTailTop1), r.baselineTop1 === null ? "" : String(r.baselineTop1), r.gap === null ? "" : String(r.gap)]),
  );
}

/**
 * A vega-lite spec: with a baseline for every model, the paper's scatter (baseline top-1 on x,
 * long-tail top-1 on y, the y = x diagonal, one labelled point per model); otherwise grouped bars.
 */
export function longTailChartSpec(
  rows: readonly LongTailReportRow[],
  options: { baselineName?: string; title?: string } = {},
): Record<string, unknown> {
  const baselineName = options.baselineName ?? "baseline";
  const title = options.title ?? (rows.some((r) => r.baselineTop1 !== null) ? `Long-tail benchmark vs ${baselineName}` : "Long-tail benchmark");
  if (rows.length > 0 && rows.every((r) => r.baselineTop1 !== null)) {
    const points = rows.map((r) => ({ model: r.model, baseline: r.baselineTop1, longtail: r.longTailTop1, gap: r.gap }));
    const scale = { domain: [0, 100] };
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title,
      width: 420,
      height: 420,
      layer: [
        {
          data: { values: [{ x: 0, y: 0 }, { x: 100, y: 100 }] },
          mark: { type: "line", strokeDash: [4, 4], color: "#999999" },
          encoding: {
            x: { field: "x", type: "quantitative", scale, title: `${baselineName} top-1 (%)` },
            y: { field: "y", type: "quantitative", scale, title: "long-tail top-1 (%)" },
          },
        },
        {
          data: { values: points },
          mark: { type: "point", filled: true, size: 70, color: "#d62728" },
          encoding: {
            x: { field: "baseline", type: "quantitative", scale },
            y: { field: "longtail", type: "quantitative", scale },
            tooltip: [{ field: "model" }, { field: "baseline" }, { field: "longtail" }, { field: "gap" }],
          },
        },
        {
          data: { values: points },
          mark: { type: "text", align: "left", dx: 6, dy: -6, fontSize: 11 },
          encoding: {
            x: { field: "baseline", type: "quantitative", scale },
            y: { field: "longtail", type: "quantitative", scale },
            text: { field: "model" },
          },
        },
      ],
    };
  }
  const values: { model: string; benchmark: string; top1: number }[] = [];
  for (const r of rows) {
    values.push({ model: r.model, benchmark: "long-tail", top1: r.longTailTop1 });
    if (r.baselineTop1 !== null) values.push({ model: r.model, benchmark: baselineName, top1: r.baselineTop1 });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: Math.max(240, rows.length * 60),
    height: 300,
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "model", type: "nominal", sort: rows.map((r) => r.model), title: null },
      xOffset: { field: "benchmark", type: "nominal", sort: ["long-tail", baselineName] },
      y: { field: "top1", type: "quantitative", scale: { domain: [0, 100] }, title: "top-1 (%)" },
      color: { field: "benchmark", type: "nominal", sort: ["long-tail", baselineName], title: null },
    },
  };
}

/**
 * Pairs repeatable flags into report inputs: the i-th --results goes with the i-th --baseline and
 * the i-th --model. --baseline and --model are each given for every --results or not at all.
 */
export function pairReportInputs(results: readonly string[], baselines: readonly string[], models: readonly string[]): LongTailReportInput[] {
  if (results.length === 0) throw new UserError("give at least one --results file.");
  if (baselines.length !== 0 && baselines.length !== results.length) {
    throw new UserError(`give one --baseline per --results (${results.length} results, ${baselines.length} baselines), or none.`);
  }
  if (models.length !== 0 && models.length !== results.length) {
    throw new UserError(`give one --model per --results (${results.length} results, ${models.length} models), or none.`);
  }
  return results.map((r, i) => ({
    results: r,
    ...(baselines.length ? { baseline: baselines[i]! } : {}),
    ...(models.length ? { model: models[i]! } : {}),
  }));
}

/** The rows as JSON: [{model, longtail_top1, baseline_top1, gap}]. */
export function longTailReportJson(rows: readonly LongTailReportRow[]): string {
  return (
    JSON.stringify(
      rows.map((r) => ({ model: r.model, longtail_top1: r.longTailTop1, baseline_top1: r.baselineTop1, gap: r.gap })),
      null,
      2,
    ) + "\n"
  );
}
