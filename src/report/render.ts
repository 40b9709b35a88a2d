/**
 * Charts: vega-lite (or vega) specs rendered to SVG in Node, and SVG to PNG through resvg.
 *
 * Text is laid out and drawn with DejaVu Sans from the npm package dejavu-fonts-ttf, so a PNG has the
 * same legible text on every machine, with or without system fonts (resvg is given only these fonts,
 * which also makes PNGs byte-identical across machines). Importing this module makes vega measure text
 * with the font's real advance widths (vega's textMetrics.width, the hook vl-convert uses too).
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import * as vl from "vega-lite";
import { loadFontMetrics, type FontMetrics } from "./font-metrics.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { UserError } from "../errors.js";
import { chartFormat } from "./chart-format.js";

export { chartFormat };

/** The font family every chart uses (with fallbacks for SVGs opened elsewhere). */
export const CHART_FONT = "DejaVu Sans";
const CHART_FONT_STACK = `${CHART_FONT}, Verdana, Arial, sans-serif`;

const require = createRequire(import.meta.url);
const fontDir = join(dirname(require.resolve("dejavu-fonts-ttf/package.json")), "ttf");

/** The .ttf files handed to resvg. */
export const CHART_FONT_FILES: readonly string[] = [
  "DejaVuSans.ttf",
  "DejaVuSans-Bold.ttf",
  "DejaVuSans-Oblique.ttf",
  "DejaVuSans-BoldOblique.ttf",
  "DejaVuSansMono.ttf",
  "DejaVuSerif.ttf",
].map((f) => join(fontDir, f));

let metrics: { regular: FontMetrics; bold: FontMetrics } | undefined;
function fontMetrics(): { regular: FontMetrics; bold: FontMetrics } {
  metrics ??= { regular: loadFontMetrics(CHART_FONT_FILES[0]!), bold: loadFontMetrics(CHART_FONT_FILES[1]!) };
  return metrics;
}

interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

function isBold(weight: number | string | undefined): boolean {
  if (weight === undefined) return false;
  if (typeof weight === "number") return weight >= 600;
  return weight === "bold" || weight === "bolder" || Number(weight) >= 600;
}

/** vega's textMetrics.width contract: width of `text` (or of item.text) in pixels, capped at item.limit. */
function measureText(item: TextItem & { text?: unknown }, text?: unknown): number {
  const raw = text === undefined ? item.text : text;
  const str = raw == null ? "" : (Array.isArray(raw) ? raw.join(" ") : String(raw)).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  if (size <= 0 || str === "") return 0;
  const m = fontMetrics();
  const w = (isBold(item.fontWeight) ? m.bold : m.regular).width(str, size);
  return item.limit !== undefined && item.limit > 0 ? Math.min(w, item.limit) : w;
}
(vega as unknown as { textMetrics: { width: typeof measureText } }).textMetrics.width = measureText;

/** Defaults every chart gets (a spec's own config wins): the chart font and no truncated legend text. */
export const CHART_CONFIG = {
  font: CHART_FONT_STACK,
  background: "white",
  legend: { labelLimit: 0, titleLimit: 0 },
  title: { limit: 0 },
} as const;

function isVegaSpec(spec: object): boolean {
  const schema = (spec as { $schema?: unknown }).$schema;
  return typeof schema === "string" && /\/schema\/vega\/v/.test(schema);
}

/** Renders a vega-lite spec (or a vega spec, by its $schema) to an SVG string. Data must be inline. */
export async function renderVegaLite(spec: object): Promise<string> {
  let vgSpec: vega.Spec;
  if (isVegaSpec(spec)) {
    const s = spec as vega.Spec;
    vgSpec = { ...s, config: { ...(CHART_CONFIG as vega.Config), ...(s.config ?? {}) } };
  } else {
    vgSpec = vl.compile(spec as vl.TopLevelSpec, { config: CHART_CONFIG as vl.Config }).spec;
  }
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none", logLevel: vega.Error });
  try {
    vega.resetSVGDefIds(); // clip-path ids restart at 1: the same spec gives the same SVG in any process

    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface PngOptions {
  /** Pixels per SVG unit (default 2: crisp on high-density screens and in print). */
  scale?: number;
}

/** Rasterises an SVG to PNG with the bundled DejaVu fonts. */
export function svgToPng(svg: string, opts: PngOptions = {}): Uint8Array {
  const scale = opts.scale ?? 2;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new UserError(`The PNG scale must be a positive number (got ${scale}).`);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: {
      loadSystemFonts: false,
      fontFiles: [...CHART_FONT_FILES],
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
      serifFamily: "DejaVu Serif",
      monospaceFamily: "DejaVu Sans Mono",
    },
    logLevel: "off",
  });
  const png = resvg.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}


/** Renders a spec and writes it atomically as SVG or PNG, chosen by the file extension. */
export async function writeChart(spec: object, path: string, opts: PngOptions = {}): Promise<void> {
  const format = chartFormat(path);
  checkPlotDirectory(path);
  const svg = await renderVegaLite(spec);
  writeFileAtomic(path, format === "svg" ? svg : svgToPng(svg, opts));
}

/** A plot goes into a directory that exists: a mistyped directory is an error, never made silently. */
export function checkPlotDirectory(path: string): void {
  const dir = dirname(path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new UserError(`cannot write the plot ${path}: directory ${dir} does not exist.`);
  }
  if (!isDir) throw new UserError(`cannot write the plot ${path}: ${dir} is not a directory.`);
}
