import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { existsSync, readFileSync, statSync } from "node:fs";
import { INTERVAL_METHODS, type IntervalMethod } from "../analysis/binomial-interval.js";
import { readCountIntervals, readValueMap } from "../analysis/value-map.js";
import { applyAudit, formatAdjustedCounts } from "../audit/apply.js";
import { AUDIT_COLUMNS, formatAuditCsv, readAuditFile } from "../audit/audit-file.js";
import { auditCorpusProblem, auditIndexProblem, sampleAudit, sampleAuditCorpus } from "../audit/sample.js";
import { IndexSource, openTextSource, TextCorpus } from "../corpus-set/text-corpus.js";
import { readConceptList } from "../concepts/concept-list.js";
import { UserError } from "../errors.js";
import { writeOutput } from "../io/atomic-write.js";
import type { MatchMode } from "../text-index/count.js";
import { action, nonNegativeInt, positiveInt } from "./action.js";
import { parseMatch } from "./count.js";

function parseInterval(v: string): IntervalMethod {
  if (!INTERVAL_METHODS.includes(v as IntervalMethod)) throw new InvalidArgumentError("expected wilson or jeffreys.");
  return v as IntervalMethod;
}

function parseSeed(v: string): number {
  const n = nonNegativeInt(v);
  if (n > 0xffffffff) throw new InvalidArgumentError("expected an integer from 0 to 4294967295.");
  return n;
}

/** An existing audit file may hold a person's labels: replace it only with --force, and only if conceptfreq wrote it. */
function checkAuditOut(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  if (!force) throw new UserError(`${out} already exists (it may hold labels); use --force to replace it.`);
  if (statSync(out).isDirectory()) throw new UserError(`${out} is a directory, not an audit file.`);
  const head = readFileSync(out, "utf8").slice(0, 200);
  if (!head.replace(/^\uFEFF/, "").startsWith(AUDIT_COLUMNS.join(",") + "\n")) {
    throw new UserError(`${out} is not an audit file conceptfreq wrote; --force replaces only conceptfreq's own outputs.`);
  }
}

interface SampleFlags {
  index: string;
  concepts: string;
  perConcept: number;
  seed: number;
  match: MatchMode;
  out?: string;
  force: boolean;
}

interface ApplyFlags {
  audit: string;
  counts: string;
  out?: string;
  interval: IntervalMethod;
  index?: string;
  match: MatchMode;
}

