/**
 * A study's concept counts: for one corpus and one count mode, how many pretraining samples hold each
 * concept, with a cache in the study directory.
 *
 *   text        captions matching the concept (the corpus' match rule: paper or phrase)
 *   image       images the image index tags with the concept (exact tagger vocabulary name)
 *   integrated  samples whose caption matches AND whose image is tagged (the paper's matched frequency)
 *
 * The cache holds one file per (mode, inputs identity) — the identities of the indexes the mode
 * reads, the match rule and, for text, the number of example captions — mapping concept -> count.
 * A re-run counts only the concepts the cache does not hold, so changing one corpus' index recomputes
 * that corpus only, changing a result file recomputes no count at all, and adding a concept counts
 * just that concept.
 *
 * Synonyms: a concept counted as alternates (`count --synonyms`) has the entry key
 * "concept\u0000alt1|alt2|..." (the expansion is part of the key; image mode ignores it, as the tagger
 * names concepts its own way), so editing one concept's alternates recounts that concept only.
 *
 * A sampled text index (`index build --sample`): the cache holds the sampled counts; text counts are
 * returned as full-corpus estimates (sampled / rate) with exact 95% intervals (sample-estimate.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { TextIndex } from "../text-index/text-index.js";
import { countConceptsByMode } from "../image/count-modes.js";
import { ImageIndex } from "../image/image-index.js";
import { IMAGE_MANIFEST_FILE, IMAGE_SWEEP_FILE, readSweep } from "../image/manifest.js";
import { estimateFullCount } from "../text-index/sample-estimate.js";
import type { SampleInfo } from "../text-index/sample.js";
import { digestOf, indexIdentity } from "./identity.js";
import { hasCorpusManifest } from "../corpus-set/corpus-manifest.js";
import { countShards, shardsDocCount, shardsIdentity } from "./corpus-of-shards.js";
import type { CountMode, StudyCorpus } from "./manifest.js";

export const COUNT_CACHE_FORMAT = "conceptfreq-study-count-cache";
export const COUNT_CACHE_VERSION = 1;
/** Example captions are cut to this many characters. */
const MAX_EXAMPLE_CHARS = 300;

export interface ConceptExample {
  doc: number;
  caption: string;
}

interface CacheEntry {
  /** null: the image tagger does not know the concept, so it has no image count. */
  count: number | null;
  examples?: ConceptExample[];
}

interface CacheFile {
  format: typeof COUNT_CACHE_FORMAT;
  version: number;
  key: string;
  inputs: unknown;
  entries: Record<string, CacheEntry>;
}

/** A concept to count, and the alternates it is counted as in captions (its synonyms; absent: its own name). */
export interface StudyConcept {
  concept: string;
  alternates?: readonly string[];
}

/** The key of a concept's count: its name, or with alternates "name\u0000alt1|alt2" (see the file comment). */
export function countKey(c: string | StudyConcept, mode: CountMode = "text"): string {
  if (typeof c === "string") return c;
  return c.alternates === undefined || mode === "image" ? c.concept : `${c.concept}\u0000${c.alternates.join("|")}`;
}

export interface CorpusModeCounts {
  corpus: string;
  mode: CountMode;
  /**
   * countKey -> count in the order asked for (a concept without alternates: its name); concepts
   * without a count (see `missing`) are absent. On a sampled index (text mode): the estimates.
   */
  counts: Map<string, number>;
  /** A sampled index (text mode): countKey -> the estimate's exact 95% interval. */
  intervals?: Map<string, { low: number; high: number }>;
  /** A sampled index (text mode): countKey -> the count in the sample. */
  sampled?: Map<string, number>;
  /** The text index is a sample (index build --sample): its rate, seed and full row count. */
  sample?: SampleInfo;
  /** Image modes: concepts the image tagger does not know (no count, left out of fits). */
  missing: string[];
  /** Text mode: the first example captions of each concept (lowest doc ids first). */
  examples: Map<string, ConceptExample[]>;
  /** Number of samples (docs) of the corpus (null: a corpus of counts only). */
  docCount: number | null;
  /** How many concepts were counted in this run (0: everything came from the cache). */
  computed: number;
  /** The cache file used. */
  cacheFile: string;
}

