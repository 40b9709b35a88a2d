import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildLongTailReport,
  formatLongTailTable,
  longTailChartSpec,
  longTailReportCsv,
  modelNameOf,
  pairReportInputs,
  readTop1,
} from "../../src/longtail/report.js";
import { UserError } from "../../src/errors.js";

let dir = "";
let wag = "";
let imagenet = "";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "conceptfreq-ltreport-"));
  wag = join(dir, "wag.json");
  imagenet = join(dir, "imagenet.json");
  writeFileSync(
    wag,
    JSON.stringify({
      RN50: { full: 25.5, top5: 50, classwise: { a: 10 } },
      "ViT-B/32": { full: 31.25, top5: 60, classwise: {} },
    }),
  );
  writeFileSync(imagenet, JSON.stringify({ RN50: { full: 59.8 }, "ViT-B/32": { full: 63.35 }, bare: 12 }));
  writeFileSync(join(dir, "single.json"), JSON.stringify({ full: 40, top5: 70, classwise: {} }));
});

test("top-1 comes from `full`, through a JSON pointer; a bare number works too", () => {
  assert.equal(readTop1(`${wag}#/RN50`), 25.5);
  assert.equal(readTop1(`${wag}#/ViT-B~132`), 31.25);
  assert.equal(readTop1(`${wag}#/RN50/full`), 25.5);
  assert.equal(readTop1(`${imagenet}#/bare`), 12);
  assert.equal(readTop1(join(dir, "single.json")), 40);
  assert.throws(() => readTop1(wag), /no numeric "full".*#\/NAME/);
  assert.throws(() => readTop1(`${wag}#/RN101`), UserError);
  assert.throws(() => readTop1(join(dir, "missing.json")), /no such file/);
});

test("model names default to the pointer's last token or the file name", () => {
  assert.equal(modelNameOf(`${wag}#/ViT-B~132`), "ViT-B/32");
  assert.equal(modelNameOf(`${wag}#/RN50/full`), "RN50");
  assert.equal(modelNameOf(join(dir, "single.json")), "single");
});

test("rows, gap, table, CSV", () => {
  const rows = buildLongTailReport([
    { results: `${wag}#/RN50`, baseline: `${imagenet}#/RN50` },
    { model: "ViT-B/32 (openai)", results: `${wag}#/ViT-B~132`, baseline: `${imagenet}#/ViT-B~132` },
  ]);
  assert.deepEqual(rows.map((r) => r.model), ["RN50", "ViT-B/32 (openai)"]);
  assert.ok(Math.abs(rows[0]!.gap! - 34.3) < 1e-9);
  const table = formatLongTailTable(rows, "ImageNet");
  assert.equal(
    table,
    [
      "model              long-tail top-1  ImageNet top-1  gap (pp)",
      "-----------------  ---------------  --------------  --------",
      "RN50                         25.50           59.80     34.30",
      "ViT-B/32 (openai)            31.25           63.35     32.10",
      "mean                         28.38           61.58     33.20",
      "",
    ].join("\n"),
  );
  assert.equal(longTailReportCsv(rows).split("\n")[0], "model,longtail_top1,baseline_top1,gap");
  assert.throws(
    () => buildLongTailReport([{ results: `${wag}#/RN50` }, { results: `${imagenet}#/RN50` }]),
    /two results are named "RN50"/,
  );
});

test("chart: scatter with the diagonal when every model has a baseline, bars otherwise", () => {
  const both = buildLongTailReport([{ results: `${wag}#/RN50`, baseline: `${imagenet}#/RN50` }]);
  const scatter = longTailChartSpec(both, { baselineName: "ImageNet" }) as { layer: { mark: { type: string } }[] };
  assert.deepEqual(scatter.layer.map((l) => l.mark.type), ["line", "point", "text"]);
  const only = buildLongTailReport([{ results: `${wag}#/RN50` }]);
  const bars = longTailChartSpec(only) as { mark: string; data: { values: unknown[] } };
  assert.equal(bars.mark, "bar");
  assert.equal(bars.data.values.length, 1);
  const table = formatLongTailTable(only);
  assert.match(table, /RN50\s+25\.50\n$/);
});

test("repeatable flags pair up in order; counts must match", () => {
  assert.deepEqual(pairReportInputs(["a.json", "b.json"], ["x.json", "y.json"], []), [
    { results: "a.json", baseline: "x.json" },
    { results: "b.json", baseline: "y.json" },
  ]);
  assert.deepEqual(pairReportInputs(["a.json"], [], ["M"]), [{ results: "a.json", model: "M" }]);
  assert.throws(() => pairReportInputs(["a.json", "b.json"], [], ["M"]), /one --model per --results/);
  assert.throws(() => pairReportInputs(["a.json", "b.json"], ["x.json"], []), /one --baseline per --results/);
  assert.throws(() => pairReportInputs([], [], []), UserError);
});
