/**
 * Runs a study: counts every dataset's concepts in every corpus and count mode (cached), fits each
 * model's per-concept performance against each corpus' counts (the same computation as
 * `conceptfreq fit`), describes each corpus' long tail (as `conceptfreq tail`), draws the plots and
 * writes the results, the HTML report and the dashboard's data into the output directory.
 *
 * Output directory:
 *   results.csv, results.json          one row per fit (dataset × model × corpus × mode)
 *   counts/CORPUS/MODE.json            {concept: count} for every concept of the study (the tail's input)
 *   counts/CORPUS/MODE/DATASET.json    {concept: count} for one dataset's concepts (a fit's input)
 *   tail/MODE.json                     long-tail report of each corpus and their cross-corpus correlations
 *   cross-corpus.json                  the cross-corpus correlations of every mode
 *   plots/…/*.svg, *.png               log-linear plots (per dataset, corpus, mode; per fit) and tail plots
 *   report.html                        self-contained report
 *   study-data.json                    the dashboard's data (conceptfreq serve --study DIR)
 *   cache/                             count and plot caches
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { readConceptList } from "../concepts/concept-list.js";
import { readValueMap } from "../analysis/value-map.js";
import { fitSeries, type FitOptions, type SeriesFit } from "../analysis/fit.js";
import { tailReport, type TailReport } from "../analysis/long-tail.js";
import { log10Frequencies } from "../analysis/regression.js";
import { logLinearPlotSpec, tailPlotSpec } from "../report/plots.js";
import { renderVegaLite, svgToPng } from "../report/render.js";
import { countStudyCorpus, type CorpusModeCounts } from "./counts.js";
import { digestOf } from "./identity.js";
import { COUNT_MODES, type CountMode, type StudyManifest } from "./manifest.js";
import { fitId, STUDY_DATA_FILE, STUDY_DATA_FORMAT, STUDY_DATA_VERSION, type FitPoint, type StudyData, type StudyFit } from "./data.js";
import { resultsCsv, resultsJson, type ResultRow, resultRow } from "./results.js";
import { renderStudyReport } from "./report-html.js";
import { makeDirs } from "../io/file-system.js";

export interface StudyRunOptions {
  /** Output directory (created when missing). */
  out: string;
  /** One line per step, for a CLI to print. */
  onProgress?: (message: string) => void;
}

export interface StudyRunSummary {
  out: string;
  report: string | null;
  results: { csv: string; json: string };
  rows: ResultRow[];
  /** Per corpus and mode: how many concepts were counted now (0 = all from the cache). */
  counts: { corpus: string; mode: CountMode; concepts: number; computed: number }[];
  plots: string[];
  warnings: string[];
}

/** Plot files written by a study (paths relative to the output directory, without extension). */
interface PlotJob {
  base: string;
  title: string;
  spec: object;
}

/** The performance spec ("file#/pointer") of a result file, for readValueMap. */
function perfSpec(file: string, pointer: string): string {
  return pointer === "" ? file : `${file}#${pointer}`;
}

