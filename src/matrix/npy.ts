/**
 * NumPy `.npy` files (format versions 1, 2 and 3): reading whole arrays, streaming rows of large 2-D
 * arrays, and writing. C order only: a Fortran-order file is refused with a clear message.
 *
 * Format: magic "\x93NUMPY", major and minor version bytes, header length (uint16 LE in v1, uint32 LE in
 * v2/v3), then a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`
 * padded with spaces to a 64-byte boundary and ended by "\n", then the raw elements.
 */
import { closeSync } from "node:fs";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { float16ToFloat32 } from "./float16.js";
import { DTYPE_SIZE, fileRows, fileSize, openForReading, readExactly, type MatrixDtype, type MatrixRows } from "./rows.js";

export type NpyDtype = Exclude<MatrixDtype, "bfloat16">;

/** Element storage per dtype; float16 values are kept as their bit patterns (see `npyToFloat32`). */
export type NpyData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint32Array
  | BigUint64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** Elements in C order, native byte order. float16 -> Uint16Array of bit patterns. */
  data: NpyData;
}

export interface NpyHeader {
  dtype: NpyDtype;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR_KIND: Readonly<Record<string, NpyDtype>> = {
  f2: "float16",
  f4: "float32",
  f8: "float64",
  i1: "int8",
  i2: "int16",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  u2: "uint16",
  u4: "uint32",
  u8: "uint64",
  b1: "bool",
};

function descrOf(dtype: NpyDtype): string {
  for (const [k, v] of Object.entries(DESCR_KIND)) if (v === dtype) return (DTYPE_SIZE[dtype] === 1 ? "|" : "<") + k;
  throw new Error(`no npy descr for ${dtype}`);
}

/** Parses the header of an .npy file from its first bytes (at least the whole header). */
export function parseNpyHeader(bytes: Uint8Array, path: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new UserError(`${path} is not a NumPy .npy file (the magic string \\x93NUMPY is missing).`);
  }
  const major = bytes[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new UserError(`${path} is truncated inside its .npy header.`);
    headerLen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16)) + bytes[11]! * 2 ** 24;
    start = 12;
  } else {
    throw new UserError(`${path} uses .npy format version ${major}, which is not supported (versions 1–3 are).`);
  }
  if (bytes.length < start + headerLen) throw new UserError(`${path} is truncated inside its .npy header.`);
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(start, start + headerLen));
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    throw new UserError(`${path} has a malformed .npy header (expected descr, fortran_order and shape): ${text.trim()}`);
  }
  const d = descr[1]!;
  const order = d[0];
  const kind = DESCR_KIND[d.slice(1)];
  if (kind === undefined || (order !== "<" && order !== ">" && order !== "|" && order !== "=")) {
    throw new UserError(`${path} holds elements of type '${d}', which is not supported (floats, integers and booleans are).`);
  }
  const dims = shape[1]!
    .split(",")
    .map((s) => s.trim().replace(/L$/, ""))
    .filter((s) => s !== "");
  const parsed = dims.map(Number);
  if (parsed.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new UserError(`${path} has a malformed shape in its .npy header: (${shape[1]}).`);
  }
  if (fortran[1] === "True" && parsed.filter((n) => n > 1).length > 1) {
    throw new UserError(
      `${path} is stored in Fortran (column-major) order, which is not supported; save it in C order ` +
        `(numpy.ascontiguousarray) and try again.`,
    );
  }
  return {
    dtype: kind,
    littleEndian: order !== ">",
    fortranOrder: fortran[1] === "True",
    shape: parsed,
    dataOffset: start + headerLen,
  };
}

