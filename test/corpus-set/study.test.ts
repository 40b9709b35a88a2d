import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addShardImages, buildShard, countStudyCorpus, finishCorpus, planCorpus, readStudyManifest, runStudy } from "conceptfreq";
import { buildTextIndex } from "../../src/text-index/build.js";
import { importImageTags } from "../../src/image/tag-import.js";
import { writeCaptionFiles } from "./fixtures.js";

const root = mkdtempSync(join(tmpdir(), "cf-corpus-study-"));
const CONCEPTS = ["dog", "cat", "horse", "sea lion", "t-shirt", "beach", "unicorn"];
const vocabulary = join(root, "vocabulary.txt");
writeFileSync(vocabulary, CONCEPTS.filter((c) => c !== "unicorn").join("\n") + "\n");

function tagsOf(g: number): string[] {
  return CONCEPTS.filter((_, i) => i < 6 && (g * 7 + i * 3) % 5 < 2);
}
function writeTags(path: string, first: number, n: number): void {
  writeFileSync(path, Array.from({ length: n }, (_, row) => JSON.stringify({ row, tags: tagsOf(first + row) })).join("\n") + "\n");
}

test("study counts over a corpus of shards (every mode, with examples) equal those over one index + one image index", async () => {
  const inputs = writeCaptionFiles(join(root, "in"), 5, 30);
  const single = join(root, "single.idx");
  const m = await buildTextIndex(inputs, { out: single, workers: 1 });
  writeTags(join(root, "all.jsonl"), 0, m.docCount);
  await importImageTags({ tags: [join(root, "all.jsonl")], threshold: 0.5, concepts: vocabulary, textIndex: single, out: join(root, "single.img") });

  const dir = join(root, "c");
  planCorpus(inputs, { shards: 3, out: dir });
  let first = 0;
  for (const k of [0, 1, 2]) {
    const r = await buildShard(dir, k, { workers: 1 });
    writeTags(join(root, `t${k}.jsonl`), first, r.docCount);
    await importImageTags({ tags: [join(root, `t${k}.jsonl`)], threshold: 0.5, concepts: vocabulary, textIndex: join(dir, "shards", String(k)), out: join(dir, "images", String(k)) });
    addShardImages(dir, k, join(dir, "images", String(k)));
    first += r.docCount;
  }
  finishCorpus(dir);

  const modes = ["text", "image", "integrated"] as const;
  for (const match of ["paper", "phrase"] as const) {
    const one = countStudyCorpus({ name: "x", index: single, match, examples: 3, image: { index: join(root, "single.img") }, counts: {} }, CONCEPTS, modes, { cacheDir: join(root, `cache-1-${match}`) });
    const study = { name: "x", index: dir, match, examples: 3, image: { index: dir }, counts: {} };
    const shards = countStudyCorpus(study, CONCEPTS, modes, { cacheDir: join(root, `cache-c-${match}`) });
    assert.equal(shards.length, 3);
    for (const [i, r] of shards.entries()) {
      const o = one[i]!;
      assert.equal(r.mode, o.mode);
      assert.equal(r.docCount, o.docCount);
      assert.deepEqual([...r.counts], [...o.counts], `${match} ${r.mode}`);
      assert.deepEqual(r.missing, o.missing);
      assert.deepEqual([...r.examples], [...o.examples]);
      assert.equal(r.computed, CONCEPTS.length);
    }
    assert.ok(shards[0]!.counts.get("dog")! > 0 && shards[2]!.counts.get("dog")! > 0);
    assert.deepEqual(shards[1]!.missing, ["unicorn"]);
    // examples from later shards carry global ids
    const dogExamples = countStudyCorpus({ ...study, examples: 1000 }, ["dog"], ["text"], { cacheDir: join(root, `cache-e-${match}`) })[0]!.examples.get("dog")!;
    assert.ok(dogExamples.some((e) => e.doc >= first - 20), JSON.stringify(dogExamples.slice(-2)));
    // a re-run is served from the cache
    assert.ok(countStudyCorpus(study, CONCEPTS, modes, { cacheDir: join(root, `cache-c-${match}`) }).every((r) => r.computed === 0));
  }
  const wrongImage = { name: "x", index: dir, match: "paper" as const, examples: 0, image: { index: join(root, "single.img") }, counts: {} };
  assert.throws(() => countStudyCorpus(wrongImage, CONCEPTS, ["image"], { cacheDir: join(root, "cache-w") }), /is a corpus of shards; its image index is the corpus itself/);
  assert.ok(readFileSync(join(dir, "corpus.json"), "utf8").includes('"images"'));
});

test("a study manifest naming a corpus of shards (and the corpus as its image index) runs: its checks take the corpus, not only a text index", async () => {
  const inputs = writeCaptionFiles(join(root, "in-run"), 4, 25);
  const dir = join(root, "c-run");
  planCorpus(inputs, { shards: 2, out: dir });
  let first = 0;
  for (const k of [0, 1]) {
    const r = await buildShard(dir, k, { workers: 1 });
    writeTags(join(root, `run${k}.jsonl`), first, r.docCount);
    await importImageTags({ tags: [join(root, `run${k}.jsonl`)], threshold: 0.5, concepts: vocabulary, textIndex: join(dir, "shards", String(k)), out: join(dir, "images", String(k)) });
    addShardImages(dir, k, join(dir, "images", String(k)));
    first += r.docCount;
  }
  finishCorpus(dir);
  const single = join(root, "single-run.idx");
  await buildTextIndex(inputs, { out: single, workers: 1 });
  const concepts = join(root, "run-concepts.txt");
  writeFileSync(concepts, "dog\ncat\nhorse\nbeach\n");
  writeFileSync(join(root, "run-results.json"), JSON.stringify({ m: { classwise: { dog: 50, cat: 40, horse: 30, beach: 20 } } }));
  const manifest = (corpora: unknown[]) => {
    const path = join(root, "run-study.json");
    writeFileSync(path, JSON.stringify({ name: "s", corpora, datasets: [{ name: "d", concepts: "run-concepts.txt", results: [{ model: "m", file: "run-results.json", pointer: "/m/classwise" }] }], analyses: { plots: false, report: false } }));
    return readStudyManifest(path);
  };
  const summary = await runStudy(manifest([{ name: "shards", index: "c-run", image: { index: "c-run" } }, { name: "one", index: "single-run.idx" }]), { out: join(root, "run-out") });
  assert.ok(summary);
  assert.equal(readFileSync(join(root, "run-out", "counts", "shards", "text.json"), "utf8"), readFileSync(join(root, "run-out", "counts", "one", "text.json"), "utf8"));
  assert.ok(JSON.parse(readFileSync(join(root, "run-out", "counts", "shards", "integrated.json"), "utf8")).dog >= 0);
  // another image index beside a corpus of shards, and a corpus planned but not finished: one sentence each, before any work
  await assert.rejects(runStudy(manifest([{ name: "shards", index: "c-run", image: { index: "single-run.idx" } }]), { out: join(root, "run-out2") }), /is a corpus of shards; its image index is the corpus itself/);
  planCorpus(inputs, { shards: 2, out: join(root, "c-unfinished") });
  await assert.rejects(runStudy(manifest([{ name: "u", index: "c-unfinished" }]), { out: join(root, "run-out3") }), /is not finished \(no corpus\.json\)/);
});
