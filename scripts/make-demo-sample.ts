/**
 * Writes the demo sample shipped in assets/demo/ (run: `node --import tsx scripts/make-demo-sample.ts`).
 *
 * Everything here is GENERATED for conceptfreq's demo; none of it is real data:
 *   captions-web.tsv      4,000 synthetic alt-text-like captions ("caption<TAB>key")
 *   captions-curated.tsv  2,000 synthetic captions with a different concept mix
 *   concepts.txt          the 56 concept names of a made-up classification benchmark
 *   results.json          per-class accuracies of two made-up models, in the paper's
 *                         {model: {full, classwise}} shape
 *   image-tags-web.jsonl  a made-up image tagger's output for captions-web.tsv (one line per image)
 * Concepts are drawn from a Zipf-like distribution (rank k has weight 1/k^1.3); a few concepts are
 * never mentioned. The captions are indexed and counted with conceptfreq's own library, and each
 * model's accuracy on a concept is 8 + 15·log10(1 + count) + N(0, 4²) points in the count of the
 * corpus the model was "trained" on, clipped to [0, 100], with four deliberate outliers. The output
 * is deterministic (seeded generator): re-running the script rewrites the same bytes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32, buildTextIndex, countConcepts, TextIndex } from "../src/index.js";

const OUT = new URL("../assets/demo", import.meta.url).pathname;

/** A small, seeded generator (the same sequence everywhere). */
const rng = mulberry32;

