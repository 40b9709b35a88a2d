import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../src/errors.js";
import { bfloat16ToFloat32, float16ToFloat32, float16ToNumber, float32ToFloat16 } from "../../src/matrix/float16.js";
import { encodeNpy, npyToFloat32, openNpyRows, readNpy, writeNpy } from "../../src/matrix/npy.js";
import { isRawMatrixPath, openMatrix, readMatrix } from "../../src/matrix/open.js";
import { memoryRows } from "../../src/matrix/rows.js";
import { encodeSafetensors, listSafetensors } from "../../src/matrix/safetensors.js";

const dir = mkdtempSync(join(tmpdir(), "cf-matrix-"));

/** An .npy file written the way numpy writes it (header text given), for format compatibility. */
function npyBytes(header: string, body: Uint8Array, version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  let len = header.length + 1;
  len += (64 - ((prefix + len) % 64)) % 64;
  const out = new Uint8Array(prefix + len + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) new DataView(out.buffer).setUint16(8, len, true);
  else new DataView(out.buffer).setUint32(8, len, true);
  const text = header + " ".repeat(len - header.length - 1) + "\n";
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  out.set(body, prefix + len);
  return out;
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function userError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && pattern.test(e.message));
}

test("float16: known values, subnormals, infinities, NaN", () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x0400, 2 ** -14],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  for (const [bits, value] of cases) assert.equal(float16ToNumber(bits), value, `0x${bits.toString(16)}`);
  assert.ok(Number.isNaN(float16ToNumber(0x7e00)));
  assert.ok(Object.is(float16ToNumber(0x8000), -0));
});

test("float16: every bit pattern survives float16 -> float32 -> float16", () => {
  const all = new Uint16Array(65536).map((_, i) => i);
  const back = float32ToFloat16(float16ToFloat32(all));
  for (let i = 0; i < 65536; i++) {
    const nan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
    if (nan) assert.ok((back[i]! & 0x7c00) === 0x7c00 && (back[i]! & 0x3ff) !== 0);
    else assert.equal(back[i], i);
  }
});

test("float32 -> float16 rounds to nearest even, overflows to Infinity, underflows to zero", () => {
  const h = (x: number) => float32ToFloat16([x])[0]!;
  assert.equal(h(1 + 2 ** -11), 0x3c00); // exactly halfway between 1 and the next float16: even (1)
  assert.equal(h(1 + 3 * 2 ** -11), 0x3c02); // halfway, rounds up to even
  assert.equal(h(65520), 0x7c00);
  assert.equal(h(2 ** -26), 0x0000);
  assert.equal(h(3 * 2 ** -26), 0x0001); // subnormal rounding
  assert.deepEqual(Array.from(bfloat16ToFloat32(new Uint16Array([0x3f80, 0xc040]))), [1, -3]);
});

test("readNpy reads numpy's float32, float16, big-endian float64, int64 and version 2/3 headers", () => {
  const f32 = new Float32Array([0, 0.5, -1.25, 3, 1e-3, 7]);
  const a = readNpy(file("f4.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(f32.buffer))));
  assert.equal(a.dtype, "float32");
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data as Float32Array), Array.from(f32));

  const half = float32ToFloat16([1, 2, 0.5, -4]);
  const h = readNpy(file("f2.npy", npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(half.buffer))));
  assert.equal(h.dtype, "float16");
  assert.deepEqual(h.shape, [4]);
  assert.deepEqual(Array.from(npyToFloat32(h)), [1, 2, 0.5, -4]);

  const be = new Uint8Array(16);
  new DataView(be.buffer).setFloat64(0, 1.5, false);
  new DataView(be.buffer).setFloat64(8, -2.25, false);
  const b = readNpy(file("be.npy", npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", be)));
  assert.deepEqual(Array.from(b.data as Float64Array), [1.5, -2.25]);

  const i8 = new BigInt64Array([3n, -1n, 4n]);
  const c = readNpy(file("i8.npy", npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(i8.buffer))));
  assert.equal(c.dtype, "int64");
  assert.deepEqual(Array.from(npyToFloat32(c)), [3, -1, 4]);

  for (const v of [2, 3]) {
    const d = readNpy(file(`v${v}.npy`, npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", new Uint8Array(new Float32Array([9, 8]).buffer), v)));
    assert.deepEqual(Array.from(d.data as Float32Array), [9, 8]);
  }
});

test("writeNpy writes what readNpy (and numpy's header grammar) reads back", () => {
  const p = join(dir, "w.npy");
  writeNpy(p, new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  const a = readNpy(p);
  assert.deepEqual(a.shape, [2, 3]);
  assert.deepEqual(Array.from(a.data as Float32Array), [1, 2, 3, 4, 5, 6]);
  const bytes = encodeNpy(new Int32Array([7]), [1]);
  assert.equal(new TextDecoder("latin1").decode(bytes.subarray(10, 10 + 60)).trim().startsWith("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }"), true);
  assert.equal(bytes.length, 128 + 4); // header padded to a 64-byte boundary (as numpy writes it), then one int32
  const h = join(dir, "wh.npy");
  writeNpy(h, float32ToFloat16([1.5, -2]), [2], "float16");
  assert.deepEqual(Array.from(npyToFloat32(readNpy(h))), [1.5, -2]);
});

test("bad .npy files are clear UserErrors: magic, Fortran order, truncation, dtype, dimensionality", () => {
  userError(() => readNpy(file("bad.npy", "hello world, not numpy")), /not a NumPy \.npy file/);
  userError(() => readNpy(join(dir, "missing.npy")), /does not exist/);
  const fortran = npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", new Uint8Array(24));
  userError(() => readNpy(file("fo.npy", fortran)), /Fortran/);
  const short = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(20));
  userError(() => readNpy(file("short.npy", short)), /truncated/);
  userError(() => openNpyRows(join(dir, "short.npy")), /truncated/);
  const cplx = npyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
  userError(() => readNpy(file("c8.npy", cplx)), /not supported/);
  userError(() => readNpy(file("cut.npy", new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 200, 0, 123]))), /truncated/);
  const oneD = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(12));
  userError(() => openNpyRows(file("1d.npy", oneD)), /must be 2-D/);
});

