/**
 * Zero-shot classification from embeddings, with CLIP's prompt ensembling.
 *
 * - The class embeddings hold `templates` rows per class, class-major (class 0's templates first).
 *   Each class's text embedding is the L2-normalised mean of its L2-normalised template embeddings.
 * - Each image embedding is L2-normalised; its scores are the cosines with the class embeddings.
 * - Ranking: higher cosine first; equal cosines rank the lower class index first (so a tie for the
 *   top predicts the lowest tied class index).
 * - Exactness: scores come from a fast float32 product; every row's top-5 is then decided on float64
 *   dot products of the normalised float32 vectors for all classes within the float32 error bound of
 *   the 5th score (see matrix/exact.ts), so results do not depend on the machine or thread count.
 *
 * Output (the shape of the paper's zero-shot result files): `{"full": top-1 %, "top5": top-5 %,
 * "classwise": {"<class name>": top-1 %, ...}}`, percentages rounded to 2 decimals, classes in
 * class-file order. Classes without any image are left out of "classwise"; a class name listed
 * twice gets one entry covering the images of both indices.
 */
import { UserError } from "../errors.js";
import { exactTopK, scoreErrorBound } from "../matrix/exact.js";
import { similarityBlocks, type KernelBackend, type KernelOptions } from "../matrix/matmul.js";
import { averageTemplates, l2NormalizeRows } from "../matrix/normalize.js";
import { isRawMatrixPath, openMatrix, readMatrix } from "../matrix/open.js";
import type { MatrixRows } from "../matrix/rows.js";
import { formatJson, ordered, percent } from "./json-output.js";
import { readClassNames, readLabels } from "./labels.js";

/** The result file's content. */
export interface ClassificationResult {
  /** Top-1 accuracy over all images, in percent (2 decimals). */
  full: number;
  /** Top-5 accuracy over all images, in percent (2 decimals). */
  top5: number;
  /** Top-1 accuracy per class name, in percent (2 decimals); JSON output keeps class-file order. */
  classwise: Record<string, number>;
}

export interface ClassStats {
  name: string;
  images: number;
  top1Correct: number;
  top5Correct: number;
}

export interface ClassificationReport {
  result: ClassificationResult;
  images: number;
  classes: number;
  templates: number;
  dim: number;
  /** Per class index (same order as the class names). */
  perClass: ClassStats[];
  /** Distinct class names in class-file order (the key order of `classwise`). */
  classOrder: string[];
  /** Class names without any image (left out of `classwise`). */
  classesWithoutImages: string[];
  backend: KernelBackend;
}

export interface ClassifyInput {
  /** Image embeddings, one row per image. */
  images: MatrixRows;
  /** Class text embeddings: (classes × templates) rows of `dim` values, class-major. */
  classEmbeddings: { rows: number; cols: number; data: Float32Array };
  classNames: readonly string[];
  /** Ground-truth class index per image. */
  labels: Int32Array;
  /** Templates (rows) per class; default: rows ÷ classes when that divides evenly. */
  templates?: number;
}

export interface ClassifyOptions extends KernelOptions {
  /** Image rows per block (memory: blockRows × classes scores). */
  blockRows?: number;
  /** Called after each block with the number of images done. */
  onProgress?: (done: number, total: number) => void;
}

/** The number of templates per class implied by the class-embedding rows (or a clear error). */
export function templatesPerClass(rows: number, classes: number, templates: number | undefined, source: string): number {
  if (templates !== undefined) {
    if (rows !== classes * templates) {
      throw new UserError(
        `${source} has ${rows} rows, but ${classes} classes × ${templates} templates need ${classes * templates}.`,
      );
    }
    return templates;
  }
  if (rows === 0 || rows % classes !== 0) {
    throw new UserError(`${source} has ${rows} rows, which is not a whole number of templates for ${classes} classes.`);
  }
  return rows / classes;
}

