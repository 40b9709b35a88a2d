/**
 * Row readers: the one way every matrix (embeddings, class weights) is read, whatever its file format.
 *
 * A reader knows its shape and element type and hands out blocks of rows converted to float32, so a
 * file far larger than memory can be streamed block by block. Readers are synchronous (positioned
 * reads on an open file descriptor) and must be closed.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { UserError } from "../errors.js";
import { bfloat16ToFloat32, float16ToFloat32 } from "./float16.js";

/** Element types a matrix file may hold. */
export type MatrixDtype =
  | "float16"
  | "bfloat16"
  | "float32"
  | "float64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "bool";

export const DTYPE_SIZE: Readonly<Record<MatrixDtype, number>> = {
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
};

/** A matrix of `rows` × `cols` read in blocks of whole rows, converted to float32. */
export interface MatrixRows {
  /** Where the rows come from (a path, or a description for in-memory matrices). */
  readonly source: string;
  readonly rows: number;
  readonly cols: number;
  /** The element type stored in the source. */
  readonly dtype: MatrixDtype;
  /**
   * Rows [start, start + count) as one row-major float32 array of count × cols values.
   * When `out` is given (and long enough) the values are written into it and a view of it is returned.
   */
  readRows(start: number, count: number, out?: Float32Array): Float32Array;
  /** Releases the file. Reading after close is a bug. */
  close(): void;
}

/** Where a matrix's elements live inside a file. */
export interface FileMatrixLayout {
  path: string;
  /** Byte offset of the first element. */
  offset: number;
  rows: number;
  cols: number;
  dtype: MatrixDtype;
  littleEndian: boolean;
}

function checkRange(reader: { source: string; rows: number }, start: number, count: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > reader.rows) {
    throw new RangeError(`rows [${start}, ${start + count}) are outside ${reader.source} (${reader.rows} rows)`);
  }
}

/** Opens a file for reading; a missing or unreadable file is a UserError. */
export function openForReading(path: string, what = "file"): number {
  try {
    return openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`The ${what} ${path} does not exist.`);
    if (code === "EISDIR") throw new UserError(`The ${what} ${path} is a directory, not a file.`);
    throw new UserError(`Cannot open the ${what} ${path} (${code ?? String(e)}).`);
  }
}

/** The size of an open file in bytes. */
export function fileSize(fd: number): number {
  return fstatSync(fd).size;
}

/** Reads exactly `length` bytes at `position`; a short read is a UserError (the file shrank or is truncated). */
export function readExactly(fd: number, path: string, target: Uint8Array, position: number): void {
  let done = 0;
  while (done < target.length) {
    const n = readSync(fd, target, done, target.length - done, position + done);
    if (n === 0) throw new UserError(`${path} ended early: it is shorter than its header says.`);
    done += n;
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/**
 * Converts `count` elements held in `bytes` (native byte order, an ArrayBuffer-aligned view) to float32.
 */
export function elementsToFloat32(bytes: Uint8Array, dtype: MatrixDtype, out: Float32Array): void {
  const n = out.length;
  const buf = bytes.buffer;
  const off = bytes.byteOffset;
  switch (dtype) {
    case "float32":
      out.set(new Float32Array(buf, off, n));
      return;
    case "float16":
      float16ToFloat32(new Uint16Array(buf, off, n), out);
      return;
    case "bfloat16":
      bfloat16ToFloat32(new Uint16Array(buf, off, n), out);
      return;
    case "float64":
      out.set(new Float64Array(buf, off, n));
      return;
    case "int8":
      out.set(new Int8Array(buf, off, n));
      return;
    case "int16":
      out.set(new Int16Array(buf, off, n));
      return;
    case "int32":
      out.set(new Int32Array(buf, off, n));
      return;
    case "uint8":
    case "bool":
      out.set(new Uint8Array(buf, off, n));
      return;
    case "uint16":
      out.set(new Uint16Array(buf, off, n));
      return;
    case "uint32":
      out.set(new Uint32Array(buf, off, n));
      return;
    case "int64": {
      const src = new BigInt64Array(buf, off, n);
      for (let i = 0; i < n; i++) out[i] = Number(src[i]!);
      return;
    }
    case "uint64": {
      const src = new BigUint64Array(buf, off, n);
      for (let i = 0; i < n; i++) out[i] = Number(src[i]!);
      return;
    }
  }
}

const NATIVE_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A row reader over a matrix stored contiguously (C order) in a file. Checks that the file is long
 * enough for the layout; a short file is a UserError.
 */
export function fileRows(layout: FileMatrixLayout, fd?: number): MatrixRows {
  const ownFd = fd ?? openForReading(layout.path);
  const itemSize = DTYPE_SIZE[layout.dtype];
  const rowBytes = layout.cols * itemSize;
  const needed = layout.offset + layout.rows * rowBytes;
  const size = fileSize(ownFd);
  if (size < needed) {
    closeSync(ownFd);
    throw new UserError(
      `${layout.path} is truncated: its header promises ${layout.rows} × ${layout.cols} ${layout.dtype} values ` +
        `(${needed} bytes) but the file has ${size} bytes.`,
    );
  }
  let scratch = new Uint8Array(0);
  let open = true;
  const swap = layout.littleEndian !== NATIVE_LITTLE_ENDIAN;
  return {
    source: layout.path,
    rows: layout.rows,
    cols: layout.cols,
    dtype: layout.dtype,
    readRows(start: number, count: number, out?: Float32Array): Float32Array {
      if (!open) throw new Error(`${layout.path} is closed`);
      checkRange(this, start, count);
      const n = count * layout.cols;
      const target = out !== undefined && out.length >= n ? out.subarray(0, n) : new Float32Array(n);
      if (n === 0) return target;
      const bytes = n * itemSize;
      if (layout.dtype === "float32" && !swap) {
        readExactly(ownFd, layout.path, new Uint8Array(target.buffer, target.byteOffset, bytes), layout.offset + start * rowBytes);
        return target;
      }
      if (scratch.length < bytes) scratch = new Uint8Array(bytes);
      const view = scratch.subarray(0, bytes);
      readExactly(ownFd, layout.path, view, layout.offset + start * rowBytes);
      if (swap) swapBytes(view, itemSize);
      elementsToFloat32(view, layout.dtype, target);
      return target;
    },
    close(): void {
      if (open) {
        open = false;
        closeSync(ownFd);
      }
    },
  };
}

/** A row reader over a float32 matrix already in memory (row-major rows × cols). */
export function memoryRows(data: Float32Array, rows: number, cols: number, source = "in-memory matrix"): MatrixRows {
  if (data.length !== rows * cols) {
    throw new RangeError(`${source}: ${data.length} values do not make ${rows} × ${cols}`);
  }
  return {
    source,
    rows,
    cols,
    dtype: "float32",
    readRows(start: number, count: number, out?: Float32Array): Float32Array {
      checkRange(this, start, count);
      const view = data.subarray(start * cols, (start + count) * cols);
      if (out !== undefined && out.length >= view.length) {
        const target = out.subarray(0, view.length);
        target.set(view);
        return target;
      }
      return view.slice();
    },
    close(): void {},
  };
}

/** Reads every row of a reader into one float32 array (and closes it). */
export function readAllRows(reader: MatrixRows): { rows: number; cols: number; data: Float32Array } {
  try {
    return { rows: reader.rows, cols: reader.cols, data: reader.readRows(0, reader.rows) };
  } finally {
    reader.close();
  }
}