function mapToObject(m: Map<string, number>): Record<string, number> {
  const o: Record<string, number> = {};
  for (const [k, v] of m) o[k] = v;
  return o;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Everything that can fail on the user's inputs is checked before any work. */
function checkInputs(m: StudyManifest): void {
  for (const c of m.corpora) {
    if (!existsSync(c.index) || !statSync(c.index).isDirectory()) {
      throw new UserError(`${m.source}: corpus "${c.name}": the text index ${c.index} does not exist.`);
    }
    if (c.image && !existsSync(c.image.index)) throw new UserError(`${m.source}: corpus "${c.name}": the image index ${c.image.index} does not exist.`);
  }
}

function rel(out: string, p: string): string {
  const r = relative(out, p);
  return r.split(sep).join("/");
}

/** Points with their residual from the fitted line (x = log10 of the frequency, 0 replaced by zeroAs). */
function pointsWithResiduals(fit: SeriesFit, zeroAs: number): FitPoint[] {
  const { slope, intercept } = fit.regression;
  const x = log10Frequencies(fit.points, zeroAs);
  return fit.points.map((p, i) => ({
    concept: p.concept,
    frequency: p.frequency,
    performance: p.performance,
    residual: slope === null || intercept === null ? null : p.performance - (intercept + slope * x[i]!),
  }));
}

function outliersOf(points: FitPoint[], n: number): FitPoint[] {
  return points
    .filter((p) => p.residual !== null)
    .sort((a, b) => Math.abs(b.residual!) - Math.abs(a.residual!) || (a.concept < b.concept ? -1 : a.concept > b.concept ? 1 : 0))
    .slice(0, n);
}

/** Renders a spec to SVG and PNG, reusing the plot cache (keyed by the spec) when it holds them. */
async function renderPlot(spec: object, cacheDir: string): Promise<{ svg: string; png: Uint8Array }> {
  const key = digestOf(spec).slice(0, 32);
  const svgPath = join(cacheDir, `${key}.svg`);
  const pngPath = join(cacheDir, `${key}.png`);
  if (existsSync(svgPath) && existsSync(pngPath)) {
    return { svg: readFileSync(svgPath, "utf8"), png: readFileSync(pngPath) };
  }
  const svg = await renderVegaLite(spec);
  const png = svgToPng(svg);
  writeFileAtomic(svgPath, svg);
  writeFileAtomic(pngPath, png);
  return { svg, png };
}

/** The list of files a study run wrote, kept in the output directory; it marks the directory as a study's. */
export const STUDY_MARKER = ".conceptfreq-study.json";

interface StudyMarker {
  format: "conceptfreq-study-outputs";
  version: 1;
  files: string[];
}

function readMarker(out: string): StudyMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(out, STUDY_MARKER), "utf8")) as StudyMarker;
    return m.format === "conceptfreq-study-outputs" && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An existing output directory must be a study's (it holds the marker), empty, or hold nothing but the
 * manifest itself: a study never writes over, or prunes, files it did not write.
 */
function checkOutputDir(out: string, shown: string, manifestPath: string): StudyMarker | undefined {
  if (!existsSync(out)) return undefined;
  if (!statSync(out).isDirectory()) throw new UserError(`${shown} exists and is not a directory.`);
  const marker = readMarker(out);
  if (marker) return marker;
  const others = readdirSync(out).filter((n) => join(out, n) !== resolve(manifestPath));
  if (others.length > 0) {
    throw new UserError(`${shown} exists and is not a study's output directory; give a new or empty directory to --out.`);
  }
  return undefined;
}

/** Removes the files an earlier run wrote that this run did not (and then empty directories under them). */
function pruneStale(out: string, previous: StudyMarker | undefined, written: Set<string>): void {
  for (const f of previous?.files ?? []) {
    if (written.has(f) || f.split("/").some((s) => s === ".." || s === "") ) continue;
    rmSync(join(out, f), { force: true });
    let dir = dirname(f);
    while (dir !== "." && existsSync(join(out, dir)) && readdirSync(join(out, dir)).length === 0) {
      rmSync(join(out, dir), { recursive: true });
      dir = dirname(dir);
    }
  }
}