/** Zero-shot top-1/top-5 accuracy, overall and per class. */
export async function classifyZeroShot(input: ClassifyInput, options: ClassifyOptions = {}): Promise<ClassificationReport> {
  const { images, classEmbeddings: w, classNames, labels } = input;
  const classes = classNames.length;
  if (classes === 0) throw new UserError("There are no classes to classify into.");
  const k = templatesPerClass(w.rows, classes, input.templates, "The class embeddings");
  const d = w.cols;
  if (images.cols !== d) {
    throw new UserError(`The image embeddings have dimension ${images.cols} but the class embeddings have dimension ${d}.`);
  }
  if (labels.length !== images.rows) {
    throw new UserError(`There are ${images.rows} image embeddings but ${labels.length} labels.`);
  }
  if (images.rows === 0) throw new UserError("There are no image embeddings to classify.");
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i]! >= 0 && labels[i]! < classes)) throw new UserError(`Label ${i} is ${labels[i]}, not a class index in 0..${classes - 1}.`);
  }

  const classVectors = averageTemplates(w.data, classes, k, d, { source: "The class embeddings" });
  const bound = scoreErrorBound(d);
  const topN = Math.min(5, classes);
  const count = new Float64Array(classes);
  const c1 = new Float64Array(classes);
  const c5 = new Float64Array(classes);
  let done = 0;

  const backend = await similarityBlocks(
    images,
    classVectors,
    {
      ...options,
      prepareRows: (rows, start, n) => l2NormalizeRows(rows, n, d, { source: images.source, firstRow: start }),
    },
    (start, scores, rows) => {
      const n = scores.length / classes;
      for (let r = 0; r < n; r++) {
        const label = labels[start + r]!;
        const top = exactTopK(scores, r * classes, classes, topN, rows, r * d, classVectors, d, bound);
        count[label]!++;
        if (top.indices[0] === label) c1[label]!++;
        if (top.indices.includes(label)) c5[label]!++;
      }
      done += n;
      options.onProgress?.(done, images.rows);
    },
  );

  const n = images.rows;
  let t1 = 0;
  let t5 = 0;
  const byName = new Map<string, { images: number; correct: number }>();
  const perClass: ClassStats[] = [];
  for (let c = 0; c < classes; c++) {
    t1 += c1[c]!;
    t5 += c5[c]!;
    const name = classNames[c]!;
    perClass.push({ name, images: count[c]!, top1Correct: c1[c]!, top5Correct: c5[c]! });
    const agg = byName.get(name) ?? { images: 0, correct: 0 };
    agg.images += count[c]!;
    agg.correct += c1[c]!;
    byName.set(name, agg);
  }
  const classwise: [string, number][] = [];
  const classesWithoutImages: string[] = [];
  for (const [name, agg] of byName) {
    if (agg.images > 0) classwise.push([name, percent(agg.correct, agg.images)]);
    else classesWithoutImages.push(name);
  }
  return {
    result: { full: percent(t1, n), top5: percent(t5, n), classwise: Object.fromEntries(classwise) },
    images: n,
    classes,
    templates: k,
    dim: d,
    perClass,
    classOrder: [...byName.keys()],
    classesWithoutImages,
    backend,
  };
}

/** The result file's JSON text (classes in class-file order). */
export function formatClassification(report: ClassificationReport): string {
  const r = report.result;
  return formatJson(ordered({ full: r.full, top5: r.top5, classwise: ordered(r.classwise, report.classOrder) }, ["full", "top5", "classwise"]));
}

export interface ClassifyFiles extends ClassifyOptions {
  imageEmbeddings: string;
  labels: string;
  classEmbeddings: string;
  classes: string;
  templates?: number;
  /** Row dimension for raw .f16/.f32 embedding files. */
  dim?: number;
  /** Tensor names inside .safetensors files. */
  imageTensor?: string;
  classTensor?: string;
}

/** `conceptfreq eval classify`: reads the files and classifies. */
export async function classifyFiles(files: ClassifyFiles): Promise<ClassificationReport> {
  const classNames = readClassNames(files.classes);
  const labels = readLabels(files.labels, classNames);
  const w = readMatrix(files.classEmbeddings, { dim: files.dim, tensor: files.classTensor });
  // Raw .f16/.f32 image files take their row length from the class embeddings unless --dim says.
  const imageDim = files.dim ?? (isRawMatrixPath(files.imageEmbeddings) ? w.cols : undefined);
  const images = openMatrix(files.imageEmbeddings, { dim: imageDim, tensor: files.imageTensor });
  try {
    return await classifyZeroShot({ images, classEmbeddings: w, classNames, labels, templates: files.templates }, files);
  } finally {
    images.close();
  }
}
