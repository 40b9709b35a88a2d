/**
 * The study's fits: one per dataset × model × corpus × mode, then each figure's pooled fit per model,
 * corpus and mode, with fitSeries (what `conceptfreq fit` computes). With analyses.fit.countUncertainty
 * the pairs carry the counts' intervals (freqIntervals) and the slope's bootstrap draws each count
 * within its interval, as `fit --count-uncertainty` does.
 */
import { relative, sep } from "node:path";
import { fitSeries, type FitOptions, type FitPairInput, type SeriesFit } from "../analysis/fit.js";
import { outliersOf, pointsWithResiduals } from "../analysis/residuals.js";
import { figureFitId, fitId, type StudyFit } from "./data.js";
import type { DatasetInputs, ModelResult } from "./inputs.js";
import type { CountMode, StudyManifest } from "./manifest.js";
import { datasetCountsFile, type DatasetCounts, type StudyModeCounts } from "./study-counts.js";

export interface StudyFits {
  fits: StudyFit[];
  /** Fit id -> the full series fit (its joined points feed the plots). */
  series: Map<string, SeriesFit>;
}

/** The fit options of the manifest's fit settings (what `fit` takes as flags). */
export function studyFitOptions(m: StudyManifest): FitOptions {
  const f = m.analyses.fit;
  return { zeroAs: f.zeroAs, bootstrap: f.bootstrap, seed: f.seed, binning: f.binning, bins: f.bins, trim: f.trim, countUncertainty: f.countUncertainty };
}

/** A result's "file#/pointer", relative to the study directory like the counts/ paths of a fit. */
function perfLabelOf(out: string, mr: ModelResult): string {
  const file = relative(out, mr.file).split(sep).join("/");
  return mr.pointer === "" ? file : `${file}#${mr.pointer}`;
}

export function fitStudy(manifest: StudyManifest, datasets: readonly DatasetInputs[], counts: readonly StudyModeCounts[], out: string, warn: (w: string) => void): StudyFits {
  const fitOpts = manifest.analyses.fit;
  const fitOptions = studyFitOptions(manifest);
  const propagate = fitOpts.countUncertainty;
  const fits: StudyFit[] = [];
  const series = new Map<string, SeriesFit>();
  const modeCounts = (corpus: string, mode: CountMode) => counts.find((c) => c.corpus === corpus && c.mode === mode);

  /** A dataset's counts in one corpus and mode, or undefined (with a warning) when it cannot be fitted there. */
  const countsFor = (d: DatasetInputs, corpus: string, mode: CountMode, mr: ModelResult): DatasetCounts | undefined => {
    const mc = modeCounts(corpus, mode);
    const dc = mc?.byDataset.get(d.name);
    if (!mc || !dc) return undefined; // no count file: warned when the inputs were read
    let matched = 0;
    for (const concept of mr.perf.keys()) if (dc.counts.has(concept)) matched++;
    if (matched === 0) {
      const why = mode !== "text" && mc.cacheFile ? "is in the image tagger's vocabulary" : "has a count";
      warn(`corpus "${corpus}", ${mode} mode, dataset "${d.name}": no concept of the dataset ${why}; the dataset is left out of this corpus and mode.`);
      return undefined;
    }
    return dc;
  };
  const pairOf = (d: DatasetInputs, corpus: string, mode: CountMode, mr: ModelResult, dc: DatasetCounts): FitPairInput => ({
    freq: dc.counts,
    perf: mr.perf,
    freqLabel: datasetCountsFile(corpus, mode, d.name),
    perfLabel: perfLabelOf(out, mr),
    ...(propagate && dc.intervals.size > 0 ? { freqIntervals: dc.intervals } : {}),
  });
  const add = (fit: SeriesFit, f: Omit<StudyFit, "n" | "pairs" | "regression" | "binned" | "points" | "outliers" | "plot" | "countIntervals">, used: readonly DatasetCounts[], estimated: boolean) => {
    const points = pointsWithResiduals(fit, fitOpts.zeroAs);
    series.set(f.id, fit);
    const intervals = fit.points.filter((p) => used[p.pair]!.intervals.has(p.concept)).length;
    fits.push({
      ...f,
      n: fit.n,
      pairs: fit.pairs,
      regression: fit.regression,
      binned: fit.binned,
      points,
      outliers: outliersOf(points, fitOpts.outliers),
      plot: null,
      countIntervals: { intervals, estimated, propagated: propagate && intervals > 0 },
    });
  };

  for (const d of datasets) {
    for (const mr of d.models) {
      for (const corpusName of mr.corpora) {
        for (const mode of manifest.analyses.modes) {
          if (!modeCounts(corpusName, mode)) continue;
          const dc = countsFor(d, corpusName, mode, mr);
          if (!dc) continue;
          const fit = fitSeries({ name: mr.model, pairs: [pairOf(d, corpusName, mode, mr, dc)] }, fitOptions);
          const up = fit.pairs[0]!.unmatched_performance;
          if (up.count > 0 && mode === "text") {
            warn(`dataset "${d.name}", model "${mr.model}": ${up.count} concept(s) of ${mr.spec} have no ${mode} count in corpus "${corpusName}" and are left out (e.g. "${up.first[0]}").`);
          }
          add(fit, { id: fitId({ dataset: d.name, model: mr.model, corpus: corpusName, mode }), figure: null, dataset: d.name, model: mr.model, corpus: corpusName, mode }, [dc], !!modeCounts(corpusName, mode)!.sample);
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
        if (!modeCounts(corpusName, mode)) continue;
        for (const model of models) {
          const pairs: FitPairInput[] = [];
          const used: DatasetCounts[] = [];
          const pooled: string[] = [];
          for (const d of members) {
            const mr = d.models.find((x) => x.model === model && x.corpora.includes(corpusName));
            if (!mr) continue;
            const dc = countsFor(d, corpusName, mode, mr);
            if (!dc) continue;
            pairs.push(pairOf(d, corpusName, mode, mr, dc));
            used.push(dc);
            pooled.push(d.name);
          }
          if (pairs.length === 0) continue;
          const fit = fitSeries({ name: model, pairs }, { ...fitOptions, bins: settings.bins, binning: settings.binning, trim });
          add(fit, { id: figureFitId({ figure: fig.name, model, corpus: corpusName, mode }), figure: fig.name, dataset: "", datasets: pooled, model, corpus: corpusName, mode }, used, !!modeCounts(corpusName, mode)!.sample);
        }
      }
    }
  }
  return { fits, series };
}
