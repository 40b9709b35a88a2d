/**
 * Finishing a corpus: every shard must be done, built with the plan's analyzer from the plan's
 * inputs; then corpus.json is written (atomically) with each shard's doc count and first doc id.
 */
import type { ByteRange } from "../corpus/record.js";
import { join } from "node:path";
import { isUserError, UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { readTextManifest } from "../text-index/manifest.js";
import { CORPUS_FILE, CORPUS_FORMAT, CORPUS_FORMAT_VERSION, type CorpusInput, type CorpusManifest, type CorpusShard } from "./corpus-manifest.js";
import { checkImageShards } from "./image-shards.js";
import { inputBytes, readPlan, shardInputs } from "./plan.js";
import { corpusStatus, shardIndexDir, type ShardStatus } from "./shard-state.js";

function describe(s: ShardStatus): string {
  if (s.state === "running") return `shard ${s.shard} is still running (pid ${s.lock!.pid} on ${s.lock!.host})`;
  if (s.state === "failed") return `shard ${s.shard} failed (${s.error!.message}${s.error!.log ? `; log ${s.error!.log}` : ""})`;
  return `shard ${s.shard} is not built`;
}

export function finishCorpus(dir: string): CorpusManifest {
  const plan = readPlan(dir);
  const statuses = corpusStatus(dir, plan.shards.length);
  const notDone = statuses.filter((s) => s.state !== "done");
  if (notDone.length > 0) {
    const shown = notDone.slice(0, 5).map(describe).join("; ");
    throw new UserError(`corpus ${dir} cannot be finished: ${notDone.length} of ${plan.shards.length} shard(s) are not done: ${shown}${notDone.length > 5 ? "; ..." : ""}.`);
  }
  const problems: string[] = [];
  const shards: CorpusShard[] = [];
  const inputs: CorpusInput[] = [];
  let doc = 0;
  let version: { shard: number; formatVersion: number } | undefined;
  for (const s of plan.shards) {
    const k = s.shard;
    let m;
    try {
      m = readTextManifest(shardIndexDir(dir, k));
    } catch (e) {
      if (!isUserError(e)) throw e;
      problems.push(`shard ${k}: ${e.message.replace(/\.$/, "")}`);
      continue;
    }
    // (readTextManifest refuses a version this conceptfreq does not read; the shards must also agree)
    version ??= { shard: k, formatVersion: m.formatVersion };
    if (m.formatVersion !== version.formatVersion) problems.push(`shard ${k} has index format version ${m.formatVersion}, shard ${version.shard} ${version.formatVersion}`);
    if (m.analyzer.name !== plan.analyzer.name || m.analyzer.version !== plan.analyzer.version) {
      problems.push(`shard ${k} was built with analyzer ${m.analyzer.name}@${m.analyzer.version}, the plan says ${plan.analyzer.name}@${plan.analyzer.version}`);
    }
    const planned = shardInputs(plan, k);
    const sameRange = (a: ByteRange | undefined, b: ByteRange | undefined) => a?.start === b?.start && a?.end === b?.end && a?.unit === b?.unit;
    const same = m.inputs.length === planned.length && m.inputs.every((inp, i) => inp.path === planned[i]!.path && inp.bytes === inputBytes(planned[i]!) && sameRange(inp.range, planned[i]!.range));
    if (!same) {
      problems.push(`shard ${k} indexes ${m.inputs.map((i) => i.path).join(", ")}, the plan says ${planned.map((i) => i.path).join(", ")}`);
      continue;
    }
    if (statuses[k]!.done!.docCount !== m.docCount) problems.push(`shard ${k}'s completion marker says ${statuses[k]!.done!.docCount} docs, its index holds ${m.docCount}`);
    shards.push({ shard: k, dir: `shards/${k}`, docCount: m.docCount, firstDoc: doc, firstInput: s.firstInput, inputCount: s.inputCount });
    for (const [i, inp] of m.inputs.entries()) {
      const range = planned[i]!.range ? { range: { ...planned[i]!.range! } } : {};
      inputs.push({ path: inp.path, bytes: planned[i]!.bytes, mtimeMs: planned[i]!.mtimeMs, ...range, rows: inp.rows, firstDoc: doc + inp.firstDoc, shard: k });
    }
    doc += m.docCount;
  }
  const images = problems.length === 0 ? checkImageShards(dir, shards.map((s) => s.docCount), problems) : undefined;
  if (problems.length > 0) throw new UserError(`corpus ${dir} cannot be finished: ${problems.join("; ")}.`);
  if (!Number.isSafeInteger(doc)) throw new UserError(`corpus ${dir} holds more than 2^53 docs; global doc ids would not be exact.`);
  const manifest: CorpusManifest = {
    format: CORPUS_FORMAT,
    formatVersion: CORPUS_FORMAT_VERSION,
    analyzer: { ...plan.analyzer },
    reader: { ...plan.reader },
    docCount: doc,
    shards: shards.map((s, k) => (images?.shards[k] ? { ...s, image: images.shards[k] } : s)),
    inputs,
    ...(images?.images ? { images: images.images } : {}),
  };
  writeFileAtomic(join(dir, CORPUS_FILE), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}