/** The image index directory a corpus uses: the index itself, or the threshold's index inside a sweep directory. */
export function resolveImageIndexDir(image: { index: string; threshold?: number }, corpus: string): string {
  const dir = image.index;
  if (existsSync(join(dir, IMAGE_SWEEP_FILE)) && !existsSync(join(dir, IMAGE_MANIFEST_FILE))) {
    const sweep = readSweep(dir); // checked: a damaged or null sweep.json is a UserError naming it
    const list = sweep.indexes.map((i) => i.threshold).join(", ");
    if (image.threshold === undefined) {
      throw new UserError(`corpus "${corpus}": ${dir} is a threshold sweep; choose one with image.threshold (one of ${list}).`);
    }
    const hit = sweep.indexes.find((i) => i.threshold === image.threshold);
    if (!hit) throw new UserError(`corpus "${corpus}": the sweep ${dir} has no index at threshold ${image.threshold} (thresholds: ${list}).`);
    return join(dir, hit.dir);
  }
  return dir;
}

function checkImageThreshold(index: ImageIndex, image: { threshold?: number }, corpus: string): void {
  if (image.threshold !== undefined && index.manifest.threshold !== image.threshold) {
    throw new UserError(
      `corpus "${corpus}": the image index ${index.dir} was built at threshold ${index.manifest.threshold}, not ${image.threshold}; rebuild it or give its threshold.`,
    );
  }
}

function readCache(path: string, key: string): Record<string, CacheEntry> {
  if (!existsSync(path)) return {};
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as CacheFile;
    if (c.format === COUNT_CACHE_FORMAT && c.version === COUNT_CACHE_VERSION && c.key === key && c.entries && typeof c.entries === "object") {
      return c.entries;
    }
  } catch {
    // a damaged cache file is recomputed
  }
  return {};
}

/** Lazily opened indexes of one corpus (closed by close()). */
class CorpusIndexes {
  private text?: TextIndex;
  private image?: ImageIndex;

  constructor(
    readonly corpus: StudyCorpus,
    readonly imageDir: string | undefined,
  ) {}

  textIndex(): TextIndex {
    if (this.corpus.index === undefined) throw new Error("no text index");
    this.text ??= TextIndex.open(this.corpus.index);
    return this.text;
  }

  imageIndex(): ImageIndex {
    if (!this.imageDir) throw new Error("no image index");
    if (!this.image) {
      const image = ImageIndex.open(this.imageDir);
      checkImageThreshold(image, this.corpus.image!, this.corpus.name);
      this.image = image;
    }
    return this.image;
  }

  close(): void {
    this.text?.close();
    this.image?.close();
  }
}

/** Counts the concepts in one mode with the image stage's countConceptsByMode; a concept the tagger does not know gets null. */
function countMany(ix: CorpusIndexes, mode: CountMode, todo: readonly StudyConcept[], examples: number): CacheEntry[] {
  const withExamples = mode === "text" && examples > 0;
  const concepts = todo.map((c) => c.concept);
  const expanded = mode !== "image" && todo.some((c) => c.alternates !== undefined);
  const queries = expanded ? todo.map((c) => (c.alternates ?? [c.concept]).join("|")) : undefined;
  if (ix.corpus.index !== undefined && hasCorpusManifest(ix.corpus.index)) return countShards(ix.corpus, mode, concepts, examples, MAX_EXAMPLE_CHARS, queries); // a corpus of shards
  const r = countConceptsByMode(concepts, {
    mode,
    ...(queries ? { queries } : {}),
    text: mode === "image" ? undefined : ix.textIndex(),
    image: mode === "text" ? undefined : ix.imageIndex(),
    match: ix.corpus.match,
    keepIds: withExamples,
    allowMissing: true,
  });
  const missing = new Set(r.missing);
  return r.counts.map((c) => {
    if (mode !== "text" && missing.has(c.concept)) return { count: null };
    const entry: CacheEntry = { count: c.count };
    if (withExamples) {
      entry.examples = [];
      for (const doc of c.ids!) {
        const caption = ix.textIndex().captions.caption(doc);
        entry.examples.push({ doc, caption: caption.length > MAX_EXAMPLE_CHARS ? caption.slice(0, MAX_EXAMPLE_CHARS - 1) + "…" : caption });
        if (entry.examples.length >= examples) break;
      }
    }
    return entry;
  });
}

export interface CountStudyCorpusOptions {
  /** Directory of the cache files (created when needed). */
  cacheDir: string;
  /** The image index directory, when already resolved (resolveImageIndexDir). */
  imageDir?: string;
}