export function registerAudit(program: Command): void {
  const audit = program
    .command("audit")
    .description("precision audit: sample each concept's matching captions, label them, scale the counts by the precision (with a 95% interval)")
    .addHelpText("after", "\nSee docs/audit.md. Label the sample in the dashboard (conceptfreq serve --audit audit.csv) or a spreadsheet.");

  audit
    .command("sample")
    .description("a seeded uniform sample of each concept's matching captions, as a CSV with an empty relevant column to fill in")
    .requiredOption("--index <dir>", "text index directory, or a corpus of shards (corpus.json)")
    .requiredOption("--concepts <file|builtin:NAME>", "concept list (as for count)")
    .option("--per-concept <n>", "captions to sample per concept (all of them when it has fewer)", positiveInt, 20)
    .option("--seed <n>", "random seed (0 to 4294967295); the same seed gives the same sample", parseSeed, 0)
    .option("--match <rule>", "paper or phrase (see count)", parseMatch, "paper")
    .option("--out <file>", "write the CSV here instead of stdout (columns: concept,matches,doc,caption,relevant)")
    .option("--force", "replace an existing --out audit file (its labels are lost)", false)
    .addHelpText("after", "\nExample:\n  conceptfreq audit sample --index cc3m.idx --concepts builtin:cifar10 --per-concept 20 --seed 0 --out audit.csv")
    .action(
      action((o: SampleFlags) => {
        if (o.out !== undefined && o.out !== "-") checkAuditOut(o.out, o.force);
        const list = readConceptList(o.concepts);
        if (list.duplicates > 0) process.stderr.write(`note: ${list.duplicates} duplicate concept name(s) in ${o.concepts} sampled once.\n`);
        const source = openTextSource(o.index);
        try {
          const sampleOpts = { perConcept: o.perConcept, seed: o.seed, match: o.match };
          const s = source instanceof TextCorpus ? sampleAuditCorpus(source, list.concepts, sampleOpts) : sampleAudit((source as IndexSource).index, list.concepts, sampleOpts);
          writeOutput(o.out, formatAuditCsv(s.rows));
          const none = s.concepts.filter((c) => c.matches === 0).map((c) => c.concept);
          const short = s.concepts.filter((c) => c.matches > 0 && c.matches < o.perConcept).length;
          process.stderr.write(
            `sampled ${s.rows.length} captions of ${s.concepts.length - none.length} concept(s) (up to ${o.perConcept} each, seed ${o.seed})` +
              (short > 0 ? `; ${short} concept(s) have fewer matches, all taken` : "") +
              (none.length > 0 ? `; ${none.length} concept(s) match nothing: ${none.slice(0, 5).join(", ")}${none.length > 5 ? ", ..." : ""}` : "") +
              "\n",
          );
        } finally {
          source.close();
        }
      }),
    );

  audit
    .command("apply")
    .description("per concept: precision of its matches with a 95% interval, and the count scaled by it (JSON {concept: {count, low, high, precision, ...}})")
    .requiredOption("--audit <file>", "the labelled audit CSV (relevant: 1/0, yes/no, y/n, true/false; blank = not labelled)")
    .requiredOption("--counts <file>", "counts to adjust: count's JSON ({concept: n}), a concept,count CSV, or path.json#/pointer")
    .option("--out <file>", "write the adjusted counts here instead of stdout")
    .option("--interval <method>", "wilson (score interval) or jeffreys (Beta(k+1/2, n-k+1/2) quantiles)", parseInterval, "wilson")
    .option("--index <dir>", "also check that every audited doc is in this index (or corpus) and matches its concept")
    .option("--match <rule>", "the rule the sample was drawn under, for --index (paper or phrase)", parseMatch, "paper")
    .addHelpText(
      "after",
      "\nConcepts of the counts without labelled rows keep their count (audited: false).\n" +
        "fit reads the result as frequencies directly: conceptfreq fit --freq adjusted.json ...\n" +
        "\nExample:\n  conceptfreq audit apply --audit audit.csv --counts counts.json --out adjusted.json",
    )
    .action(
      action((o: ApplyFlags) => {
        const rows = readAuditFile(o.audit);
        const counts = readValueMap(o.counts);
        if (o.index !== undefined) {
          const source = openTextSource(o.index);
          try {
            const problem = source instanceof TextCorpus ? auditCorpusProblem(source, rows, o.match) : auditIndexProblem((source as IndexSource).index, rows, o.match);
            if (problem !== undefined) throw new UserError(`${o.audit}: ${problem}.`);
          } finally {
            source.close();
          }
        }
        const r = applyAudit(rows, counts, { interval: o.interval, countIntervals: readCountIntervals(o.counts) });
        writeOutput(o.out, formatAdjustedCounts(r.adjusted));
        const audited = [...r.adjusted.values()].filter((a) => a.audited !== false).length;
        process.stderr.write(`audited ${audited} of ${r.adjusted.size} concept(s) from ${r.labelledRows} labelled row(s) (${o.interval} 95% intervals); the others keep their count.\n`);
        const list = (xs: string[]) => xs.slice(0, 5).join(", ") + (xs.length > 5 ? ", ..." : "");
        if (r.unlabelled.length > 0) process.stderr.write(`note: ${r.unlabelled.length} concept(s) were sampled but have no labelled row: ${list(r.unlabelled)}.\n`);
        if (r.notInCounts.length > 0) process.stderr.write(`note: ${r.notInCounts.length} audited concept(s) are not in ${o.counts}, ignored: ${list(r.notInCounts)}.\n`);
        if (r.countMismatches.length > 0) {
          const m = r.countMismatches[0]!;
          process.stderr.write(
            `note: ${r.countMismatches.length} concept(s) have a count other than the matches the sample was drawn from (e.g. "${m.concept}": ${m.count} vs ${m.matches}); the precision is applied as measured.\n`,
          );
        }
      }),
    );
}
