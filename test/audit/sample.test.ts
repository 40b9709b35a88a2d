import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { buildTextIndex } from "../../src/text-index/build.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { floydSample, sampleAudit, auditIndexProblem } from "../../src/audit/sample.js";
import { formatAuditCsv, parseAuditCsv } from "../../src/audit/audit-file.js";
import { seededRandom } from "../../src/longtail/seeded-random.js";
import { EXPECTED, plantedCaption, writePlantedCorpus } from "./planted.js";

let index: TextIndex;
const CONCEPTS = ["crane", "mouse", "zebra", "unicorn"];

test.before(async () => {
  const { dir, tsv } = writePlantedCorpus("cf-audit-sample-");
  await buildTextIndex([tsv], { out: join(dir, "idx"), workers: 1 });
  index = TextIndex.open(join(dir, "idx"));
});
test.after(() => index.close());

test("the planted index matches what the corpus was built to match", () => {
  for (const c of CONCEPTS) {
    const s = sampleAudit(index, [c], { perConcept: 1000, seed: 0 });
    assert.deepEqual(s.rows.map((r) => r.doc), EXPECTED[c], c);
  }
});

test("audit sample: min(k, matches) distinct matching docs per concept, ascending, with their captions and the concept's match count", () => {
  const s = sampleAudit(index, CONCEPTS, { perConcept: 5, seed: 3 });
  assert.deepEqual(s.concepts, [
    { concept: "crane", matches: 40, sampled: 5 },
    { concept: "mouse", matches: 24, sampled: 5 },
    { concept: "zebra", matches: 3, sampled: 3 },
    { concept: "unicorn", matches: 0, sampled: 0 },
  ]);
  for (const c of CONCEPTS) {
    const docs = s.rows.filter((r) => r.concept === c).map((r) => r.doc);
    assert.deepEqual(docs, [...new Set(docs)].sort((a, b) => a - b), `${c}: distinct, ascending`);
    for (const d of docs) assert.ok(EXPECTED[c]!.includes(d), `${c}: doc ${d} matches`);
  }
  for (const r of s.rows) {
    assert.equal(r.caption, plantedCaption(r.doc));
    assert.equal(r.matches, EXPECTED[r.concept]!.length);
  }
});

test("audit sample is deterministic for a seed, differs across seeds, and a concept's sample does not depend on the others in the list", () => {
  const a = sampleAudit(index, CONCEPTS, { perConcept: 6, seed: 42 });
  const b = sampleAudit(index, CONCEPTS, { perConcept: 6, seed: 42 });
  assert.deepEqual(a, b);
  assert.equal(formatAuditCsv(a.rows), formatAuditCsv(b.rows));
  const other = sampleAudit(index, CONCEPTS, { perConcept: 6, seed: 43 });
  assert.notDeepEqual(other.rows.map((r) => r.doc), a.rows.map((r) => r.doc));
  const alone = sampleAudit(index, ["mouse"], { perConcept: 6, seed: 42 });
  assert.deepEqual(alone.rows, a.rows.filter((r) => r.concept === "mouse"));
});

test("audit sample is uniform: over 3000 seeds every crane doc is drawn about equally often (chi-square, 39 df)", () => {
  const docs = EXPECTED.crane!;
  const hits = new Map<number, number>(docs.map((d) => [d, 0]));
  const seeds = 3000;
  const k = 5;
  for (let seed = 0; seed < seeds; seed++) {
    for (const r of sampleAudit(index, ["crane"], { perConcept: k, seed }).rows) hits.set(r.doc, hits.get(r.doc)! + 1);
  }
  const expected = (seeds * k) / docs.length;
  let chi2 = 0;
  for (const h of hits.values()) chi2 += (h - expected) ** 2 / expected;
  // the 0.999 quantile of chi-square with 39 degrees of freedom is 72.1; a biased sampler (e.g. the
  // first k docs, or a skew towards low ids) gives thousands
  assert.ok(chi2 < 72.1, `chi-square ${chi2.toFixed(1)}`);
  assert.ok(chi2 > 10, `chi-square ${chi2.toFixed(1)} is suspiciously small for random draws`);
});

test("Floyd's algorithm draws every subset equally often (all 20 3-subsets of 6, 20000 draws, chi-square 19 df)", () => {
  const counts = new Map<string, number>();
  const draws = 20000;
  const random = seededRandom(7, "floyd");
  for (let i = 0; i < draws; i++) {
    const s = floydSample(6, 3, random);
    assert.equal(new Set(s).size, 3);
    counts.set(s.join(","), (counts.get(s.join(",")) ?? 0) + 1);
  }
  assert.equal(counts.size, 20);
  const expected = draws / 20;
  let chi2 = 0;
  for (const c of counts.values()) chi2 += (c - expected) ** 2 / expected;
  assert.ok(chi2 < 43.8, `chi-square ${chi2.toFixed(1)} (0.999 quantile, 19 df: 43.8)`);
});

test("the audit CSV round-trips captions with commas, quotes and line breaks", () => {
  const rows = [
    { concept: "sea lion|sealion", matches: 3, doc: 5, caption: 'a "sea lion", resting\non the rocks', relevant: true },
    { concept: "crane", matches: 40, doc: 0, caption: " leading space", relevant: undefined },
    { concept: "crane", matches: 40, doc: 3, caption: "x", relevant: false },
  ];
  const csv = formatAuditCsv(rows);
  assert.ok(csv.startsWith("concept,matches,doc,caption,relevant\n"));
  assert.deepEqual(parseAuditCsv(csv, "t.csv"), rows);
});

test("auditIndexProblem names docs outside the index or not matching their concept", () => {
  assert.equal(auditIndexProblem(index, [{ concept: "zebra", doc: 7 }, { concept: "crane", doc: 0 }]), undefined);
  assert.match(auditIndexProblem(index, [{ concept: "zebra", doc: 8 }])!, /^1 audit row\(s\) do not belong to the index: doc 8 does not match "zebra"/);
  assert.match(auditIndexProblem(index, [{ concept: "zebra", doc: 7 }, { concept: "zebra", doc: 5000 }])!, /doc 5000 of "zebra" is not in the index \(it has 120 docs\)/);
});
