/**
 * `openMatrix`: one entry point for every matrix file format, chosen by extension:
 *   .npy          NumPy array (2-D, C order; float16/32/64 or integers)
 *   .safetensors  one named tensor (or the only one)
 *   .f16 / .f32   raw little-endian float16/float32 values, row after row; `dim` gives the row length
 * Every reader streams rows as float32 (see rows.ts).
 */
import { extname } from "node:path";
import { UserError } from "../errors.js";
import { openNpyRows } from "./npy.js";
import { fileRows, fileSize, openForReading, readAllRows, DTYPE_SIZE, type MatrixRows } from "./rows.js";
import { openSafetensorsRows } from "./safetensors.js";
import { closeSync } from "node:fs";

export interface OpenMatrixOptions {
  /** Row length: required for raw .f16/.f32 files; for other formats, a check against the file. */
  dim?: number;
  /** Tensor name inside a .safetensors file holding several. */
  tensor?: string;
}

export const MATRIX_EXTENSIONS = [".npy", ".safetensors", ".f16", ".f32"] as const;

/** Whether a path names a raw .f16/.f32 file (which needs a row dimension to be read). */
export function isRawMatrixPath(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === ".f16" || ext === ".f32";
}

/** Streams a raw file of little-endian float16 or float32 values, `dim` per row. */
export function openRawRows(path: string, dtype: "float16" | "float32", dim: number): MatrixRows {
  if (!Number.isSafeInteger(dim) || dim <= 0) {
    throw new UserError(`Reading the raw ${dtype} file ${path} needs its row dimension (a positive integer).`);
  }
  const fd = openForReading(path, `raw ${dtype} file`);
  const size = fileSize(fd);
  const rowBytes = dim * DTYPE_SIZE[dtype];
  if (size % rowBytes !== 0) {
    closeSync(fd);
    throw new UserError(
      `${path} has ${size} bytes, which is not a whole number of rows of ${dim} ${dtype} values (${rowBytes} bytes each).`,
    );
  }
  return fileRows({ path, offset: 0, rows: size / rowBytes, cols: dim, dtype, littleEndian: true }, fd);
}

/** Opens a matrix file of any supported format as a row reader. */
export function openMatrix(path: string, options: OpenMatrixOptions = {}): MatrixRows {
  const ext = extname(path).toLowerCase();
  let reader: MatrixRows;
  switch (ext) {
    case ".npy":
      reader = openNpyRows(path);
      break;
    case ".safetensors":
      reader = openSafetensorsRows(path, options.tensor);
      break;
    case ".f16":
      if (options.dim === undefined) throw new UserError(`Reading the raw float16 file ${path} needs the embedding dimension (--dim).`);
      return openRawRows(path, "float16", options.dim);
    case ".f32":
      if (options.dim === undefined) throw new UserError(`Reading the raw float32 file ${path} needs the embedding dimension (--dim).`);
      return openRawRows(path, "float32", options.dim);
    default:
      throw new UserError(
        `Cannot tell the format of ${path} from its extension "${ext}" (supported: ${MATRIX_EXTENSIONS.join(", ")}).`,
      );
  }
  if (options.dim !== undefined && reader.cols !== options.dim) {
    reader.close();
    throw new UserError(`${path} has rows of dimension ${reader.cols}, not ${options.dim}.`);
  }
  return reader;
}

/** Reads a whole matrix file into memory as float32. */
export function readMatrix(path: string, options: OpenMatrixOptions = {}): { rows: number; cols: number; data: Float32Array } {
  return readAllRows(openMatrix(path, options));
}