test("openNpyRows streams blocks of rows as float32, from float16 and big-endian files too", () => {
  const rows = 7;
  const cols = 3;
  const values = Array.from({ length: rows * cols }, (_, i) => i / 4);
  const p = join(dir, "rows16.npy");
  writeNpy(p, float32ToFloat16(values), [rows, cols], "float16");
  const r = openNpyRows(p);
  assert.equal(r.rows, rows);
  assert.equal(r.cols, cols);
  assert.equal(r.dtype, "float16");
  assert.deepEqual(Array.from(r.readRows(2, 3)), values.slice(6, 15));
  const out = new Float32Array(100);
  const view = r.readRows(6, 1, out);
  assert.equal(view.buffer, out.buffer);
  assert.deepEqual(Array.from(view), values.slice(18, 21));
  assert.deepEqual(Array.from(r.readRows(7, 0)), []);
  assert.throws(() => r.readRows(6, 2), RangeError);
  r.close();

  const be = new Uint8Array(2 * 2 * 4);
  [1, -2, 3.5, 4].forEach((v, i) => new DataView(be.buffer).setFloat32(i * 4, v, false));
  const b = openNpyRows(file("be2.npy", npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", be)));
  assert.deepEqual(Array.from(b.readRows(0, 2)), [1, -2, 3.5, 4]);
  b.close();
});

test("openMatrix: .npy, .safetensors (single, named, several), raw .f16/.f32 with a dimension", () => {
  const m = new Float32Array([1, 2, 3, 4, 5, 6]);
  const st = file(
    "two.safetensors",
    encodeSafetensors([
      { name: "image", dtype: "float32", shape: [3, 2], data: m },
      { name: "text", dtype: "float16", shape: [2, 3], data: float32ToFloat16(m) },
    ], { format: "pt" }),
  );
  assert.deepEqual(listSafetensors(st).map((t) => [t.name, t.dtype, t.shape.join("x")]), [
    ["image", "float32", "3x2"],
    ["text", "float16", "2x3"],
  ]);
  const t = openMatrix(st, { tensor: "text" });
  assert.deepEqual([t.rows, t.cols, t.dtype], [2, 3, "float16"]);
  assert.deepEqual(Array.from(t.readRows(1, 1)), [4, 5, 6]);
  t.close();
  userError(() => openMatrix(st), /holds 2 tensors; name the one to use \(image, text\)/);
  userError(() => openMatrix(st, { tensor: "audio" }), /no tensor named "audio"/);
  const one = file("one.safetensors", encodeSafetensors([{ name: "x", dtype: "float32", shape: [2, 3], data: m }]));
  assert.deepEqual(Array.from(readMatrix(one).data), Array.from(m));
  userError(() => openMatrix(file("bad.safetensors", new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0, 1]))), /header length/);
  const trunc = encodeSafetensors([{ name: "x", dtype: "float32", shape: [2, 3], data: m }]);
  userError(() => openMatrix(file("trunc.safetensors", trunc.subarray(0, trunc.length - 4))), /truncated/);

  const f32 = file("e.f32", new Uint8Array(m.buffer));
  const r = openMatrix(f32, { dim: 3 });
  assert.deepEqual([r.rows, r.cols], [2, 3]);
  assert.deepEqual(Array.from(r.readRows(0, 2)), Array.from(m));
  r.close();
  const f16 = file("e.f16", new Uint8Array(float32ToFloat16(m).buffer));
  assert.deepEqual(Array.from(readMatrix(f16, { dim: 2 }).data), Array.from(m));
  userError(() => openMatrix(f16), /needs the embedding dimension/);
  userError(() => openMatrix(f32, { dim: 4 }), /not a whole number of rows of 4/);
  userError(() => openMatrix(file("x.csv", "1,2")), /Cannot tell the format/);
  const npy = join(dir, "m.npy");
  writeNpy(npy, m, [2, 3]);
  userError(() => openMatrix(npy, { dim: 5 }), /dimension 3, not 5/);
  assert.equal(isRawMatrixPath("a/b.F16"), true);
  assert.equal(isRawMatrixPath("a/b.npy"), false);
});

test("memoryRows hands out copies, so callers may normalise blocks in place", () => {
  const data = new Float32Array([1, 2, 3, 4]);
  const r = memoryRows(data, 2, 2);
  const block = r.readRows(0, 2);
  block[0] = 99;
  assert.equal(data[0], 1);
  assert.throws(() => memoryRows(data, 3, 2), RangeError);
});
