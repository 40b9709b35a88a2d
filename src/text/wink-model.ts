/**
 * The parts of wink-eng-lite-web-model that the tagger (wink-tagger.ts) uses: the lexicon ("core"),
 * the POS rules, the feature function and the lemmatizer, loaded without the rest.
 *
 * Why not the package's entry point: requiring it parses every model it ships (named entities,
 * sentiment, ...), and its `core()` deep-copies the 3 MB lexicon JSON through JSON.stringify +
 * JSON.parse on every call. Together that is ~0.2 s of CPU in each thread that tags captions (an
 * index build's workers each load one). `loadCore()` builds the same structure from one fresh
 * parse of the same JSON file, following the package's read-core-model.js and load-core-model.js
 * step by step; a test checks that it deep-equals the package's own `core()`. One difference: the
 * lexeme hash (word -> lexeme id, 87k words) is a Map behind a proxy that reads and writes as the
 * package's null-prototype object does, because filling a Map takes ~40 ms less per thread than
 * adding 87k properties to an object (each key is internalised).
 *
 * If the package's files are not where this module expects them, `taggerModel()` returns
 * undefined and callers use the package's entry point.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** What the tagger reads from a wink model (a subset of the package's model object). */
export interface TaggerModel {
  core(): { trex: unknown; tcat: { hash: unknown }; preserve: unknown };
  pos(): { machines: string[] };
  featureFn: unknown;
  addons: unknown;
}

interface CoreJson {
  packing: { layout: Record<string, number[]>; efList?: string[] };
  features: Record<string, { list: string[]; hash?: Record<string, number>; intrinsicSize?: number; index?: number; maxIndex?: number }> & {
    posClusters: { list: (string | Set<number>)[] };
  };
  pos: { hash: Record<string, number> };
  lexicon: string | Uint32Array;
  xpansions: string | Uint32Array;
  trex: unknown;
  tcat: { hash: unknown };
  preserve: unknown;
}

/** The little-endian 32-bit words of a base64 text (what the package gets through atob). */
function uint32FromBase64(text: string): Uint32Array {
  const bytes = Buffer.from(text, "base64");
  // a copy into an ArrayBuffer of its own: Buffer.from may hand out a slice of a shared pool
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

function loadCore(path: string): CoreJson {
  const model = JSON.parse(readFileSync(path, "utf8")) as CoreJson;
  const { packing, features, pos } = model;
  // read-core-model.js
  model.lexicon = uint32FromBase64(model.lexicon as string);
  model.xpansions = uint32FromBase64(model.xpansions as string);
  for (const f in packing.layout) {
    if (packing.layout[f]![3] === 0) {
      const hash = Object.create(null) as Record<string, number>;
      const list = features[f]!.list;
      for (let k = 0; k < list.length; k++) hash[list[k]!] = k;
      features[f]!.hash = hash;
    }
  }
  const lexemes = features.lexeme!.list;
  const lexemeMap = new Map<string, number>();
  for (let k = 0; k < lexemes.length; k++) lexemeMap.set(lexemes[k]!, k);
  features.lexeme!.hash = new Proxy(lexemeMap as unknown as Record<string, number>, {
    get: (_t, key) => lexemeMap.get(key as string),
    set: (_t, key, value: number) => (lexemeMap.set(key as string, value), true),
  });
  const clusters = features.posClusters.list;
  for (let k = 0; k < clusters.length; k++) clusters[k] = new Set((clusters[k] as string).split("_").map((e) => pos.hash[e] || 0));
  // load-core-model.js
  packing.efList = [];
  for (const f in packing.layout) {
    const layout = packing.layout[f]!;
    if (layout[3] === 0) {
      features[f]!.intrinsicSize = features[f]!.list.length;
      features[f]!.index = features[f]!.list.length;
      features[f]!.maxIndex = layout[1]! >>> layout[2]!;
    }
    if (layout[4] === 1) packing.efList.push(f);
  }
  features.lexeme!.intrinsicSize = lexemes.length;
  features.lexeme!.index = lexemes.length;
  return model;
}

/** The model's dist directory, or undefined when the package is not installed as expected. */
function modelDir(): string | undefined {
  try {
    return join(dirname(require.resolve("wink-eng-lite-web-model/package.json")), "dist");
  } catch {
    return undefined;
  }
}

/** The tagger's parts of the model, or undefined when its files are not laid out as expected. */
export function taggerModel(): TaggerModel | undefined {
  const dir = modelDir();
  if (!dir) return undefined;
  try {
    const corePath = join(dir, "languages", "cur", "models", "eng-core-web-model.json");
    const lemmatize = require(join(dir, "lemmatize.js")) as unknown;
    const featureFn = require(join(dir, "feature.js")) as unknown;
    const pos = require(join(dir, "load-pos-model.js")) as () => { machines: string[] };
    if (typeof lemmatize !== "function" || typeof featureFn !== "function" || typeof pos !== "function") return undefined;
    if (!existsSync(corePath)) return undefined;
    return { core: () => loadCore(corePath), pos, featureFn, addons: { lemmatize } };
  } catch {
    return undefined;
  }
}

/** The package's own model object (its entry point): wink-nlp's readDoc needs all of it. */
export function packageModel(): unknown {
  return require("wink-eng-lite-web-model") as unknown;
}
