/**
 * Long-tail curation benchmark:
 *   1. pHash throughput on 512×512 JPEGs (decode + grayscale + resize to 32×32 + DCT), images/s at
 *      decode concurrency 1, 2, 3 and 4, with the process's peak RSS;
 *   2. near-duplicate search inside ONE class of 10k (and 100k) hashes: greedy de-duplication over the
 *      multi-index Hamming index vs the all-pairs scan it replaces (distance checks and time);
 *   3. end-to-end `curateLongTail` on the generated images (hashing dominates).
 *
 * Images are generated: 16×16 RGB noise upscaled to 512×512 (smooth, distinct per seed), plus for a
 * quarter of them a re-encoded, brightened copy (a near-duplicate to find).
 *
 * Run: `npm run bench -- longtail` (or `node --import tsx bench/longtail.ts`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { curateLongTail, dedupeGreedy, HammingIndex, hammingDistance, hashCandidates, hashToHex, listCandidateImages, mulberry32, type HashedItem } from "../src/index.js";

const IMAGES = 240;
const CLASSES = 4;

async function makeJpeg(seed: number): Promise<Buffer> {
  const r = mulberry32(2 * seed + 1);
  const noise = Buffer.alloc(16 * 16 * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(r() * 256);
  return sharp(noise, { raw: { width: 16, height: 16, channels: 3 } })
    .resize(512, 512, { kernel: "cubic" })
    .jpeg({ quality: 88 })
    .toBuffer();
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function randomHashes(n: number, seed: number): HashedItem[] {
  const r = mulberry32(2 * seed);
  const out: HashedItem[] = [];
  for (let i = 0; i < n; i++) {
    let words: Uint32Array;
    if (i > 0 && r() < 0.3) {
      words = Uint32Array.from(out[Math.floor(r() * out.length)]!.words);
      const flips = Math.floor(r() * 12);
      for (let f = 0; f < flips; f++) {
        const b = Math.floor(r() * 64);
        words[b >>> 5]! ^= 1 << (31 - (b & 31));
      }
    } else words = Uint32Array.from([Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)]);
    out.push({ name: `img${i}`, width: 500, height: 400 + Math.floor(r() * 3) * 50, words, hex: hashToHex(words) });
  }
  return out;
}

export async function main(): Promise<void> {
  console.log("longtail: pHash throughput and near-duplicate search");
  const root = mkdtempSync(join(tmpdir(), "conceptfreq-bench-longtail-"));
  try {
    // 1. Generate images: CLASSES folders, IMAGES files in total, a quarter near-duplicates.
    const files: string[] = [];
    // Classes are contiguous blocks of files; every 4th file is a near copy of the previous one.
    for (let i = 0; i < IMAGES; i++) {
      const cls = join(root, "images", `class${Math.floor((i * CLASSES) / IMAGES)}`);
      mkdirSync(cls, { recursive: true });
      const path = join(cls, `img${String(i).padStart(4, "0")}.jpg`);
      const data = i % 4 === 3 ? await sharp(await makeJpeg(i - 1)).modulate({ brightness: 1.1 }).jpeg({ quality: 60 }).toBuffer() : await makeJpeg(i);
      writeFileSync(path, data);
      files.push(path);
    }
    console.log(`  ${files.length} generated 512x512 JPEGs in ${CLASSES} classes (every 4th a re-encoded, brightened copy)`);

    // 2. Hashing throughput by decode concurrency, as curate hashes its candidates (one warm-up pass first).
    const { candidates } = listCandidateImages(join(root, "images"));
    if (candidates.length !== files.length) throw new Error(`listCandidateImages found ${candidates.length} of ${files.length} images`);
    const failed = (await hashCandidates(candidates.slice(0, 20), 64, 2)).filter((h) => h.error);
    if (failed.length) throw new Error(`pHash failed: ${failed[0]!.source}: ${failed[0]!.error}`);
    for (const conc of [1, 2, 3, 4]) {
      const t0 = performance.now();
      await hashCandidates(candidates, 64, conc);
      const s = (performance.now() - t0) / 1000;
      console.log(`  pHash 64-bit, concurrency ${conc}: ${(files.length / s).toFixed(0)} images/s (${((s / files.length) * 1000).toFixed(1)} ms/image)`);
    }
    {
      const t0 = performance.now();
      await hashCandidates(candidates, 256, 3);
      const s = (performance.now() - t0) / 1000;
      console.log(`  pHash 256-bit, concurrency 3: ${(files.length / s).toFixed(0)} images/s`);
    }
    console.log(`  peak RSS after hashing: ${mib(process.resourceUsage().maxRSS * 1024)} MiB`);

    // 3. End-to-end curation.
    {
      const t0 = performance.now();
      const r = await curateLongTail({ images: join(root, "images"), out: join(root, "out"), seed: 1 });
      const s = (performance.now() - t0) / 1000;
      const dups = r.classes.reduce((a, c) => a + c.duplicates, 0);
      console.log(
        `  curate end to end: ${files.length} images in ${s.toFixed(2)} s (${(files.length / s).toFixed(0)} images/s), ` +
          `${dups} duplicates found (expected ${IMAGES / 4}), ${r.manifest.length} kept`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  // 4. Near-duplicate search in one class.
  for (const n of [10_000, 100_000]) {
    const items = randomHashes(n, n);
    const t0 = performance.now();
    const { kept, duplicates } = dedupeGreedy(items, 10);
    const dedupeMs = performance.now() - t0;
    const index = new HammingIndex(
      items.map((x) => x.words),
      64,
      10,
    );
    const queries = Math.min(n, 10_000);
    const t1 = performance.now();
    for (let i = 0; i < queries; i++) index.search(items[i]!.words);
    const perQueryUs = ((performance.now() - t1) / queries) * 1000;
    let allPairs = "skipped (quadratic)";
    if (n <= 10_000) {
      const t2 = performance.now();
      let near = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (hammingDistance(items[i]!.words, items[j]!.words) <= 10) near++;
      allPairs = `${(performance.now() - t2).toFixed(0)} ms (${near} near pairs)`;
    }
    console.log(
      `  one class of ${n} hashes (30% planted near copies), distance <= 10: greedy de-dup ${dedupeMs.toFixed(0)} ms ` +
        `(${kept.length} kept, ${duplicates.length} dropped); index: ${index.bands.length} bands, ` +
        `${(index.verified / queries).toFixed(0)} distance checks and ${perQueryUs.toFixed(0)} µs per radius query ` +
        `(a scan checks ${n}); all-pairs scan: ${allPairs}`,
    );
  }
  console.log(`  peak RSS: ${mib(process.resourceUsage().maxRSS * 1024)} MiB`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
