/**
 * The study's counts step: every dataset's concepts in every corpus and mode, from the indexes (with
 * the synonym expansion in force, cached: counts.ts) or from count files, per dataset and as the union
 * over datasets (a corpus' tail). Counts from a sampled index are estimates with intervals; count
 * files with `{count, low, high}` values carry their intervals too.
 *
 * Files written (by writeStudyCounts):
 *   counts/CORPUS/MODE.json            the union over datasets (the tail's input)
 *   counts/CORPUS/MODE/DATASET.json    one dataset's concepts (a fit's --freq)
 *   synonyms/CORPUS/DATASET.json       the expansion used (count --explain's format; give it back as synonyms: FILE)
 * in the shapes `conceptfreq count` writes: {concept: count}; {concept: {count, alternates}} with
 * synonyms; {concept: {count, low, high, sampled, rate}} on a sampled index; {concept: {count, low,
 * high}} for count files with intervals (what `fit --count-uncertainty` reads).
 */
import { join } from "node:path";
import { formatSynonymFile } from "../concepts/synonyms.js";
import { formatCounts, formatEstimates } from "../report/count-format.js";
import type { SampleInfo } from "../text-index/sample.js";
import { countKey, countStudyCorpus, type ConceptExample, type StudyConcept } from "./counts.js";
import type { DatasetInputs, StudyInputs } from "./inputs.js";
import { COUNT_MODES, type CountMode, type StudyManifest } from "./manifest.js";
import type { StudyOutputDir } from "./output-dir.js";
import type { CheckedIndexes } from "./index-check.js";

export interface CountInterval {
  low: number;
  high: number;
}

/** One dataset's counts in one corpus and mode (concept -> count, concept -> interval). */
export interface DatasetCounts {
  counts: Map<string, number>;
  intervals: Map<string, CountInterval>;
  /** The alternates each concept was counted as (synonyms), when expanded. */
  alternates?: Map<string, readonly string[]>;
  /** A sampled index: each concept's count in the sample. */
  sampled?: Map<string, number>;
}

export interface StudyModeCounts {
  corpus: string;
  mode: CountMode;
  /** The union over datasets (first dataset's count of a shared concept), in study concept order. */
  counts: Map<string, number>;
  intervals: Map<string, CountInterval>;
  alternates: Map<string, readonly string[]>;
  /** The sampled index these counts are estimated from (text mode), or undefined. */
  sample?: SampleInfo;
  /** Raw sampled counts (concept -> count in the sample), with `sample`. */
  sampled: Map<string, number>;
  /** Image modes: concepts the tagger does not know (no count, left out of fits). */
  missing: string[];
  examples: Map<string, ConceptExample[]>;
  docCount: number | null;
  computed: number;
  /** The cache file ("" for counts from files). */
  cacheFile: string;
  byDataset: Map<string, DatasetCounts>;
}

/** The requests of one corpus: each dataset's concepts with the alternates it is counted as there. */
function requestsOf(datasets: readonly DatasetInputs[], inputs: StudyInputs, corpus: string): { perDataset: Map<string, StudyConcept[]>; all: StudyConcept[] } {
  const perDataset = new Map<string, StudyConcept[]>();
  const all: StudyConcept[] = [];
  for (const d of datasets) {
    const expansion = inputs.expansions.get(corpus, d.name);
    const list = d.concepts_.map((concept, i): StudyConcept => (expansion ? { concept, alternates: expansion.concepts[i]!.alternates } : { concept }));
    perDataset.set(d.name, list);
    all.push(...list);
  }
  return { perDataset, all };
}

function emptyMode(corpus: string, mode: CountMode, docCount: number | null): StudyModeCounts {
  return { corpus, mode, counts: new Map(), intervals: new Map(), alternates: new Map(), sampled: new Map(), missing: [], examples: new Map(), docCount, computed: 0, cacheFile: "", byDataset: new Map() };
}

/** Adds a dataset's counts to the union (a concept already there keeps its first count). */
function addToUnion(u: StudyModeCounts, dataset: string, dc: DatasetCounts): void {
  u.byDataset.set(dataset, dc);
  for (const [k, v] of dc.counts) {
    if (u.counts.has(k)) continue;
    u.counts.set(k, v);
    const iv = dc.intervals.get(k);
    if (iv) u.intervals.set(k, iv);
    const alt = dc.alternates?.get(k);
    if (alt) u.alternates.set(k, alt);
    const sampled = dc.sampled?.get(k);
    if (sampled !== undefined) u.sampled.set(k, sampled);
  }
}

export interface CollectCountsOptions {
  out: string;
  /** checkIndexes' answer: each corpus' image index directory and the modes it counts from its indexes. */
  indexes: CheckedIndexes;
  say: (m: string) => void;
  warn: (w: string) => void;
}