/**
 * Counts `concepts` in one corpus for each mode (modes needing an image index are skipped for a corpus
 * without one), reading and updating the cache.
 */
export function countStudyCorpus(corpus: StudyCorpus, concepts: readonly (string | StudyConcept)[], modes: readonly CountMode[], opts: CountStudyCorpusOptions): CorpusModeCounts[] {
  const asked: StudyConcept[] = concepts.map((c) => (typeof c === "string" ? { concept: c } : c));
  const imageDir = corpus.image ? (opts.imageDir ?? resolveImageIndexDir(corpus.image, corpus.name)) : undefined;
  const ix = new CorpusIndexes(corpus, imageDir);
  try {
    const shards = corpus.index !== undefined && hasCorpusManifest(corpus.index); // a corpus of shards (its image shards: image.index is the corpus)
    const textId = corpus.index === undefined ? null : shards ? shardsIdentity(corpus.index) : indexIdentity(corpus.index);
    const imageId = imageDir ? (shards ? textId : indexIdentity(imageDir)) : null;
    const docCount = shards ? shardsDocCount(corpus.index!) : corpus.index !== undefined ? ix.textIndex().docCount : imageDir ? ix.imageIndex().docCount : null;
    const out: CorpusModeCounts[] = [];
    for (const mode of modes) {
      if (mode !== "text" && !imageDir) continue;
      if (mode !== "image" && textId === null) continue;
      if (mode === "integrated" && !shards && ix.textIndex().manifest.sample) {
        throw new UserError(`corpus "${corpus.name}": ${corpus.index} is a sampled index (index build --sample): its doc ids are not the image index's, so integrated mode cannot use it.`);
      }
      const inputs =
        mode === "text"
          ? { mode, text: textId, match: corpus.match, examples: corpus.examples }
          : mode === "image"
            ? { mode, image: imageId, threshold: corpus.image?.threshold ?? null }
            : { mode, text: textId, match: corpus.match, image: imageId, threshold: corpus.image?.threshold ?? null };
      const key = digestOf({ format: COUNT_CACHE_FORMAT, version: COUNT_CACHE_VERSION, inputs });
      const cacheFile = join(opts.cacheDir, `${mode}-${key.slice(0, 24)}.json`);
      const entries = readCache(cacheFile, key);
      const todo: StudyConcept[] = [];
      const queued = new Set<string>();
      for (const c of asked) {
        const k = countKey(c, mode);
        if (Object.prototype.hasOwnProperty.call(entries, k) || queued.has(k)) continue;
        queued.add(k);
        todo.push(mode === "image" ? { concept: c.concept } : c);
      }
      const computed = todo.length;
      if (computed > 0) countMany(ix, mode, todo, corpus.examples).forEach((e, k) => (entries[countKey(todo[k]!, mode)] = e));
      if (computed > 0) {
        const sorted: Record<string, CacheEntry> = {};
        for (const k of Object.keys(entries).sort()) sorted[k] = entries[k]!;
        const file: CacheFile = { format: COUNT_CACHE_FORMAT, version: COUNT_CACHE_VERSION, key, inputs, entries: sorted };
        writeFileAtomic(cacheFile, JSON.stringify(file) + "\n");
      }
      const sample = mode === "text" && !shards ? ix.textIndex().manifest.sample : undefined;
      const counts = new Map<string, number>();
      const intervals = sample ? new Map<string, { low: number; high: number }>() : undefined;
      const sampled = sample ? new Map<string, number>() : undefined;
      const missing: string[] = [];
      const examples = new Map<string, ConceptExample[]>();
      const done = new Set<string>();
      for (const c of asked) {
        const k = countKey(c, mode);
        if (done.has(k)) continue;
        done.add(k);
        const e = entries[k]!;
        if (e.count === null) missing.push(k);
        else if (sample) {
          const est = estimateFullCount(e.count, sample.rate);
          counts.set(k, est.count);
          intervals!.set(k, { low: est.low, high: est.high });
          sampled!.set(k, e.count);
        } else counts.set(k, e.count);
        if (e.examples) examples.set(k, e.examples);
      }
      out.push({ corpus: corpus.name, mode, counts, ...(intervals ? { intervals, sampled, sample } : {}), missing, examples, docCount, computed, cacheFile });
    }
    return out;
  } finally {
    ix.close();
  }
}
