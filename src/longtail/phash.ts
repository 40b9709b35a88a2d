/**
 * Perceptual hash (pHash), the DCT variant of the common `imagehash.phash`:
 *
 *   1. decode, apply the EXIF orientation, flatten transparency onto white, convert to grayscale;
 *   2. resize to S×S with `fit: "fill"` (aspect ratio ignored), S = 4·B (32 for a 64-bit hash);
 *   3. 2-D DCT-II of the S×S pixels (scipy's unnormalised `dct(dct(x, axis=0), axis=1)`);
 *   4. keep the top-left B×B block of low frequencies — the DC term [0][0] INCLUDED, as imagehash does;
 *   5. bit = coefficient > median of the B×B block (numpy's median: mean of the two middle values).
 *
 * B = 8 gives 64 bits, B = 16 gives 256 bits (imagehash's `hash_size=16`, resized to 64×64).
 * Bits are stored row-major, first coefficient as the most significant bit, so `hex` reads like
 * imagehash's `str(hash)`. Values may still differ from imagehash in a few bits on the same file,
 * because sharp/libvips and Pillow resample and convert to grayscale slightly differently.
 */
import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { UserError } from "../errors.js";

/** Hash sizes this module supports: 64 bits (8×8 block) and 256 bits (16×16 block). */
export type HashBits = 64 | 256;

export interface ImageHash {
  bits: HashBits;
  /** The bits, most significant first, 32 per word (2 words for 64 bits, 8 for 256). */
  words: Uint32Array;
  /** Lowercase hex, bits/4 characters, most significant bit first. */
  hex: string;
  /** Width and height of the decoded image after EXIF orientation. */
  width: number;
  height: number;
}

/** Validates a `--hash-bits` value. */
export function parseHashBits(n: number): HashBits {
  if (n === 64 || n === 256) return n;
  throw new UserError(`--hash-bits must be 64 (8×8 DCT block) or 256 (16×16 DCT block), not ${n}.`);
}

function blockSize(bits: HashBits): number {
  return bits === 64 ? 8 : 16;
}

/** The side of the grayscale image the DCT runs on (imagehash's highfreq_factor 4). */
export function resizeSide(bits: HashBits): number {
  return blockSize(bits) * 4;
}

const cosineTables = new Map<string, Float64Array>();

/** cos(π·k·(2n+1) / 2N) for k < K, n < N, row-major [k][n]. */
function cosineTable(n: number, k: number): Float64Array {
  const key = `${n}x${k}`;
  let t = cosineTables.get(key);
  if (!t) {
    t = new Float64Array(k * n);
    for (let u = 0; u < k; u++) for (let x = 0; x < n; x++) t[u * n + x] = Math.cos((Math.PI * u * (2 * x + 1)) / (2 * n));
    cosineTables.set(key, t);
  }
  return t;
}

/**
 * The low-frequency K×K block of the unnormalised 2-D DCT-II of an N×N image (row-major),
 * i.e. scipy's `dct(dct(x, axis=0), axis=1)[:K, :K]`.
 */
export function dctLowFrequencies(pixels: ArrayLike<number>, n: number, k: number): Float64Array {
  if (pixels.length !== n * n) throw new Error(`expected ${n * n} pixels, got ${pixels.length}`);
  const c = cosineTable(n, k);
  // Along axis 0 (columns): tmp[u][x] = 2 Σ_y cos(u,y) p[y][x], for u < K.
  const tmp = new Float64Array(k * n);
  for (let u = 0; u < k; u++) {
    for (let y = 0; y < n; y++) {
      const cy = 2 * c[u * n + y]!;
      const row = y * n;
      const out = u * n;
      for (let x = 0; x < n; x++) tmp[out + x]! += cy * pixels[row + x]!;
    }
  }
  // Along axis 1 (rows): out[u][v] = 2 Σ_x cos(v,x) tmp[u][x], for v < K.
  const out = new Float64Array(k * k);
  for (let u = 0; u < k; u++) {
    for (let v = 0; v < k; v++) {
      let s = 0;
      for (let x = 0; x < n; x++) s += c[v * n + x]! * tmp[u * n + x]!;
      out[u * k + v] = 2 * s;
    }
  }
  return out;
}

/** Median-threshold bits of a coefficient block, most significant first, packed 32 per word. */
function thresholdBits(coeffs: Float64Array): Uint32Array {
  const sorted = Float64Array.from(coeffs).sort();
  const m = sorted.length;
  const median = m % 2 === 1 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
  const words = new Uint32Array(Math.ceil(m / 32));
  for (let i = 0; i < m; i++) if (coeffs[i]! > median) words[i >>> 5]! |= 1 << (31 - (i & 31));
  return words;
}

/** pHash bits of an S×S grayscale image given as row-major pixel values (S = resizeSide(bits)). */
export function pHashFromGray(pixels: ArrayLike<number>, bits: HashBits = 64): Uint32Array {
  return thresholdBits(dctLowFrequencies(pixels, resizeSide(bits), blockSize(bits)));
}

/** Hex of hash words, most significant bit first. */
export function hashToHex(words: Uint32Array): string {
  let s = "";
  for (const w of words) s += w.toString(16).padStart(8, "0");
  return s;
}

/** Parses hex (as written by hashToHex / the manifest) back into words; length must be 16 or 64. */
export function hexToHash(hex: string): Uint32Array {
  if (!/^[0-9a-fA-F]+$/.test(hex) || (hex.length !== 16 && hex.length !== 64)) {
    throw new UserError(`"${hex}" is not a 64- or 256-bit hash in hex.`);
  }
  const words = new Uint32Array(hex.length / 8);
  for (let i = 0; i < words.length; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  return words;
}

/** The hash as one unsigned integer (first bit most significant). */
export function hashToBigInt(words: Uint32Array): bigint {
  return BigInt("0x" + hashToHex(words));
}

export { popcount32, hammingDistance } from "./hamming-index.js";

/**
 * pHash of an image file or encoded image buffer (JPEG, PNG, WebP, or anything else sharp decodes).
 * Throws whatever sharp throws on an unreadable image (callers decide how to report it);
 * decoding is strict (`failOn: "warning"`, sharp's default): a truncated file is unreadable.
 */
export async function computePHash(input: string | Buffer, bits: HashBits = 64): Promise<ImageHash> {
  const buf = typeof input === "string" ? await readFile(input) : input;
  const meta = await sharp(buf, { autoOrient: true }).metadata();
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) throw new Error("image has no dimensions");
  const side = resizeSide(bits);
  const { data, info } = await sharp(buf, { autoOrient: true })
    .flatten({ background: "#ffffff" })
    .greyscale()
    .resize(side, side, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== side || info.height !== side) throw new Error(`resize gave ${info.width}×${info.height}`);
  const ch = info.channels;
  let gray: ArrayLike<number> = data;
  if (ch !== 1) {
    const g = new Uint8Array(side * side);
    for (let i = 0; i < g.length; i++) g[i] = data[i * ch]!;
    gray = g;
  }
  const words = pHashFromGray(gray, bits);
  return { bits, words, hex: hashToHex(words), width, height };
}
