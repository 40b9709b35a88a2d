/**
 * The bytes of a one-node ONNX model, `S = MatMul(A, B)`, with B (d × m float32) stored in the model
 * as an initializer so that onnxruntime packs it once for its multithreaded MLAS kernel. A has a
 * dynamic row count: input A is [n, d], output S is [n, m].
 *
 * Written directly as protobuf (onnx.proto3 field numbers), so no protobuf library is needed:
 *   ModelProto   { ir_version = 1; producer_name = 2; graph = 7; opset_import = 8 }
 *   GraphProto   { node = 1; name = 2; initializer = 5; input = 11; output = 12 }
 *   NodeProto    { input = 1; output = 2; name = 3; op_type = 4 }
 *   TensorProto  { dims = 1; data_type = 2; name = 8; raw_data = 9 }
 *   ValueInfoProto { name = 1; type = 2 }  TypeProto { tensor_type = 1 }
 *   TypeProto.Tensor { elem_type = 1; shape = 2 }  TensorShapeProto { dim = 1 }
 *   Dimension { dim_value = 1; dim_param = 2 }   OperatorSetIdProto { domain = 1; version = 2 }
 */

const FLOAT = 1; // TensorProto.DataType.FLOAT
const IR_VERSION = 8;
const OPSET = 13;

class ProtoWriter {
  private parts: Uint8Array[] = [];
  private size = 0;

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }

  private varint(n: number): void {
    const out: number[] = [];
    let v = n;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  int(field: number, value: number): this {
    this.varint(field * 8);
    this.varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.varint(field * 8 + 2);
    this.varint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, w: ProtoWriter): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
}

function valueInfo(name: string, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, name).message(2, type);
}

/** ONNX model bytes for S[n×m] = A[n×d] · Bt[d×m], Bt given row-major (d rows of m values). */
export function matmulModel(bt: Float32Array, d: number, m: number): Uint8Array {
  if (bt.length !== d * m) throw new RangeError(`B has ${bt.length} values, not ${d} × ${m}`);
  const raw = new Uint8Array(bt.buffer, bt.byteOffset, bt.byteLength);
  const initializer = new ProtoWriter().int(1, d).int(1, m).int(2, FLOAT).string(8, "B").bytes(9, raw);
  const node = new ProtoWriter().string(1, "A").string(1, "B").string(2, "S").string(3, "similarity").string(4, "MatMul");
  const graph = new ProtoWriter()
    .message(1, node)
    .string(2, "conceptfreq-similarity")
    .message(5, initializer)
    .message(11, valueInfo("A", ["n", d]))
    .message(12, valueInfo("S", ["n", m]));
  const opset = new ProtoWriter().string(1, "").int(2, OPSET);
  return new ProtoWriter().int(1, IR_VERSION).string(2, "conceptfreq").message(7, graph).message(8, opset).finish();
}
