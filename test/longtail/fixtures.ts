/** Generated test images: smooth random patterns with blobs, one per seed (deterministic). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { seededRandom } from "../../src/longtail/seeded-random.js";

/** Raw RGB pixels of the image for `seed` at w×h (the same picture at every size). */
export function syntheticRgb(seed: number, w = 256, h = 256): Buffer {
  const r = seededRandom(seed, "synthetic-image");
  const waves = Array.from({ length: 6 }, () => ({ fx: r() * 6, fy: r() * 6, ph: r() * 6.28, a: r(), c: [r(), r(), r()] }));
  const blobs = Array.from({ length: 5 }, () => ({ x: r(), y: r(), s: 0.04 + r() * 0.24, c: [r() * 255, r() * 255, r() * 255] }));
  const buf = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x / w;
      const v = y / h;
      const px = [0, 0, 0];
      for (const k of waves) {
        const s = k.a * Math.sin(k.fx * u * 6.28 + k.fy * v * 6.28 + k.ph);
        for (let c = 0; c < 3; c++) px[c]! += s * k.c[c]! * 60;
      }
      for (const b of blobs) {
        const d = ((u - b.x) ** 2 + (v - b.y) ** 2) / (b.s * b.s);
        if (d < 1) for (let c = 0; c < 3; c++) px[c] = px[c]! * 0.3 + b.c[c]! * 0.7 - 128;
      }
      for (let c = 0; c < 3; c++) buf[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(128 + px[c]!)));
    }
  }
  return buf;
}

export type Format = "jpeg" | "png" | "webp";

export async function syntheticImage(seed: number, w = 256, h = 256, format: Format = "jpeg"): Promise<Buffer> {
  const img = sharp(syntheticRgb(seed, w, h), { raw: { width: w, height: h, channels: 3 } });
  return format === "jpeg" ? img.jpeg({ quality: 90 }).toBuffer() : format === "png" ? img.png().toBuffer() : img.webp().toBuffer();
}

/** Common near-copies of an encoded image. */
export async function variants(base: Buffer): Promise<Record<string, Buffer>> {
  return {
    reencoded: await sharp(base).jpeg({ quality: 35 }).toBuffer(),
    png: await sharp(base).png().toBuffer(),
    resizedDown: await sharp(base).resize(120, 120).jpeg({ quality: 85 }).toBuffer(),
    resizedUp: await sharp(base).resize(400, 300, { fit: "fill" }).webp().toBuffer(),
    brightened: await sharp(base).modulate({ brightness: 1.12 }).jpeg({ quality: 85 }).toBuffer(),
  };
}

export function writeFiles(root: string, files: Record<string, Buffer | string>): void {
  for (const [rel, data] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, data);
  }
}
