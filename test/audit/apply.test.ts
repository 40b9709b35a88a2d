import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { applyAudit } from "../../src/audit/apply.js";
import { parseAuditCsv } from "../../src/audit/audit-file.js";
import { readValueMap } from "../../src/analysis/value-map.js";
import { parseCsv } from "../../src/corpus/csv.js";
import { UserError } from "../../src/errors.js";
import { EXPECTED, writePlantedCorpus } from "./planted.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HEADER = "concept,matches,doc,caption,relevant\n";

test("applyAudit: precision k/n with its Wilson interval scales the count; unaudited concepts keep theirs", () => {
  const labels = ["1", "yes", "Y", "true", "TRUE", "1", "1", "1", "0", "no", ""];
  const csv = HEADER + labels.map((l, i) => `crane,500,${i},c${i},${l}`).join("\n") + "\nzebra,3,7,z,\n";
  const rows = parseAuditCsv(csv, "a.csv");
  const r = applyAudit(rows, new Map([["crane", 500], ["zebra", 3], ["kite", 80]]));
  const crane = r.adjusted.get("crane")!;
  // 8 relevant of 10 labelled (the blank row is not counted): Wilson [0.490162, 0.943318]
  assert.deepEqual(crane, { count: 400, low: 245.081, high: 471.659, precision: 0.8, precisionLow: 0.490162, precisionHigh: 0.943318, audited: 10, relevant: 8, raw: 500, interval: "wilson" });
  assert.deepEqual(r.adjusted.get("kite"), { count: 80, low: 80, high: 80, precision: null, precisionLow: null, precisionHigh: null, audited: false, relevant: 0, raw: 80 });
  assert.equal(r.adjusted.get("zebra")!.audited, false);
  assert.deepEqual(r.unlabelled, ["zebra"]);
  assert.equal(r.labelledRows, 10);
  assert.deepEqual([...r.adjusted.keys()], ["crane", "zebra", "kite"], "the counts' order");
  const j = applyAudit(rows, new Map([["crane", 500]]), { interval: "jeffreys" }).adjusted.get("crane")!;
  assert.equal(j.precisionLow, 0.497226);
  assert.equal(j.precisionHigh, 0.955941);
  assert.equal(j.interval, "jeffreys");
});

test("applyAudit: counts with their own interval (a sampled index's estimates) keep it; audited ones combine bound by bound", () => {
  const labels = ["1", "1", "1", "1", "1", "1", "1", "1", "0", "0"];
  const rows = parseAuditCsv(HEADER + labels.map((l, i) => `crane,50,${i},c${i},${l}`).join("\n") + "\n", "a.csv");
  const intervals = new Map([["crane", { low: 420, high: 610 }], ["kite", { low: 40, high: 130 }]]);
  const r = applyAudit(rows, new Map([["crane", 500], ["kite", 80]]), { countIntervals: intervals });
  const crane = r.adjusted.get("crane")!;
  // precision 8/10, Wilson [0.490162, 0.943318]: low 420 x 0.490162, high 610 x 0.943318
  assert.deepEqual([crane.count, crane.low, crane.high], [400, 205.868, 575.424]);
  assert.deepEqual([r.adjusted.get("kite")!.low, r.adjusted.get("kite")!.high], [40, 130]);
});

test("applyAudit: when every match is labelled the precision is exact (census); other counts are noted", () => {
  const rows = parseAuditCsv(HEADER + "zebra,3,7,z,1\nzebra,3,50,z,0\nzebra,3,99,z,1\nmoth,9,1,m,1\n", "a.csv");
  const r = applyAudit(rows, new Map([["zebra", 3]]));
  assert.deepEqual(r.adjusted.get("zebra"), { count: 2, low: 2, high: 2, precision: 0.666667, precisionLow: 0.666667, precisionHigh: 0.666667, audited: 3, relevant: 2, raw: 3, interval: "census" });
  assert.deepEqual(r.notInCounts, ["moth"]);
  const other = applyAudit(rows, new Map([["zebra", 30]]));
  assert.equal(other.adjusted.get("zebra")!.interval, "wilson");
  assert.deepEqual(other.countMismatches, [{ concept: "zebra", count: 30, matches: 3 }]);
});

