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
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { TextIndex } from "../text-index/text-index.js";
import { countConceptsByMode } from "../image/count-modes.js";
import { ImageIndex } from "../image/image-index.js";
import { IMAGE_MANIFEST_FILE, IMAGE_SWEEP_FILE, type ImageSweepManifest } from "../image/manifest.js";
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

export interface CorpusModeCounts {
  corpus: string;
  mode: CountMode;
  /** Concept -> count in the order asked for; concepts without a count (see `missing`) are absent. */
  counts: Map<string, number>;
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
    let sweep: ImageSweepManifest;
    try {
      sweep = JSON.parse(readFileSync(join(dir, IMAGE_SWEEP_FILE), "utf8")) as ImageSweepManifest;
    } catch {
      throw new UserError(`${join(dir, IMAGE_SWEEP_FILE)} is not valid JSON.`);
    }
    const list = (sweep.indexes ?? []).map((i) => i.threshold).join(", ");
    if (image.threshold === undefined) {
      throw new UserError(`corpus "${corpus}": ${dir} is a threshold sweep; choose one with image.threshold (one of ${list}).`);
    }
    const hit = (sweep.indexes ?? []).find((i) => i.threshold === image.threshold);
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
function countMany(ix: CorpusIndexes, mode: CountMode, concepts: readonly string[], examples: number): CacheEntry[] {
  if (ix.corpus.index !== undefined && hasCorpusManifest(ix.corpus.index)) return countShards(ix.corpus, mode, concepts, examples, MAX_EXAMPLE_CHARS); // a corpus of shards
  const withExamples = mode === "text" && examples > 0;
  const r = countConceptsByMode(concepts, {
    mode,
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
export function countStudyCorpus(corpus: StudyCorpus, concepts: readonly string[], modes: readonly CountMode[], opts: CountStudyCorpusOptions): CorpusModeCounts[] {
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
      const inputs =
        mode === "text"
          ? { mode, text: textId, match: corpus.match, examples: corpus.examples }
          : mode === "image"
            ? { mode, image: imageId, threshold: corpus.image?.threshold ?? null }
            : { mode, text: textId, match: corpus.match, image: imageId, threshold: corpus.image?.threshold ?? null };
      const key = digestOf({ format: COUNT_CACHE_FORMAT, version: COUNT_CACHE_VERSION, inputs });
      const cacheFile = join(opts.cacheDir, `${mode}-${key.slice(0, 24)}.json`);
      const entries = readCache(cacheFile, key);
      const todo = concepts.filter((c) => !Object.prototype.hasOwnProperty.call(entries, c));
      const computed = todo.length;
      if (computed > 0) countMany(ix, mode, todo, corpus.examples).forEach((e, k) => (entries[todo[k]!] = e));
      if (computed > 0) {
        const sorted: Record<string, CacheEntry> = {};
        for (const k of Object.keys(entries).sort()) sorted[k] = entries[k]!;
        const file: CacheFile = { format: COUNT_CACHE_FORMAT, version: COUNT_CACHE_VERSION, key, inputs, entries: sorted };
        writeFileAtomic(cacheFile, JSON.stringify(file) + "\n");
      }
      const counts = new Map<string, number>();
      const missing: string[] = [];
      const examples = new Map<string, ConceptExample[]>();
      for (const concept of concepts) {
        const e = entries[concept]!;
        if (e.count === null) missing.push(concept);
        else counts.set(concept, e.count);
        if (e.examples) examples.set(concept, e.examples);
      }
      out.push({ corpus: corpus.name, mode, counts, missing, examples, docCount, computed, cacheFile });
    }
    return out;
  } finally {
    ix.close();
  }
}
