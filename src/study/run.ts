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
import { fitSeries, type FitOptions, type SeriesFit, type SeriesInput } from "../analysis/fit.js";
import { tailReport, type TailReport } from "../analysis/long-tail.js";
import { log10Frequencies } from "../analysis/regression.js";
import { logLinearPlotSpec, tailPlotSpec } from "../report/plots.js";
import { renderVegaLite, svgToPng } from "../report/render.js";
import { countStudyCorpus, resolveImageIndexDir, type CorpusModeCounts } from "./counts.js";
import { digestOf, indexIdentity } from "./identity.js";
import { COUNT_MODES, corpusModes, type CountMode, type StudyManifest } from "./manifest.js";
import { displayPath, readStudyInputs, type DatasetInputs, type ModelResult } from "./inputs.js";
import { figureFitId, fitId, STUDY_DATA_FILE, STUDY_DATA_FORMAT, STUDY_DATA_VERSION, type FitPoint, type StudyData, type StudyFit } from "./data.js";
import { resultsCsv, resultsJson, type ResultRow, resultRow } from "./results.js";
import { renderStudyReport } from "./report-html.js";
import { makeDirs } from "../io/file-system.js";

export interface StudyRunOptions {
  /** Output directory (created when missing). */
  out: string;
  /** One line per step, for a CLI to print. */
  onProgress?: (message: string) => void;
  /** Each warning, as soon as it is known (so a run that fails later has printed them). */
  onWarning?: (message: string) => void;
  /** Informational notes (e.g. result keys of corpora the study does not have). */
  onNote?: (message: string) => void;
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
  notes: string[];
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

/** Indexes are opened and checked before any work; returns each corpus' image index directory. */
function checkIndexes(m: StudyManifest): Map<string, string> {
  const problems: string[] = [];
  const imageDirs = new Map<string, string>();
  for (const c of m.corpora) {
    const modes = m.analyses.modes.filter((x) => c.counts[x] === undefined && corpusModes(c).includes(x));
    if (modes.length === 0) continue;
    const needText = modes.some((x) => x !== "image");
    const needImage = modes.some((x) => x !== "text");
    try {
      if (needText && c.index !== undefined) {
        if (!existsSync(c.index) || !statSync(c.index).isDirectory()) throw new UserError(`corpus "${c.name}": the text index ${displayPath(c.index)} does not exist.`);
        indexIdentity(c.index);
      }
      if (needImage && c.image) {
        if (!existsSync(c.image.index)) throw new UserError(`corpus "${c.name}": the image index ${displayPath(c.image.index)} does not exist.`);
        const dir = resolveImageIndexDir(c.image, c.name);
        indexIdentity(dir);
        imageDirs.set(c.name, dir);
      }
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(e.message.startsWith("corpus ") ? e.message : `corpus "${c.name}": ${e.message}`);
    }
  }
  if (problems.length === 1) throw new UserError(`${m.source}: ${problems[0]}`);
  if (problems.length > 1) throw new UserError(`${m.source}: ${problems.length} problems with the corpora:\n  ${problems.join("\n  ")}`);
  return imageDirs;
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
  const warnings: string[] = [];
  const warned = new Set<string>();
  const warn = (w: string) => {
    if (warned.has(w)) return;
    warned.add(w);
    warnings.push(w);
    opts.onWarning?.(w);
  };
  const fitOpts = manifest.analyses.fit;
  const fitOptions: FitOptions = {
    zeroAs: fitOpts.zeroAs,
    bootstrap: fitOpts.bootstrap,
    seed: fitOpts.seed,
    binning: fitOpts.binning,
    bins: fitOpts.bins,
    trim: fitOpts.trim,
  };

  // Every input is read and checked before anything is written (cache included).
  const previous = checkOutputDir(out, opts.out, manifest.source);
  const imageDirs = checkIndexes(manifest);
  const inputs = readStudyInputs(manifest, warn);
  for (const n of inputs.notes) opts.onNote?.(n);
  const datasets = inputs.datasets;
  const allConcepts: string[] = [];
  const seen = new Set<string>();
  for (const d of datasets) for (const c of d.concepts_) if (!seen.has(c)) (seen.add(c), allConcepts.push(c));
  if (allConcepts.length === 0) throw new UserError(`${manifest.source}: the study has no datasets, so there are no concepts to count.`);

  makeDirs(out);
  // marked at once, so that a run that fails half-way leaves a directory the next run accepts
  if (!previous) writeFileAtomic(join(out, STUDY_MARKER), JSON.stringify({ format: "conceptfreq-study-outputs", version: 1, files: [] }, null, 2) + "\n");
  const written = new Set<string>();
  const write = (relPath: string, data: string | Uint8Array): string => {
    writeFileAtomic(join(out, relPath), data);
    written.add(relPath);
    return relPath;
  };

  // 1. counts: from count files, or from the indexes (cached)
  const counts: CorpusModeCounts[] = [];
  /** corpus/mode/dataset -> the dataset's concepts' counts (absent: the dataset has no counts there). */
  const perDataset = new Map<string, Map<string, number>>();
  const dkey = (corpus: string, mode: CountMode, dataset: string) => `${corpus}\0${mode}\0${dataset}`;
  for (const corpus of manifest.corpora) {
    const fromFiles = manifest.analyses.modes.filter((m) => corpus.counts[m] !== undefined);
    const fromIndex = manifest.analyses.modes.filter((m) => corpus.counts[m] === undefined && corpusModes(corpus).includes(m));
    let docCount: number | null = null;
    if (fromIndex.length > 0) {
      say(`counting ${allConcepts.length} concepts in ${corpus.name}`);
      const got = countStudyCorpus(corpus, allConcepts, fromIndex, { cacheDir: join(out, "cache", "counts"), imageDir: imageDirs.get(corpus.name) });
      for (const c of got) {
        docCount = c.docCount;
        counts.push(c);
        if (c.missing.length > 0) {
          warn(`corpus "${c.corpus}", ${c.mode} mode: ${c.missing.length} concept(s) are not in the image tagger's vocabulary and have no ${c.mode} count (e.g. "${c.missing[0]}").`);
        }
        for (const d of datasets) {
          const sub = new Map<string, number>();
          for (const concept of d.concepts_) if (c.counts.has(concept)) sub.set(concept, c.counts.get(concept)!);
          perDataset.set(dkey(c.corpus, c.mode, d.name), sub);
        }
      }
    }
    for (const mode of fromFiles) {
      const union = new Map<string, number>();
      const files = inputs.countFiles.filter((x) => x.corpus === corpus.name && x.mode === mode);
      if (files.length === 0) continue; // every dataset's file is missing: warned when the inputs were read
      for (const f of files) {
        perDataset.set(dkey(corpus.name, mode, f.dataset), f.counts);
        for (const [k, v] of f.counts) if (!union.has(k)) union.set(k, v);
      }
      counts.push({ corpus: corpus.name, mode, counts: union, missing: [], examples: new Map(), docCount, computed: 0, cacheFile: "" });
    }
  }
  counts.sort((a, b) => manifest.corpora.findIndex((c) => c.name === a.corpus) - manifest.corpora.findIndex((c) => c.name === b.corpus) || COUNT_MODES.indexOf(a.mode) - COUNT_MODES.indexOf(b.mode));
  for (const c of counts) {
    write(`counts/${c.corpus}/${c.mode}.json`, json(mapToObject(c.counts)));
    for (const d of datasets) {
      const sub = perDataset.get(dkey(c.corpus, c.mode, d.name));
      if (sub) write(`counts/${c.corpus}/${c.mode}/${d.name}.json`, json(mapToObject(sub)));
    }
  }
  const hasCounts = (corpus: string, mode: CountMode) => counts.some((c) => c.corpus === corpus && c.mode === mode);

  /** A dataset's frequency map in one corpus and mode, or undefined (with a warning) when it cannot be fitted there. */
  const freqFor = (d: DatasetInputs, corpus: string, mode: CountMode, mr: ModelResult): Map<string, number> | undefined => {
    const freq = perDataset.get(dkey(corpus, mode, d.name));
    if (!freq) return undefined; // no count file: warned when the inputs were read
    let matched = 0;
    for (const concept of mr.perf.keys()) if (freq.has(concept)) matched++;
    if (matched === 0) {
      const why = mode === "text" ? "has a count" : counts.find((c) => c.corpus === corpus && c.mode === mode)?.cacheFile ? "is in the image tagger's vocabulary" : "has a count";
      warn(`corpus "${corpus}", ${mode} mode, dataset "${d.name}": no concept of the dataset ${why}; the dataset is left out of this corpus and mode.`);
      return undefined;
    }
    return freq;
  };

  // 2. fits: one per dataset × model × corpus × mode, then the figures' pooled fits
  const fits: StudyFit[] = [];
  const seriesFits = new Map<string, SeriesFit>();
  const addFit = (fit: SeriesFit, f: Omit<StudyFit, "n" | "pairs" | "regression" | "binned" | "points" | "outliers" | "plot">) => {
    const points = pointsWithResiduals(fit, fitOpts.zeroAs);
    seriesFits.set(f.id, fit);
    const sf: StudyFit = { ...f, n: fit.n, pairs: fit.pairs, regression: fit.regression, binned: fit.binned, points, outliers: outliersOf(points, fitOpts.outliers), plot: null };
    fits.push(sf);
    return sf;
  };
  for (const d of datasets) {
    for (const mr of d.models) {
      for (const corpusName of mr.corpora) {
        for (const mode of manifest.analyses.modes) {
          if (!hasCounts(corpusName, mode)) continue;
          const freq = freqFor(d, corpusName, mode, mr);
          if (!freq) continue;
          const freqPath = `counts/${corpusName}/${mode}/${d.name}.json`;
          const fit = fitSeries({ name: mr.model, pairs: [{ freq, perf: mr.perf, freqLabel: freqPath, perfLabel: perfLabelOf(out, mr) }] }, fitOptions);
          const up = fit.pairs[0]!.unmatched_performance;
          if (up.count > 0 && mode === "text") {
            warn(`dataset "${d.name}", model "${mr.model}": ${up.count} concept(s) of ${mr.spec} have no ${mode} count in corpus "${corpusName}" and are left out (e.g. "${up.first[0]}").`);
          }
          addFit(fit, { id: fitId({ dataset: d.name, model: mr.model, corpus: corpusName, mode }), figure: null, dataset: d.name, model: mr.model, corpus: corpusName, mode });
        }
      }
    }
  }
  for (const fig of manifest.figures) {
    const members = fig.datasets.map((n) => datasets.find((d) => d.name === n)!);
    const models: string[] = [];
    for (const d of members) for (const mr of d.models) if (!models.includes(mr.model)) models.push(mr.model);
    for (const corpusName of fig.corpora) {
      const settings = { ...fig.settings, ...fig.perCorpus[corpusName] };
      const trim = fig.perCorpus[corpusName]?.trim ?? (fig.perCorpus[corpusName]?.binning !== undefined ? undefined : settings.trim);
      for (const mode of fig.modes) {
        if (!hasCounts(corpusName, mode)) continue;
        for (const model of models) {
          const pairs: SeriesInput["pairs"] = [];
          const pooled: string[] = [];
          for (const d of members) {
            const mr = d.models.find((x) => x.model === model && x.corpora.includes(corpusName));
            if (!mr) continue;
            const freq = freqFor(d, corpusName, mode, mr);
            if (!freq) continue;
            pairs.push({ freq, perf: mr.perf, freqLabel: `counts/${corpusName}/${mode}/${d.name}.json`, perfLabel: perfLabelOf(out, mr) });
            pooled.push(d.name);
          }
          if (pairs.length === 0) continue;
          const fit = fitSeries({ name: model, pairs }, { ...fitOptions, bins: settings.bins, binning: settings.binning, trim });
          addFit(fit, { id: figureFitId({ figure: fig.name, model, corpus: corpusName, mode }), figure: fig.name, dataset: "", datasets: pooled, model, corpus: corpusName, mode });
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
    const seriesOf = (fs: StudyFit[]) => fs.map((f) => ({ name: f.model, binned: f.binned, regression: f.regression, points: seriesFits.get(f.id)!.points }));
    for (const fig of manifest.figures) {
      for (const corpusName of fig.corpora) {
        for (const mode of fig.modes) {
          const series = fits.filter((f) => f.figure === fig.name && f.corpus === corpusName && f.mode === mode);
          if (series.length === 0) continue;
          jobs.push({
            base: `plots/figures/${fig.name}/${corpusName}.${mode}`,
            title: `${fig.title}: performance vs ${corpusName} frequency (${mode}), ${series[0]!.datasets?.length ?? 0}+ datasets pooled`,
            spec: logLinearPlotSpec(seriesOf(series), { title: `${fig.title} — ${corpusName} (${mode} frequency)` }),
          });
        }
      }
    }
    for (const d of manifest.analyses.plots === "figures" ? [] : datasets) {
      for (const corpus of manifest.corpora) {
        for (const mode of manifest.analyses.modes) {
          const series = fits.filter((f) => f.figure === null && f.dataset === d.name && f.corpus === corpus.name && f.mode === mode);
          if (series.length === 0) continue;
          jobs.push({
            base: `plots/loglinear/${d.name}/${corpus.name}.${mode}`,
            title: `${d.name}: performance vs ${corpus.name} frequency (${mode})`,
            spec: logLinearPlotSpec(seriesOf(series), { title: `${d.name} — ${corpus.name} (${mode} frequency)` }),
          });
          for (const f of series) {
            const base = `plots/scatter/${d.name}/${fileSafe(f.model)}/${corpus.name}.${mode}`;
            f.plot = { svg: `${base}.svg`, png: `${base}.png` };
            jobs.push({
              base,
              title: `${f.model} on ${d.name}: every concept vs ${corpus.name} frequency (${mode})`,
              spec: logLinearPlotSpec(seriesOf([f]), { scatter: true, title: `${f.model} — ${d.name} vs ${corpus.name} (${mode})` }),
            });
          }
        }
      }
    }
    for (const [mode] of Object.entries(tails)) {
      const corpora = counts.filter((c) => c.mode === mode).map((c) => ({ name: c.corpus, freq: c.counts }));
      jobs.push({ base: `plots/tail/${mode}`, title: `Long tail of concept frequencies (${mode})`, spec: tailPlotSpec(corpora, { title: `Concept frequencies, sorted (${mode})`, scale: manifest.analyses.tail === false ? "log" : manifest.analyses.tail.plot }) });
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
      docCount: counts.find((x) => x.corpus === c.name)?.docCount ?? null,
      match: c.match,
      modes: counts.filter((x) => x.corpus === c.name).map((x) => x.mode),
      image: !!c.image || c.counts.image !== undefined || c.counts.integrated !== undefined,
    })),
    datasets: datasets.map((d) => ({ name: d.name, concepts: d.concepts_, models: distinct(d.models.map((r) => r.model)) })),
    figures: manifest.figures.map((f) => ({
      name: f.name,
      title: f.title,
      datasets: f.datasets,
      models: distinct(fits.filter((x) => x.figure === f.name).map((x) => x.model)),
      corpora: f.corpora,
      modes: f.modes,
    })),
    counts: {},
    examples: {},
    performance: {},
    fits,
    tail: tails,
    files: { report: manifest.analyses.report ? "report.html" : null, results_csv: "results.csv", results_json: "results.json", plots: plotFiles },
  };
  for (const c of counts) {
    (data.counts[c.corpus] ??= {})[c.mode] = mapToObject(c.counts);
    if (c.mode === "text" && c.examples.size > 0) data.examples[c.corpus] = Object.fromEntries(c.examples);
  }
  for (const d of datasets) {
    const byModel: Record<string, Record<string, number>> = {};
    for (const mr of d.models) {
      const several = d.models.filter((x) => x.model === mr.model).length > 1;
      byModel[several ? `${mr.model} (${mr.corpora.join(", ")})` : mr.model] = mapToObject(mr.perf);
    }
    data.performance[d.name] = byModel;
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
    notes: inputs.notes,
  };
}

/** A model name taken from a results key, made safe as a path segment. */
function fileSafe(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._=-]/g, "_");
  return s === "" || s === "." || s === ".." ? `_${s}` : s;
}

function distinct<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** A result's "file#/pointer", relative to the study directory like the counts/ paths of a fit. */
function perfLabelOf(out: string, mr: ModelResult): string {
  return perfSpec(rel(out, mr.file), mr.pointer);
}