export async function runStudy(manifest: StudyManifest, opts: StudyRunOptions): Promise<StudyRunSummary> {
  const out = resolve(opts.out);
  const say = opts.onProgress ?? (() => {});
  checkInputs(manifest);
  const previous = checkOutputDir(out, opts.out, manifest.source);
  const fitOpts = manifest.analyses.fit;
  const fitOptions: FitOptions = {
    zeroAs: fitOpts.zeroAs,
    bootstrap: fitOpts.bootstrap,
    seed: fitOpts.seed,
    binning: fitOpts.binning,
    bins: fitOpts.bins,
    trim: fitOpts.trim,
  };

  // Concept lists and result files are read (and checked) before any counting.
  const datasets = manifest.datasets.map((d) => {
    const list = readConceptList(d.concepts);
    const results = d.results.map((r) => ({ ...r, spec: perfSpec(r.file, r.pointer), perf: readValueMap(perfSpec(r.file, r.pointer)) }));
    return { ...d, list, results };
  });
  const allConcepts: string[] = [];
  const seen = new Set<string>();
  for (const d of datasets) for (const c of d.list.concepts) if (!seen.has(c)) (seen.add(c), allConcepts.push(c));
  if (allConcepts.length === 0) throw new UserError(`${manifest.source}: the study has no datasets, so there are no concepts to count.`);

  makeDirs(out);
  // marked at once, so that a run that fails half-way leaves a directory the next run accepts
  if (!previous) writeFileAtomic(join(out, STUDY_MARKER), JSON.stringify({ format: "conceptfreq-study-outputs", version: 1, files: [] }, null, 2) + "\n");
  const warnings: string[] = [];
  const written = new Set<string>();
  const write = (relPath: string, data: string | Uint8Array): string => {
    writeFileAtomic(join(out, relPath), data);
    written.add(relPath);
    return relPath;
  };

  // 1. counts
  const counts: CorpusModeCounts[] = [];
  for (const corpus of manifest.corpora) {
    say(`counting ${allConcepts.length} concepts in ${corpus.name}`);
    const modes = manifest.analyses.modes.filter((m) => m === "text" || corpus.image);
    counts.push(...countStudyCorpus(corpus, allConcepts, modes, { cacheDir: join(out, "cache", "counts") }));
  }
  const countsOf = (corpus: string, mode: CountMode) => counts.find((c) => c.corpus === corpus && c.mode === mode);
  for (const c of counts) {
    if (c.missing.length > 0) {
      warnings.push(`corpus "${c.corpus}", ${c.mode} mode: ${c.missing.length} concept(s) are not in the image tagger's vocabulary and have no ${c.mode} count (e.g. "${c.missing[0]}").`);
    }
    write(`counts/${c.corpus}/${c.mode}.json`, json(mapToObject(c.counts)));
    for (const d of datasets) {
      const sub = new Map<string, number>();
      for (const concept of d.list.concepts) if (c.counts.has(concept)) sub.set(concept, c.counts.get(concept)!);
      write(`counts/${c.corpus}/${c.mode}/${d.name}.json`, json(mapToObject(sub)));
    }
  }

  // 2. fits
  const fits: StudyFit[] = [];
  const seriesFits = new Map<string, SeriesFit>();
  for (const d of datasets) {
    for (const r of d.results) {
      for (const corpusName of r.corpora) {
        for (const mode of manifest.analyses.modes) {
          const c = countsOf(corpusName, mode);
          if (!c) continue;
          const freqPath = `counts/${corpusName}/${mode}/${d.name}.json`;
          const freq = new Map<string, number>();
          for (const concept of d.list.concepts) if (c.counts.has(concept)) freq.set(concept, c.counts.get(concept)!);
          const perfLabel = perfSpec(rel(out, r.file), r.pointer); // relative to the study directory, like freqPath
          const fit = fitSeries({ name: r.model, pairs: [{ freq, perf: r.perf, freqLabel: freqPath, perfLabel }] }, fitOptions);
          const up = fit.pairs[0]!.unmatched_performance;
          if (up.count > 0 && mode === "text") {
            warnings.push(`dataset "${d.name}", model "${r.model}": ${up.count} concept(s) of ${r.spec} are not in ${d.concepts} and are left out (e.g. "${up.first[0]}").`);
          }
          const id = fitId({ dataset: d.name, model: r.model, corpus: corpusName, mode });
          const points = pointsWithResiduals(fit, fitOpts.zeroAs);
          seriesFits.set(id, fit);
          fits.push({
            id,
            dataset: d.name,
            model: r.model,
            corpus: corpusName,
            mode,
            n: fit.n,
            pairs: fit.pairs,
            regression: fit.regression,
            binned: fit.binned,
            points,
            outliers: outliersOf(points, fitOpts.outliers),
            plot: null,
          });
        }
      }
    }
  }
  say(`fitted ${fits.length} model × corpus × mode combination${fits.length === 1 ? "" : "s"}`);

  // 3. long tail and cross-corpus correlations, per mode
  const tails: Partial<Record<CountMode, TailReport>> = {};
  if (manifest.analyses.tail !== false || manifest.analyses.crossCorpus) {
    for (const mode of COUNT_MODES) {
      const corpora = counts.filter((c) => c.mode === mode).map((c) => ({ name: c.corpus, freq: c.counts }));
      if (corpora.length === 0) continue;
      const report = tailReport(corpora, { rarest: manifest.analyses.tail === false ? 0 : manifest.analyses.tail.rarest });
      if (!manifest.analyses.crossCorpus) report.correlations = [];
      if (manifest.analyses.tail === false) report.corpora = [];
      tails[mode] = report;
      write(`tail/${mode}.json`, json(report));
    }
    if (manifest.analyses.crossCorpus) {
      const cross: Record<string, unknown> = {};
      for (const [mode, t] of Object.entries(tails)) cross[mode] = t!.correlations;
      write("cross-corpus.json", json(cross));
    }
  }

  // 4. plots
  const plotFiles: StudyData["files"]["plots"] = [];
  if (manifest.analyses.plots) {
    const jobs: PlotJob[] = [];
    for (const d of datasets) {
      for (const corpus of manifest.corpora) {
        for (const mode of manifest.analyses.modes) {
          const series = fits.filter((f) => f.dataset === d.name && f.corpus === corpus.name && f.mode === mode);
          if (series.length === 0) continue;
          jobs.push({
            base: `plots/loglinear/${d.name}/${corpus.name}.${mode}`,
            title: `${d.name}: performance vs ${corpus.name} frequency (${mode})`,
            spec: logLinearPlotSpec(
              series.map((f) => ({ name: f.model, binned: f.binned, regression: f.regression, points: seriesFits.get(f.id)!.points })),
              { title: `${d.name} — ${corpus.name} (${mode} frequency)` },
            ),
          });
          for (const f of series) {
            const base = `plots/scatter/${d.name}/${f.model}/${corpus.name}.${mode}`;
            f.plot = { svg: `${base}.svg`, png: `${base}.png` };
            jobs.push({
              base,
              title: `${f.model} on ${d.name}: every concept vs ${corpus.name} frequency (${mode})`,
              spec: logLinearPlotSpec([{ name: f.model, binned: f.binned, regression: f.regression, points: seriesFits.get(f.id)!.points }], {
                scatter: true,
                title: `${f.model} — ${d.name} vs ${corpus.name} (${mode})`,
              }),
            });
          }
        }
      }
    }
    for (const [mode] of Object.entries(tails)) {
      const corpora = counts.filter((c) => c.mode === mode).map((c) => ({ name: c.corpus, freq: c.counts }));
      jobs.push({ base: `plots/tail/${mode}`, title: `Long tail of concept frequencies (${mode})`, spec: tailPlotSpec(corpora, { title: `Concept frequencies, sorted (${mode})` }) });
    }
    say(`drawing ${jobs.length} plot${jobs.length === 1 ? "" : "s"}`);
    for (const job of jobs) {
      const { svg, png } = await renderPlot(job.spec, join(out, "cache", "plots"));
      write(`${job.base}.svg`, svg);
      write(`${job.base}.png`, png);
      plotFiles.push({ title: job.title, svg: `${job.base}.svg`, png: `${job.base}.png` });
    }
  }

  // 5. results
  const rows = fits.map((f) => resultRow(f));
  const options = { ...fitOptions, trim: fitOpts.trim ?? null, outliers: fitOpts.outliers };
  write("results.csv", resultsCsv(rows));
  write("results.json", resultsJson(manifest.name, options, fits));

  // 6. dashboard data
  const data: StudyData = {
    format: STUDY_DATA_FORMAT,
    version: STUDY_DATA_VERSION,
    name: manifest.name,
    modes: manifest.analyses.modes,
    corpora: manifest.corpora.map((c) => ({
      name: c.name,
      docCount: counts.find((x) => x.corpus === c.name)!.docCount,
      match: c.match,
      modes: counts.filter((x) => x.corpus === c.name).map((x) => x.mode),
      image: !!c.image,
    })),
    datasets: datasets.map((d) => ({ name: d.name, concepts: d.list.concepts, models: d.results.map((r) => r.model) })),
    counts: {},
    examples: {},
    performance: {},
    fits,
    tail: tails,
    files: { report: manifest.analyses.report ? "report.html" : null, results_csv: "results.csv", results_json: "results.json", plots: plotFiles },
  };
  for (const c of counts) {
    (data.counts[c.corpus] ??= {})[c.mode] = mapToObject(c.counts);
    if (c.mode === "text") data.examples[c.corpus] = Object.fromEntries(c.examples);
  }
  for (const d of datasets) {
    data.performance[d.name] = Object.fromEntries(d.results.map((r) => [r.model, mapToObject(r.perf)]));
  }
  write(STUDY_DATA_FILE, JSON.stringify(data) + "\n");

  // 7. report
  let report: string | null = null;
  if (manifest.analyses.report) {
    const plots = new Map<string, string>();
    for (const p of plotFiles) plots.set(p.svg, readFileSync(join(out, p.svg), "utf8"));
    report = join(out, write("report.html", renderStudyReport(data, plots)));
  }

  pruneStale(out, previous, written);
  const marker: StudyMarker = { format: "conceptfreq-study-outputs", version: 1, files: [...written].sort() };
  writeFileAtomic(join(out, STUDY_MARKER), JSON.stringify(marker, null, 2) + "\n");

  return {
    out,
    report,
    results: { csv: join(out, "results.csv"), json: join(out, "results.json") },
    rows,
    counts: counts.map((c) => ({ corpus: c.corpus, mode: c.mode, concepts: c.counts.size + c.missing.length, computed: c.computed })),
    plots: plotFiles.map((p) => join(out, p.svg)),
    warnings,
  };
}

