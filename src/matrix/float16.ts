/**
 * IEEE 754 half precision (float16) and bfloat16 to float32 conversion.
 *
 * Every float16 value is exactly representable as a float32, so the conversion is lossless; it goes
 * through a 65,536-entry lookup table built on first use.
 */

let table: Float32Array | undefined;

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function halfTable(): Float32Array {
  if (table === undefined) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = halfToFloat(h);
  }
  return table;
}

/** One float16 bit pattern as a number. */
export function float16ToNumber(bits: number): number {
  return halfTable()[bits & 0xffff]!;
}

/** float16 bit patterns -> float32 values (into `out` when given). */
export function float16ToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const t = halfTable();
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]!]!;
  return out;
}

/** bfloat16 bit patterns -> float32 values (a bfloat16 is the upper half of a float32). */
export function bfloat16ToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const u = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) u[i] = src[i]! << 16;
  return out;
}

/** float32 -> float16 bit patterns, rounding to nearest even (for writing test fixtures and .npy files). */
export function float32ToFloat16(src: ArrayLike<number>, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < src.length; i++) {
    f[0] = src[i]!;
    const x = u[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    let h: number;
    if (exp === 0xff) {
      h = sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
    } else {
      const e = exp - 127 + 15;
      if (e >= 0x1f) {
        h = sign | 0x7c00; // overflow -> Inf
      } else if (e <= 0) {
        if (e < -10) {
          h = sign; // underflow -> signed zero
        } else {
          mant |= 0x800000;
          const shift = 14 - e;
          let half = mant >>> shift;
          const rem = mant & ((1 << shift) - 1);
          const mid = 1 << (shift - 1);
          if (rem > mid || (rem === mid && (half & 1))) half++;
          h = sign | half;
        }
      } else {
        let half = (e << 10) | (mant >>> 13);
        const rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++; // may carry into the exponent: correct
        h = sign | half;
      }
    }
    out[i] = h;
  }
  return out;
}
