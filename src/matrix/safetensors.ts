/**
 * `.safetensors` files: an 8-byte little-endian header length N, N bytes of JSON mapping tensor names
 * to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the byte buffer after the
 * header; an optional `__metadata__` entry), then the buffer. Elements are little-endian, C order.
 */
import { closeSync } from "node:fs";
import { UserError } from "../errors.js";
import { DTYPE_SIZE, fileRows, fileSize, openForReading, readExactly, type MatrixDtype, type MatrixRows } from "./rows.js";

export interface SafetensorsTensor {
  name: string;
  dtype: MatrixDtype;
  shape: number[];
  /** Absolute byte offset of the tensor's first element in the file. */
  offset: number;
  byteLength: number;
}

const DTYPES: Readonly<Record<string, MatrixDtype>> = {
  F16: "float16",
  BF16: "bfloat16",
  F32: "float32",
  F64: "float64",
  I8: "int8",
  I16: "int16",
  I32: "int32",
  I64: "int64",
  U8: "uint8",
  U16: "uint16",
  U32: "uint32",
  U64: "uint64",
  BOOL: "bool",
};

const MAX_HEADER = 100 * 1024 * 1024;

function listFromFd(fd: number, path: string): SafetensorsTensor[] {
  const size = fileSize(fd);
  if (size < 8) throw new UserError(`${path} is not a .safetensors file (shorter than its 8-byte header length).`);
  const lenBytes = new Uint8Array(8);
  readExactly(fd, path, lenBytes, 0);
  const n = Number(new DataView(lenBytes.buffer).getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > size) {
    throw new UserError(`${path} is not a valid .safetensors file (its header length ${n} does not fit the ${size}-byte file).`);
  }
  const headerBytes = new Uint8Array(n);
  readExactly(fd, path, headerBytes, 8);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch {
    throw new UserError(`${path} is not a valid .safetensors file (its header is not JSON).`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new UserError(`${path} is not a valid .safetensors file (its header is not a JSON object).`);
  }
  const base = 8 + n;
  const out: SafetensorsTensor[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = typeof v?.dtype === "string" ? DTYPES[v.dtype] : undefined;
    if (dtype === undefined) {
      throw new UserError(`${path}: tensor "${name}" has unsupported dtype ${JSON.stringify(v?.dtype)}.`);
    }
    const shape = v.shape;
    const offs = v.data_offsets;
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((d) => Number.isSafeInteger(d) && d >= 0)
    ) {
      throw new UserError(`${path}: tensor "${name}" has a malformed shape or data_offsets.`);
    }
    const [begin, end] = offs as [number, number];
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== elements * DTYPE_SIZE[dtype]) {
      throw new UserError(
        `${path}: tensor "${name}" has ${end - begin} bytes of data but shape [${shape.join(", ")}] of ${dtype} needs ${elements * DTYPE_SIZE[dtype]}.`,
      );
    }
    if (base + end > size) {
      throw new UserError(`${path} is truncated: tensor "${name}" ends at byte ${base + end} but the file has ${size} bytes.`);
    }
    out.push({ name, dtype, shape: shape as number[], offset: base + begin, byteLength: end - begin });
  }
  return out;
}

/** The tensors a .safetensors file holds, in header order. */
export function listSafetensors(path: string): SafetensorsTensor[] {
  const fd = openForReading(path, ".safetensors file");
  try {
    return listFromFd(fd, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams the rows of one 2-D tensor of a .safetensors file. `tensor` names it; it may be left out
 * when the file holds exactly one tensor.
 */
export function openSafetensorsRows(path: string, tensor?: string): MatrixRows {
  const fd = openForReading(path, ".safetensors file");
  try {
    const tensors = listFromFd(fd, path);
    let t: SafetensorsTensor | undefined;
    if (tensor !== undefined) {
      t = tensors.find((x) => x.name === tensor);
      if (!t) {
        throw new UserError(
          `${path} has no tensor named "${tensor}" (it has: ${tensors.map((x) => x.name).join(", ") || "none"}).`,
        );
      }
    } else if (tensors.length === 1) {
      t = tensors[0]!;
    } else {
      throw new UserError(
        `${path} holds ${tensors.length} tensors; name the one to use (${tensors.map((x) => x.name).join(", ") || "none"}).`,
      );
    }
    if (t.shape.length !== 2) {
      throw new UserError(
        `${path}: tensor "${t.name}" has shape [${t.shape.join(", ")}]; an embedding matrix must be 2-D (rows × dimension).`,
      );
    }
    return fileRows({ path, offset: t.offset, rows: t.shape[0]!, cols: t.shape[1]!, dtype: t.dtype, littleEndian: true }, fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The bytes of a .safetensors file holding the given float32/float16 tensors (for tests and exports). */
export function encodeSafetensors(
  tensors: { name: string; dtype: "float32" | "float16"; shape: number[]; data: Float32Array | Uint16Array }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype === "float32" ? "F32" : "F16", shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + json.length) % 8)) % 8);
  const jsonBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + jsonBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  let pos = 8 + jsonBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}
