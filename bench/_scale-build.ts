/**
 * Child process of bench/scale.ts: builds one text index with the public API, so the parent can
 * measure this process's peak RSS alone. Prints one JSON line: { seconds, docs }.
 * Usage: node --import tsx bench/_scale-build.ts INPUT.tsv OUT_DIR WORKERS
 */
import { buildTextIndex } from "../src/index.js";

const [input, out, workers] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const manifest = await buildTextIndex([input!], { out: out!, workers: Number(workers) });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ seconds, docs: manifest.docCount }));