/** Counts (or reads) everything the study fits, in manifest order of corpora and COUNT_MODES order of modes. */
export function collectStudyCounts(manifest: StudyManifest, inputs: StudyInputs, opts: CollectCountsOptions): StudyModeCounts[] {
  const { datasets } = inputs;
  const counts: StudyModeCounts[] = [];
  for (const corpus of manifest.corpora) {
    const fromFiles = manifest.analyses.modes.filter((m) => corpus.counts[m] !== undefined);
    const fromIndex = opts.indexes.indexModes.get(corpus.name) ?? [];
    let docCount: number | null = null;
    if (fromIndex.length > 0) {
      const { perDataset, all } = requestsOf(datasets, inputs, corpus.name);
      opts.say(`counting ${new Set(all.map((c) => c.concept)).size} concepts in ${corpus.name}`);
      const got = countStudyCorpus(corpus, all, fromIndex, { cacheDir: join(opts.out, "cache", "counts"), imageDir: opts.indexes.imageDirs.get(corpus.name) });
      for (const c of got) {
        docCount = c.docCount;
        const u: StudyModeCounts = { ...emptyMode(c.corpus, c.mode, c.docCount), computed: c.computed, cacheFile: c.cacheFile, ...(c.sample ? { sample: c.sample } : {}) };
        const missing = new Set(c.missing);
        for (const d of datasets) {
          const dc: DatasetCounts = { counts: new Map(), intervals: new Map() };
          for (const req of perDataset.get(d.name)!) {
            const key = countKey(req, c.mode);
            if (missing.has(key)) {
              if (!u.missing.includes(req.concept)) u.missing.push(req.concept);
              continue;
            }
            const n = c.counts.get(key);
            if (n === undefined) continue;
            dc.counts.set(req.concept, n);
            const iv = c.intervals?.get(key);
            if (iv) dc.intervals.set(req.concept, iv);
            if (req.alternates && c.mode !== "image") (dc.alternates ??= new Map()).set(req.concept, req.alternates);
            const ex = c.examples.get(key);
            if (ex && !u.examples.has(req.concept)) u.examples.set(req.concept, ex);
            const k = c.sampled?.get(key);
            if (k !== undefined) (dc.sampled ??= new Map()).set(req.concept, k);
          }
          addToUnion(u, d.name, dc);
        }
        if (u.missing.length > 0) {
          opts.warn(`corpus "${u.corpus}", ${u.mode} mode: ${u.missing.length} concept(s) are not in the image tagger's vocabulary and have no ${u.mode} count (e.g. "${u.missing[0]}").`);
        }
        counts.push(u);
      }
    }
    for (const mode of fromFiles) {
      const files = inputs.countFiles.filter((x) => x.corpus === corpus.name && x.mode === mode);
      if (files.length === 0) continue; // every dataset's file is missing: warned when the inputs were read
      const u = emptyMode(corpus.name, mode, docCount);
      for (const f of files) addToUnion(u, f.dataset, { counts: f.counts, intervals: f.intervals });
      counts.push(u);
    }
  }
  const corpusOrder = (name: string) => manifest.corpora.findIndex((c) => c.name === name);
  counts.sort((a, b) => corpusOrder(a.corpus) - corpusOrder(b.corpus) || COUNT_MODES.indexOf(a.mode) - COUNT_MODES.indexOf(b.mode));
  return counts;
}

/** A count map in the shape `conceptfreq count` (or `audit apply`, for intervals) writes. */
function countFile(counts: Map<string, number>, intervals: Map<string, CountInterval>, alternates: Map<string, readonly string[]> | undefined, sample: SampleInfo | undefined, sampled: Map<string, number>): string {
  const list = [...counts].map(([concept, count]) => ({ concept, count }));
  if (sample) {
    return formatEstimates(
      list.map((c) => ({ ...c, low: intervals.get(c.concept)!.low, high: intervals.get(c.concept)!.high, sampled: sampled.get(c.concept)!, rate: sample.rate })),
      "json",
    );
  }
  if (intervals.size > 0) {
    const obj: Record<string, number | { count: number; low: number; high: number }> = {};
    for (const c of list) {
      const iv = intervals.get(c.concept);
      obj[c.concept] = iv ? { count: c.count, low: iv.low, high: iv.high } : c.count;
    }
    return JSON.stringify(obj, null, 2) + "\n";
  }
  if (alternates && alternates.size > 0) return formatCounts(list, "json", list.map((c) => [...(alternates.get(c.concept) ?? [c.concept])]));
  return formatCounts(list, "json");
}

/** The study-relative file of a dataset's counts in a corpus and mode (a fit's freqLabel). */
export function datasetCountsFile(corpus: string, mode: CountMode, dataset: string): string {
  return `counts/${corpus}/${mode}/${dataset}.json`;
}

/** Writes counts/ and synonyms/; returns the synonym files written. */
export function writeStudyCounts(dir: StudyOutputDir, counts: readonly StudyModeCounts[], inputs: StudyInputs): { corpus: string; dataset: string; file: string }[] {
  for (const c of counts) {
    dir.write(`counts/${c.corpus}/${c.mode}.json`, countFile(c.counts, c.intervals, c.alternates, c.sample, c.sampled));
    for (const d of inputs.datasets) {
      const sub = c.byDataset.get(d.name);
      if (sub) dir.write(datasetCountsFile(c.corpus, c.mode, d.name), countFile(sub.counts, sub.intervals, sub.alternates, c.sample, sub.sampled ?? new Map()));
    }
  }
  return inputs.expansions.all().map(({ corpus, dataset, expansion }) => ({ corpus, dataset, file: dir.write(`synonyms/${corpus}/${dataset}.json`, formatSynonymFile(expansion)) }));
}
