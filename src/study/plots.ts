/**
 * The study's plots: each figure × corpus × mode (binned means, a line per model), each dataset ×
 * corpus × mode and each fit's scatter (unless plots: figures), and the long-tail plot per mode, as
 * SVG and PNG, with a cache keyed by the plot's spec.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TailReport } from "../analysis/long-tail.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { logLinearPlotSpec, tailPlotSpec } from "../report/plots.js";
import { renderVegaLite, svgToPng } from "../report/render.js";
import type { StudyData, StudyFit } from "./data.js";
import type { StudyFits } from "./fits.js";
import { digestOf } from "./identity.js";
import type { DatasetInputs } from "./inputs.js";
import type { CountMode, StudyManifest } from "./manifest.js";
import type { StudyOutputDir } from "./output-dir.js";
import type { StudyModeCounts } from "./study-counts.js";

/** Plot files written by a study (paths relative to the output directory, without extension). */
interface PlotJob {
  base: string;
  title: string;
  spec: object;
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

/** A model name taken from a results key, made safe as a path segment. */
function fileSafe(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._=-]/g, "_");
  return s === "" || s === "." || s === ".." ? `_${s}` : s;
}

/** "18 datasets pooled" (the count of a figure's fit), for a figure plot's caption. */
function pooledText(n: number): string {
  return `${n} dataset${n === 1 ? "" : "s"} pooled`;
}

/** The plots the manifest asks for; sets each per-dataset fit's `plot`. */
function plotJobs(manifest: StudyManifest, datasets: readonly DatasetInputs[], fits: StudyFits, counts: readonly StudyModeCounts[], tails: Partial<Record<CountMode, TailReport>>): PlotJob[] {
  const jobs: PlotJob[] = [];
  const seriesOf = (fs: StudyFit[]) => fs.map((f) => ({ name: f.model, binned: f.binned, regression: f.regression, points: fits.series.get(f.id)!.points }));
  for (const fig of manifest.figures) {
    for (const corpusName of fig.corpora) {
      for (const mode of fig.modes) {
        const series = fits.fits.filter((f) => f.figure === fig.name && f.corpus === corpusName && f.mode === mode);
        if (series.length === 0) continue;
        jobs.push({
          base: `plots/figures/${fig.name}/${corpusName}.${mode}`,
          title: `${fig.title}: performance vs ${corpusName} frequency (${mode}), ${pooledText(series[0]!.datasets?.length ?? 0)}`,
          spec: logLinearPlotSpec(seriesOf(series), { title: `${fig.title} — ${corpusName} (${mode} frequency)` }),
        });
      }
    }
  }
  for (const d of manifest.analyses.plots === "figures" ? [] : datasets) {
    for (const corpus of manifest.corpora) {
      for (const mode of manifest.analyses.modes) {
        const series = fits.fits.filter((f) => f.figure === null && f.dataset === d.name && f.corpus === corpus.name && f.mode === mode);
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
    const scale = manifest.analyses.tail === false ? "log" : manifest.analyses.tail.plot;
    jobs.push({ base: `plots/tail/${mode}`, title: `Long tail of concept frequencies (${mode})`, spec: tailPlotSpec(corpora, { title: `Concept frequencies, sorted (${mode})`, scale }) });
  }
  return jobs;
}

/** Draws and writes the plots (none when analyses.plots is false); returns the files written. */
export async function drawStudyPlots(
  dir: StudyOutputDir,
  manifest: StudyManifest,
  datasets: readonly DatasetInputs[],
  fits: StudyFits,
  counts: readonly StudyModeCounts[],
  tails: Partial<Record<CountMode, TailReport>>,
  say: (m: string) => void,
): Promise<StudyData["files"]["plots"]> {
  const files: StudyData["files"]["plots"] = [];
  if (!manifest.analyses.plots) return files;
  const jobs = plotJobs(manifest, datasets, fits, counts, tails);
  say(`drawing ${jobs.length} plot${jobs.length === 1 ? "" : "s"}`);
  for (const job of jobs) {
    const { svg, png } = await renderPlot(job.spec, join(dir.out, "cache", "plots"));
    dir.write(`${job.base}.svg`, svg);
    dir.write(`${job.base}.png`, png);
    files.push({ title: job.title, svg: `${job.base}.svg`, png: `${job.base}.png` });
  }
  return files;
}