function gaussian(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/** [name in the concept list, singular in captions, plural in captions] in web-corpus rank order. */
const CONCEPTS: [string, string, string][] = [
  ["dog", "dog", "dogs"],
  ["car", "car", "cars"],
  ["cat", "cat", "cats"],
  ["bird", "bird", "birds"],
  ["horse", "horse", "horses"],
  ["flower", "flower", "flowers"],
  ["boat", "boat", "boats"],
  ["bicycle", "bicycle", "bicycles"],
  ["chair", "chair", "chairs"],
  ["cake", "cake", "cakes"],
  ["airplane", "airplane", "airplanes"],
  ["guitar", "guitar", "guitars"],
  ["bus", "bus", "buses"],
  ["pizza", "pizza", "pizzas"],
  ["elephant", "elephant", "elephants"],
  ["train", "train", "trains"],
  ["umbrella", "umbrella", "umbrellas"],
  ["laptop", "laptop", "laptops"],
  ["bear", "bear", "bears"],
  ["camera", "camera", "cameras"],
  ["giraffe", "giraffe", "giraffes"],
  ["clock", "clock", "clocks"],
  ["butterfly", "butterfly", "butterflies"],
  ["rabbit", "rabbit", "rabbits"],
  ["lion", "lion", "lions"],
  ["zebra", "zebra", "zebras"],
  ["owl", "owl", "owls"],
  ["monkey", "monkey", "monkeys"],
  ["lamp", "lamp", "lamps"],
  ["piano", "piano", "pianos"],
  ["tiger", "tiger", "tigers"],
  ["penguin", "penguin", "penguins"],
  ["fire truck", "fire truck", "fire trucks"],
  ["dolphin", "dolphin", "dolphins"],
  ["turtle", "turtle", "turtles"],
  ["kite", "kite", "kites"],
  ["violin", "violin", "violins"],
  ["tractor", "tractor", "tractors"],
  ["frog", "frog", "frogs"],
  ["lighthouse", "lighthouse", "lighthouses"],
  ["flamingo", "flamingo", "flamingos"],
  ["windmill", "windmill", "windmills"],
  ["sea lion|sealion", "sea lion", "sea lions"],
  ["canoe", "canoe", "canoes"],
  ["hedgehog", "hedgehog", "hedgehogs"],
  ["jellyfish", "jellyfish", "jellyfish"],
  ["snail", "snail", "snails"],
  ["lobster", "lobster", "lobsters"],
  ["cactus", "cactus", "cactuses"],
  ["walrus", "walrus", "walruses"],
  ["chameleon", "chameleon", "chameleons"],
  ["harp", "harp", "harps"],
  // never mentioned in either corpus: the far end of the long tail
  ["axolotl", "axolotl", "axolotls"],
  ["pangolin", "pangolin", "pangolins"],
  ["narwhal", "narwhal", "narwhals"],
  ["okapi", "okapi", "okapis"],
];
const NEVER = 4;

const ADJECTIVES = ["small", "big", "red", "old", "young", "cute", "white", "black", "brown", "happy", "sleepy", "tiny", "colorful", "vintage"];
const PLACES = [
  "on the beach",
  "in the park",
  "on a street",
  "in the garden",
  "at the zoo",
  "in the snow",
  "on a table",
  "near the river",
  "in a forest",
  "at night",
  "under a blue sky",
  "in the city",
  "on the grass",
  "by the lake",
];
const SCENES = ["beach", "park", "street", "garden", "forest", "river", "city", "lake", "mountain", "market", "harbor", "bridge"];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/** Draws a concept index from the Zipf-like weights (rank order given by `order`). */
function sampler(r: () => number, order: number[], exponent: number): () => number {
  const weights = order.map((_, rank) => 1 / Math.pow(rank + 1, exponent));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return () => {
    const u = r();
    let k = cdf.findIndex((c) => u <= c);
    if (k < 0) k = cdf.length - 1;
    return order[k]!;
  };
}

/** A caption and the indices of the concepts it shows (what a perfect image tagger would see). */
function caption(r: () => number, draw: () => number): { text: string; shows: number[] } {
  if (r() < 0.12) {
    const s = pick(r, SCENES);
    return { text: pick(r, [`view of the ${s} at sunset`, `the ${s} in winter`, `people walking in the ${s}`, `an empty ${s} early in the morning`]), shows: [] };
  }
  const i = draw();
  const [, one, many] = CONCEPTS[i]!;
  const adj = pick(r, ADJECTIVES);
  const place = pick(r, PLACES);
  const shows = (text: string, more: number[] = []) => ({ text, shows: [i, ...more] });
  switch (Math.floor(r() * 8)) {
    case 0:
      return shows(`a photo of ${article(adj)} ${adj} ${one}`);
    case 1:
      return shows(`${article(adj)} ${adj} ${one} ${place}`);
    case 2:
      return shows(`${one} ${place}`);
    case 3:
      return shows(`close-up of ${article(one)} ${one} ${place}`);
    case 4:
      return shows(`two ${adj} ${many} ${place}`);
    case 5:
      return shows(`illustration of ${article(one)} ${one}`);
    case 6: {
      let j = draw();
      while (j === i) j = draw();
      const other = CONCEPTS[j]![1];
      return shows(`${article(adj)} ${adj} ${one} and ${article(other)} ${other} ${place}`, [j]);
    }
    default:
      return shows(`my ${one} ${place} today`);
  }
}

function corpus(seed: number, rows: number, order: number[], prefix: string): { tsv: string; shows: number[][] } {
  const r = rng(seed);
  const draw = sampler(r, order, 1.3);
  const lines: string[] = [];
  const shows: number[][] = [];
  for (let k = 0; k < rows; k++) {
    const c = caption(r, draw);
    lines.push(`${c.text}\t${prefix}-${String(k).padStart(6, "0")}`);
    shows.push(c.shows);
  }
  return { tsv: lines.join("\n") + "\n", shows };
}

/**
 * A made-up image tagger's output for a corpus, one JSONL line per image ({"row", "tags": {concept: p}}):
 * a shown concept gets a high probability 85% of the time (a miss otherwise), and 10% of the images
 * get a spurious tag; probabilities below 0.5 are listed too, so the threshold matters.
 */
function tagger(seed: number, shows: number[][]): string {
  const r = rng(seed);
  const lines = shows.map((ids, row) => {
    const tags: Record<string, number> = {};
    for (const i of ids) tags[CONCEPTS[i]![0]] = Math.round((r() < 0.85 ? 0.55 + 0.44 * r() : 0.1 + 0.35 * r()) * 100) / 100;
    if (r() < 0.1) {
      const j = Math.floor(r() * (CONCEPTS.length - NEVER));
      if (!(CONCEPTS[j]![0] in tags)) tags[CONCEPTS[j]![0]] = Math.round((0.5 + 0.3 * r()) * 100) / 100;
    }
    return JSON.stringify({ row, tags });
  });
  return lines.join("\n") + "\n";
}

/** The curated corpus ranks the concepts differently: nearby ranks swapped, a few moved far. */
function curatedOrder(): number[] {
  const order = CONCEPTS.slice(0, CONCEPTS.length - NEVER).map((_, i) => i);
  const r = rng(7);
  for (let i = 0; i + 1 < order.length; i += 2) if (r() < 0.6) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
  // animals of the sea are common in the curated corpus, vehicles rare
  for (const name of ["dolphin", "turtle", "sea lion|sealion", "jellyfish", "lobster", "penguin"]) {
    const k = order.indexOf(CONCEPTS.findIndex((c) => c[0] === name));
    order.splice(k, 1);
    order.splice(Math.max(0, Math.floor(k / 3)), 0, CONCEPTS.findIndex((c) => c[0] === name));
  }
  for (const name of ["bus", "train", "tractor"]) {
    const id = CONCEPTS.findIndex((c) => c[0] === name);
    order.splice(order.indexOf(id), 1);
    order.push(id);
  }
  return order;
}

async function counts(tsv: string, dir: string): Promise<Map<string, number>> {
  mkdirSync(dir, { recursive: true });
  const input = join(dir, "captions.tsv");
  writeFileSync(input, tsv);
  await buildTextIndex([input], { out: join(dir, "index"), workers: 1 });
  const index = TextIndex.open(join(dir, "index"));
  try {
    return new Map(countConcepts(index, CONCEPTS.map((c) => c[0])).map((c) => [c.concept, c.count]));
  } finally {
    index.close();
  }
}

/** Accuracy (percent) following a noisy log-linear law in the count; `outliers` shift single concepts. */
function accuracies(seed: number, freq: Map<string, number>, intercept: number, slope: number, outliers: Record<string, number>): Record<string, number> {
  const r = rng(seed);
  const out: Record<string, number> = {};
  for (const [name] of CONCEPTS) {
    const c = freq.get(name)!;
    const y = intercept + slope * Math.log10(1 + c) + 4 * gaussian(r) + (outliers[name] ?? 0);
    out[name] = Math.round(Math.min(100, Math.max(0, y)) * 100) / 100;
  }
  return out;
}

async function main(): Promise<void> {
  const webOrder = CONCEPTS.slice(0, CONCEPTS.length - NEVER).map((_, i) => i);
  const web = corpus(1, 4000, webOrder, "web");
  const curated = corpus(2, 2000, curatedOrder(), "cur");
  const tmp = mkdtempSync(join(tmpdir(), "conceptfreq-demo-"));
  try {
    const webCounts = await counts(web.tsv, join(tmp, "web"));
    const curatedCounts = await counts(curated.tsv, join(tmp, "curated"));
    const modelWeb = accuracies(11, webCounts, 8, 15, { lighthouse: 30, windmill: 25, cat: -30, chair: -25 });
    const modelCurated = accuracies(12, curatedCounts, 12, 14, { harp: 28, clock: -28 });
    const mean = (o: Record<string, number>) => Math.round((Object.values(o).reduce((a, b) => a + b, 0) / Object.keys(o).length) * 100) / 100;
    const results = {
      "sample-clip-web": { full: mean(modelWeb), classwise: modelWeb },
      "sample-clip-curated": { full: mean(modelCurated), classwise: modelCurated },
    };
    writeFileSync(join(OUT, "captions-web.tsv"), web.tsv);
    writeFileSync(join(OUT, "captions-curated.tsv"), curated.tsv);
    writeFileSync(join(OUT, "image-tags-web.jsonl"), tagger(21, web.shows));
    writeFileSync(
      join(OUT, "concepts.txt"),
      "# GENERATED SAMPLE for the conceptfreq demo (scripts/make-demo-sample.ts): a made-up benchmark's class names.\n" +
        CONCEPTS.map((c) => c[0]).join("\n") +
        "\n",
    );
    writeFileSync(join(OUT, "results.json"), JSON.stringify(results, null, 2) + "\n");
    const show = (m: Map<string, number>) => [...m].map(([k, v]) => `${k}=${v}`).join(" ");
    process.stdout.write(`web counts: ${show(webCounts)}\ncurated counts: ${show(curatedCounts)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