function readHeader(fd: number, path: string): NpyHeader {
  const size = fileSize(fd);
  const head = new Uint8Array(Math.min(size, 12));
  readExactly(fd, path, head, 0);
  if (head.length < 10 || MAGIC.some((b, i) => head[i] !== b)) {
    throw new UserError(`${path} is not a NumPy .npy file (the magic string \\x93NUMPY is missing).`);
  }
  const major = head[6]!;
  if (major < 1 || major > 3) {
    throw new UserError(`${path} uses .npy format version ${major}, which is not supported (versions 1–3 are).`);
  }
  if (major > 1 && head.length < 12) throw new UserError(`${path} is truncated inside its .npy header.`);
  const headerLen = major === 1 ? head[8]! | (head[9]! << 8) : (head[8]! | (head[9]! << 8) | (head[10]! << 16)) + head[11]! * 2 ** 24;
  const total = (major === 1 ? 10 : 12) + headerLen;
  if (total > size) throw new UserError(`${path} is truncated inside its .npy header.`);
  if (total > 1 << 24) throw new UserError(`${path} has an implausibly large .npy header (${total} bytes).`);
  const bytes = new Uint8Array(total);
  readExactly(fd, path, bytes, 0);
  return parseNpyHeader(bytes, path);
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function allocate(dtype: NpyDtype, n: number): NpyData {
  switch (dtype) {
    case "float16":
    case "uint16":
      return new Uint16Array(n);
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int8":
      return new Int8Array(n);
    case "int16":
      return new Int16Array(n);
    case "int32":
      return new Int32Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "uint8":
    case "bool":
      return new Uint8Array(n);
    case "uint32":
      return new Uint32Array(n);
    case "uint64":
      return new BigUint64Array(n);
  }
}

/** Reads a whole .npy file. Multi-byte big-endian data is converted to native order. */
export function readNpy(path: string): NpyArray {
  const fd = openForReading(path, ".npy file");
  try {
    const h = readHeader(fd, path);
    const n = count(h.shape);
    const itemSize = DTYPE_SIZE[h.dtype];
    const size = fileSize(fd);
    if (size < h.dataOffset + n * itemSize) {
      throw new UserError(
        `${path} is truncated: its header promises shape (${h.shape.join(", ")}) of ${h.dtype} ` +
          `(${h.dataOffset + n * itemSize} bytes) but the file has ${size} bytes.`,
      );
    }
    const data = allocate(h.dtype, n);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, n * itemSize);
    readExactly(fd, path, bytes, h.dataOffset);
    if (!h.littleEndian && itemSize > 1) {
      for (let i = 0; i < bytes.length; i += itemSize) bytes.subarray(i, i + itemSize).reverse();
    }
    return { dtype: h.dtype, shape: h.shape, data };
  } finally {
    closeSync(fd);
  }
}

/** The elements of an array as float32 (float16 bit patterns decoded; 64-bit integers via Number). */
export function npyToFloat32(array: NpyArray): Float32Array {
  const { data, dtype } = array;
  if (dtype === "float16") return float16ToFloat32(data as Uint16Array);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]!);
    return out;
  }
  return Float32Array.from(data as ArrayLike<number>);
}

/** Streams the rows of a 2-D .npy file (C order) as float32 blocks. */
export function openNpyRows(path: string): MatrixRows {
  const fd = openForReading(path, ".npy file");
  let h: NpyHeader;
  try {
    h = readHeader(fd, path);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (h.shape.length !== 2) {
    closeSync(fd);
    throw new UserError(
      `${path} holds an array of shape (${h.shape.join(", ")}${h.shape.length === 1 ? "," : ""}); ` +
        `an embedding matrix must be 2-D (rows × dimension).`,
    );
  }
  return fileRows(
    { path, offset: h.dataOffset, rows: h.shape[0]!, cols: h.shape[1]!, dtype: h.dtype, littleEndian: h.littleEndian },
    fd,
  );
}

function dtypeOfData(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Uint32Array) return "uint32";
  return "uint64";
}

/**
 * The bytes of an .npy file (version 1, or 2 when the header needs it) holding `data` with `shape`.
 * `dtype` defaults to the typed array's own type; pass "float16" for a Uint16Array of float16 bit
 * patterns, or "bool" for a Uint8Array of 0/1.
 */
export function encodeNpy(data: NpyData, shape: readonly number[], dtype: NpyDtype = dtypeOfData(data)): Uint8Array {
  if (count(shape) !== data.length) {
    throw new RangeError(`shape (${shape.join(", ")}) needs ${count(shape)} values, got ${data.length}`);
  }
  if (DTYPE_SIZE[dtype] !== data.BYTES_PER_ELEMENT) throw new RangeError(`${dtype} does not match the array type`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${descrOf(dtype)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let prefix = 10;
  let padded = dict.length + 1;
  padded += (64 - ((prefix + padded) % 64)) % 64;
  if (padded > 0xffff) {
    version = 2;
    prefix = 12;
    padded = dict.length + 1;
    padded += (64 - ((prefix + padded) % 64)) % 64;
  }
  const header = new Uint8Array(prefix + padded);
  header.set(MAGIC, 0);
  header[6] = version;
  header[7] = 0;
  if (version === 1) {
    header[8] = padded & 0xff;
    header[9] = padded >> 8;
  } else {
    new DataView(header.buffer).setUint32(8, padded, true);
  }
  const text = dict + " ".repeat(padded - dict.length - 1) + "\n";
  for (let i = 0; i < text.length; i++) header[prefix + i] = text.charCodeAt(i);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  if (!NATIVE_LE && data.BYTES_PER_ELEMENT > 1) {
    for (let i = header.length; i < out.length; i += data.BYTES_PER_ELEMENT) out.subarray(i, i + data.BYTES_PER_ELEMENT).reverse();
  }
  return out;
}

const NATIVE_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes an .npy file atomically (see `encodeNpy`). */
export function writeNpy(path: string, data: NpyData, shape: readonly number[], dtype?: NpyDtype): void {
  writeFileAtomic(path, encodeNpy(data, shape, dtype));
}