test("parseAuditCsv: malformed labels are counted and reported in one sentence; other damage named by row", () => {
  const bad = (csv: string, pattern: RegExp) =>
    assert.throws(() => parseAuditCsv(csv, "a.csv"), (e: unknown) => e instanceof UserError && pattern.test(e.message) && !e.message.includes("\n"));
  bad(HEADER + "crane,5,1,x,maybe\ncrane,5,2,x,1\ncrane,5,3,x,2\n", /^a\.csv: 2 row\(s\) have a "relevant" value other than .* \(first: row 2, "maybe"\)\.$/);
  bad("concept,doc,caption\ncrane,1,x\n", /has no "relevant" column/);
  bad("", /is empty/);
  bad(HEADER + "crane,5,-1,x,1\n", /row 2: the doc id "-1" is not a non-negative integer/);
  bad(HEADER + "crane,5,1,x,1\ncrane,5,1,x,0\n", /row 3: doc 1 of "crane" appears twice/);
  bad(HEADER + "crane,5,1,x\n", /row 2 has 4 fields, not 5/);
  bad(HEADER + "crane,5,1,x,1\ncrane,6,2,x,1\n", /"crane" has matches 6 here but 5 on an earlier row/);
  // columns in another order, no matches column: fine
  assert.deepEqual(parseAuditCsv("relevant,doc,concept\nn,4,crane\n", "b.csv"), [{ concept: "crane", matches: undefined, doc: 4, caption: "", relevant: false }]);
});

test("readValueMap reads adjusted counts ({concept: {count, ...}}) as a plain frequency map", () => {
  const { dir } = writePlantedCorpus("cf-audit-vm-");
  const p = join(dir, "adjusted.json");
  writeFileSync(p, JSON.stringify({ crane: { count: 400.5, low: 1, high: 2 }, kite: { count: 80, audited: false } }));
  assert.deepEqual([...readValueMap(p)], [["crane", 400.5], ["kite", 80]]);
  writeFileSync(p, JSON.stringify({ crane: { count: "x" } }));
  assert.throws(() => readValueMap(p), /the count of "crane" is the string "x", not a finite number/);
});

