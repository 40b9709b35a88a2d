/**
 * L2 normalisation of rows and CLIP-style prompt ensembling.
 *
 * Sums are taken in float64 and the results rounded once to float32, so a row's normalised values do
 * not depend on how rows are grouped into blocks. A zero row stays zero (its cosine with everything
 * is 0). A row holding NaN or ±Infinity is a UserError: no score can be computed from it.
 */
import { UserError } from "../errors.js";

export interface NormalizeOptions {
  /** Names the matrix in error messages. */
  source?: string;
  /** Row number of the first row of `data` within its matrix (for error messages). */
  firstRow?: number;
}

/** The float64 L2 norm of row `r` of a row-major matrix. */
export function rowNorm(data: Float32Array, r: number, cols: number): number {
  let s = 0;
  const base = r * cols;
  for (let j = 0; j < cols; j++) {
    const v = data[base + j]!;
    s += v * v;
  }
  return Math.sqrt(s);
}

/** Normalises every row of `data` (rows × cols, row-major) to unit L2 length, in place. */
export function l2NormalizeRows(data: Float32Array, rows: number, cols: number, options: NormalizeOptions = {}): void {
  for (let r = 0; r < rows; r++) {
    const norm = rowNorm(data, r, cols);
    if (!Number.isFinite(norm)) {
      throw new UserError(
        `${options.source ?? "The matrix"} has a NaN or infinite value in row ${(options.firstRow ?? 0) + r}.`,
      );
    }
    if (norm === 0) continue;
    const base = r * cols;
    for (let j = 0; j < cols; j++) data[base + j] = data[base + j]! / norm;
  }
}

/**
 * CLIP's prompt ensembling: `templates` consecutive rows per class (class-major: class 0's templates
 * first), each L2-normalised, averaged, and the mean L2-normalised again. Returns classes × cols.
 */
export function averageTemplates(
  data: Float32Array,
  classes: number,
  templates: number,
  cols: number,
  options: NormalizeOptions = {},
): Float32Array {
  if (data.length !== classes * templates * cols) {
    throw new RangeError(`${data.length} values are not ${classes} classes × ${templates} templates × ${cols}`);
  }
  const out = new Float32Array(classes * cols);
  const mean = new Float64Array(cols);
  for (let c = 0; c < classes; c++) {
    mean.fill(0);
    for (let t = 0; t < templates; t++) {
      const r = c * templates + t;
      const norm = rowNorm(data, r, cols);
      if (!Number.isFinite(norm)) {
        throw new UserError(`${options.source ?? "The class embeddings"} have a NaN or infinite value in row ${r}.`);
      }
      if (norm === 0) continue;
      const base = r * cols;
      for (let j = 0; j < cols; j++) mean[j]! += data[base + j]! / norm;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) s += mean[j]! * mean[j]!;
    const norm = Math.sqrt(s);
    const base = c * cols;
    if (norm === 0) continue;
    for (let j = 0; j < cols; j++) out[base + j] = mean[j]! / norm;
  }
  return out;
}
