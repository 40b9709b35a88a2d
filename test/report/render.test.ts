import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { CHART_FONT_FILES, chartFormat, renderVegaLite, svgToPng, writeChart } from "../../src/report/render.js";
import { loadFontMetrics } from "../../src/report/font-metrics.js";
import { UserError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "conceptfreq-render-"));

const barSpec = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  width: 200,
  height: 100,
  data: { values: [{ k: "a", v: 1 }, { k: "b", v: 3 }] },
  mark: "bar",
  encoding: { x: { field: "k", type: "nominal" }, y: { field: "v", type: "quantitative", title: "Zero-shot ρ" } },
};

function pngSize(png: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  assert.equal(String.fromCharCode(...png.subarray(12, 16)), "IHDR");
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

test("renderVegaLite: a vega-lite spec becomes a standalone SVG in the chart font", async () => {
  const svg = await renderVegaLite(barSpec);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>$/);
  assert.match(svg, /font-family="DejaVu Sans, Verdana, Arial, sans-serif"/);
  assert.match(svg, /Zero-shot ρ/);
  assert.equal((svg.match(/<path [^>]*class="?[^"]*"?/g) ?? []).length > 0, true);
  // deterministic: the same spec renders to the same bytes, however many charts came before
  assert.equal(await renderVegaLite(barSpec), svg);
});

test("renderVegaLite accepts a vega spec (by its $schema)", async () => {
  const svg = await renderVegaLite({
    $schema: "https://vega.github.io/schema/vega/v6.json",
    width: 50,
    height: 20,
    marks: [{ type: "text", encode: { enter: { text: { value: "hello" }, x: { value: 5 }, y: { value: 10 } } } }],
  });
  assert.match(svg, /hello/);
});

test("svgToPng: a PNG of the SVG's size times the scale, with visible (dark) text drawn from the bundled font", async () => {
  const text = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><text x="4" y="22" font-size="20" font-family="DejaVu Sans">ρ=0.96</text></svg>`;
  const png = svgToPng(text, { scale: 2 });
  assert.deepEqual(pngSize(png), { width: 240, height: 60 });
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i]! < 100) dark++;
  assert.ok(dark > 300, `text drawn: ${dark} dark pixels`);
  // an unknown family falls back to DejaVu Sans rather than drawing nothing
  const fallback = svgToPng(text.replace("DejaVu Sans", "No Such Font"), { scale: 1 });
  const raw = await sharp(fallback).raw().toBuffer();
  assert.ok(raw.some((b) => b < 100));
  assert.deepEqual(svgToPng(text), svgToPng(text), "byte-identical");
  assert.throws(() => svgToPng(text, { scale: 0 }), UserError);
});

test("writeChart picks SVG or PNG by extension, writes atomically, refuses other extensions", async () => {
  await writeChart(barSpec, join(dir, "c.svg"));
  assert.match(readFileSync(join(dir, "c.svg"), "utf8"), /^<svg/);
  // a directory that does not exist is an error, never made silently
  await assert.rejects(writeChart(barSpec, join(dir, "sub", "c.PNG"), { scale: 1 }), (e: unknown) => e instanceof UserError && /directory .*sub does not exist/.test(e.message));
  assert.ok(!existsSync(join(dir, "sub")));
  mkdirSync(join(dir, "sub"));
  await writeChart(barSpec, join(dir, "sub", "c.PNG"), { scale: 1 });
  const size = pngSize(readFileSync(join(dir, "sub", "c.PNG")));
  assert.ok(size.width > 200 && size.height > 100);
  await assert.rejects(writeChart(barSpec, join(dir, "c.pdf")), (e: unknown) => e instanceof UserError && /must end in \.svg or \.png/.test(e.message));
  assert.ok(!existsSync(join(dir, "c.pdf")));
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp")), []);
  assert.equal(chartFormat("x.Svg"), "svg");
});

test("font metrics: real DejaVu advance widths, additive, proportional to size, bold wider", () => {
  const regular = loadFontMetrics(CHART_FONT_FILES[0]!);
  const bold = loadFontMetrics(CHART_FONT_FILES[1]!);
  const w = regular.width("Average zero-shot performance", 14);
  assert.ok(w > 0.45 * 14 * 29 && w < 0.7 * 14 * 29, `${w}`);
  assert.equal(regular.width("ab", 10), regular.width("a", 10) + regular.width("b", 10));
  assert.ok(Math.abs(regular.width("Hello", 20) - 2 * regular.width("Hello", 10)) < 1e-9);
  assert.ok(bold.width("Hello", 12) > regular.width("Hello", 12));
  assert.ok(regular.width("ρ", 10) > 3, "Greek glyphs are in the font");
  assert.ok(regular.width("iii", 10) < regular.width("MMM", 10));
});
