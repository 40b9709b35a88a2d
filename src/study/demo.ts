/**
 * The demo: the whole pipeline on the generated sample shipped in assets/demo (no downloads).
 *
 *   DIR/inputs/     the sample's concept list and model results, copied (edit them and re-run `conceptfreq study`)
 *   DIR/index/      text indexes of the two sample caption files, and an image index of the sample
 *                   image tags of the web corpus
 *   DIR/study.yaml  the study manifest (a starting point for your own)
 *   DIR/study/      the study's outputs: report.html, results.csv, plots, ... (conceptfreq serve --study DIR/study)
 *
 * An index is rebuilt only when missing or built from other inputs, so a second run reuses the
 * indexes and the count cache.
 */
import { copyFileSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";
import { buildTextIndex } from "../text-index/build.js";
import { readTextManifest } from "../text-index/manifest.js";
import { readImageManifest } from "../image/manifest.js";
import { importImageTags } from "../image/tag-import.js";
import { readStudyManifest } from "./manifest.js";
import { runStudy, type StudyRunSummary } from "./run.js";
import { makeDirs } from "../io/file-system.js";

/** The shipped sample (works from src/ under tsx and from dist/). */
export const DEMO_ASSETS = fileURLToPath(new URL("../../assets/demo", import.meta.url));
const MARKER = ".conceptfreq-demo";

export const DEMO_CORPORA = [
  { name: "web", file: "captions-web.tsv" },
  { name: "curated", file: "captions-curated.tsv" },
] as const;

/** A made-up image tagger's output for captions-web.tsv (JSONL, one line per image). */
export const DEMO_IMAGE_TAGS = "image-tags-web.jsonl";

export const DEMO_STUDY_YAML = `# conceptfreq study manifest, written by \`conceptfreq demo\`.
# The data is a GENERATED SAMPLE (see assets/demo/README.md in the package), not real captions or models.
# Re-run with:  conceptfreq study study.yaml --out study
name: conceptfreq demo (generated sample)
corpora:                        # pretraining corpora: a text index each (conceptfreq index build)
  - name: web
    index: index/web
    match: paper                # paper (default) or phrase
    examples: 5                 # example captions per concept kept for the dashboard
    image:                      # optional: an image index over the same samples (conceptfreq image-index ...)
      index: index/web-image
      threshold: 0.5            # must be the index's threshold, or pick one index of a threshold sweep
  - name: curated
    index: index/curated
datasets:                       # downstream datasets: concepts + per-model results
  - name: sample-classes
    concepts: inputs/concepts.txt
    results:
      - model: sample-clip-web
        file: inputs/results.json
        pointer: /sample-clip-web/classwise     # JSON pointer to {concept: accuracy}
      - model: sample-clip-curated
        file: inputs/results.json
        pointer: /sample-clip-curated/classwise
analyses:
  modes: [text, image, integrated]   # image and integrated apply to corpora with an image index
  fit: { zeroAs: 1, bootstrap: 1000, seed: 0, bins: 12, binning: paper, outliers: 10 }
  tail: { rarest: 10 }
  crossCorpus: true
  plots: true
  report: true
`;

export interface DemoOptions {
  /** Output directory (default ./conceptfreq-demo). */
  out?: string;
  onProgress?: (message: string) => void;
}

export interface DemoSummary extends StudyRunSummary {
  demoDir: string;
  manifest: string;
  /** Indexes built in this run (the others were reused). */
  built: string[];
}

function isReusableImageIndex(dir: string, input: string): boolean {
  try {
    const m = readImageManifest(dir);
    return m.threshold === 0.5 && m.inputs.length === 1 && resolve(m.inputs[0]!.path) === resolve(input);
  } catch {
    return false;
  }
}

function isReusableIndex(dir: string, input: string): boolean {
  try {
    const m = readTextManifest(dir);
    const i = m.inputs[0];
    return m.inputs.length === 1 && i !== undefined && resolve(i.path) === resolve(input) && i.bytes === statSync(input).size;
  } catch {
    return false; // missing, or built by another analyzer or format version: rebuild
  }
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoSummary> {
  const dir = resolve(opts.out ?? "conceptfreq-demo");
  const say = opts.onProgress ?? (() => {});
  if (!existsSync(join(DEMO_ASSETS, "concepts.txt"))) throw new UserError(`the demo sample is missing from this installation (${DEMO_ASSETS}).`);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`${opts.out ?? dir} exists and is not a directory.`);
    if (readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER))) {
      throw new UserError(`${opts.out ?? dir} exists and is not a conceptfreq demo directory; choose another --out.`);
    }
  }
  makeDirs(join(dir, "inputs"));
  writeFileSync(join(dir, MARKER), "This directory was written by `conceptfreq demo`; the demo may overwrite it.\n");
  copyFileSync(join(DEMO_ASSETS, "concepts.txt"), join(dir, "inputs", "concepts.txt"));
  copyFileSync(join(DEMO_ASSETS, "results.json"), join(dir, "inputs", "results.json"));
  copyFileSync(join(DEMO_ASSETS, "README.md"), join(dir, "inputs", "README.md"));

  const built: string[] = [];
  await Promise.all(
    DEMO_CORPORA.map(async (c) => {
      const input = join(DEMO_ASSETS, c.file);
      const out = join(dir, "index", c.name);
      if (isReusableIndex(out, input)) return;
      say(`indexing the sample corpus "${c.name}" (${c.file})`);
      await buildTextIndex([input], { out, workers: 1, force: true });
      built.push(c.name);
    }),
  );
  const tags = join(DEMO_ASSETS, DEMO_IMAGE_TAGS);
  const imageOut = join(dir, "index", "web-image");
  if (!isReusableImageIndex(imageOut, tags)) {
    say(`indexing the sample image tags of "web" (${DEMO_IMAGE_TAGS})`);
    await importImageTags({ tags: [tags], threshold: 0.5, out: imageOut, concepts: join(DEMO_ASSETS, "concepts.txt"), textIndex: join(dir, "index", "web"), force: true });
    built.push("web-image");
  }
  const manifestPath = join(dir, "study.yaml");
  writeFileSync(manifestPath, DEMO_STUDY_YAML);
  const summary = await runStudy(readStudyManifest(manifestPath), { out: join(dir, "study"), onProgress: say });
  return { ...summary, demoDir: dir, manifest: manifestPath, built: built.sort() };
}