test("CLI: audit sample -> label -> audit apply end to end; fit reads the adjusted counts; bad input exits 2 and writes nothing", () => {
  const { dir, tsv } = writePlantedCorpus("cf-audit-cli-");
  const idx = join(dir, "idx");
  assert.equal(run("index", "build", tsv, "--out", idx, "--workers", "1").code, 0);
  const concepts = join(dir, "concepts.txt");
  writeFileSync(concepts, "crane\nmouse\nzebra\nunicorn\n");
  const audit = join(dir, "audit.csv");
  const s = run("audit", "sample", "--index", idx, "--concepts", concepts, "--per-concept", "10", "--seed", "0", "--out", audit);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stderr, /^sampled 23 captions of 3 concept\(s\) \(up to 10 each, seed 0\); 1 concept\(s\) have fewer matches, all taken; 1 concept\(s\) match nothing: unicorn\n$/);
  const first = readFileSync(audit, "utf8");
  const again = join(dir, "again.csv");
  assert.equal(run("audit", "sample", "--index", idx, "--concepts", concepts, "--per-concept", "10", "--seed", "0", "--out", again).code, 0);
  assert.equal(readFileSync(again, "utf8"), first, "same seed, same bytes");
  // the sample again refuses to replace a labelled file without --force
  const refused = run("audit", "sample", "--index", idx, "--concepts", concepts, "--out", audit);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /already exists \(it may hold labels\); use --force/);

  // label: a crane caption with "harbour" (even doc) is the machine, relevant; the bird is not. Every mouse is relevant.
  const records = parseCsv(first);
  assert.deepEqual(records[0], ["concept", "matches", "doc", "caption", "relevant"]);
  for (const r of records.slice(1)) {
    assert.equal(r[4], "");
    assert.ok(EXPECTED[r[0]!]!.includes(Number(r[2])));
    r[4] = r[0] === "crane" ? (r[3]!.includes("harbour") ? "yes" : "no") : r[0] === "mouse" ? "1" : "";
  }
  const craneRows = records.filter((r) => r[0] === "crane");
  const k = craneRows.filter((r) => r[4] === "yes").length;
  const labelled = join(dir, "labelled.csv");
  writeFileSync(labelled, records.map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(",")).join("\n") + "\n");

  const counts = join(dir, "counts.json");
  assert.equal(run("count", "--index", idx, "--concepts", concepts, "--out", counts).code, 0);
  const adjusted = join(dir, "adjusted.json");
  const a = run("audit", "apply", "--audit", labelled, "--counts", counts, "--out", adjusted, "--index", idx);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /^audited 2 of 4 concept\(s\) from 20 labelled row\(s\) \(wilson 95% intervals\); the others keep their count\.\nnote: 1 concept\(s\) were sampled but have no labelled row: zebra\.\n$/);
  const out = JSON.parse(readFileSync(adjusted, "utf8"));
  assert.deepEqual(Object.keys(out), ["crane", "mouse", "zebra", "unicorn"]);
  assert.equal(out.crane.raw, 40);
  assert.equal(out.crane.audited, 10);
  assert.equal(out.crane.relevant, k);
  assert.equal(out.crane.precision, k / 10);
  assert.equal(out.crane.count, Math.round(40 * (k / 10) * 1000) / 1000);
  assert.ok(out.crane.low < out.crane.count && out.crane.count < out.crane.high);
  assert.deepEqual([out.mouse.precision, out.mouse.precisionHigh, out.mouse.high], [1, 1, 24]);
  assert.deepEqual(out.zebra, { count: 3, low: 3, high: 3, precision: null, precisionLow: null, precisionHigh: null, audited: false, relevant: 0, raw: 3 });

  // fit reads the adjusted counts as frequencies
  const perf = join(dir, "perf.json");
  writeFileSync(perf, JSON.stringify({ crane: 40, mouse: 60, zebra: 20, unicorn: 5 }));
  const f = run("fit", "--freq", adjusted, "--perf", perf, "--bootstrap", "0", "--binning", "none");
  assert.equal(f.code, 0, f.stderr);

  // bad input: one sentence, exit 2, no output written
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, HEADER + "crane,40,0,x,maybe\ncrane,40,3,x,1\n");
  const none = join(dir, "none.json");
  const b = run("audit", "apply", "--audit", bad, "--counts", counts, "--out", none);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /^conceptfreq: .*bad\.csv: 1 row\(s\) have a "relevant" value other than .*"maybe"\)\.\n$/);
  assert.ok(!existsSync(none));
  writeFileSync(bad, HEADER + "zebra,3,8,x,1\n");
  const c = run("audit", "apply", "--audit", bad, "--counts", counts, "--out", none, "--index", idx);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /^conceptfreq: .*bad\.csv: 1 audit row\(s\) do not belong to the index: doc 8 does not match "zebra" in the index\.\n$/);
  assert.ok(!existsSync(none));
  const d = run("audit", "apply", "--audit", join(dir, "missing.csv"), "--counts", counts);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /^conceptfreq: cannot read the audit file .*missing\.csv: no such file\.\n$/);
  const e = run("audit", "apply", "--audit", labelled, "--counts", counts, "--interval", "wald");
  assert.equal(e.code, 2);
  assert.match(e.stderr, /expected wilson or jeffreys/);
  const g = run("audit", "sample", "--index", idx, "--concepts", concepts, "--per-concept", "0");
  assert.equal(g.code, 2);
});
