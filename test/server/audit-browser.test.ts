/**
 * End-to-end: the audit view in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core).
 * Labels captions with the keyboard, reloads (labels persist in localStorage), exports the CSV and
 * checks it is the audit file with the labels filled in (and that audit apply accepts it); saves a
 * screenshot to test-artifacts/audit.png. Skips (with a message) when /usr/bin/chromium is missing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startDashboard } from "../../src/server/app.js";
import { buildTextIndex } from "../../src/text-index/build.js";
import { TextIndex } from "../../src/text-index/text-index.js";
import { sampleAudit } from "../../src/audit/sample.js";
import { formatAuditCsv, parseAuditCsv } from "../../src/audit/audit-file.js";
import { applyAudit } from "../../src/audit/apply.js";
import { writePlantedCorpus } from "../audit/planted.js";

// Functions passed to page.evaluate run in the browser; this file is compiled without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = new URL("../../test-artifacts", import.meta.url).pathname;
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

test("audit view in headless Chromium: keyboard labels, reload keeps them, export CSV, screenshot", { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser test`);
    return;
  }
  const { dir, tsv } = writePlantedCorpus("cf-audit-browser-");
  await buildTextIndex([tsv], { out: join(dir, "idx"), workers: 1 });
  const index = TextIndex.open(join(dir, "idx"));
  const sample = sampleAudit(index, ["crane", "mouse", "zebra"], { perConcept: 6, seed: 1 });
  index.close();
  const auditPath = join(dir, "audit.csv");
  writeFileSync(auditPath, formatAuditCsv(sample.rows));
  const crane = sample.rows.filter((r) => r.concept === "crane");
  const mouse = sample.rows.filter((r) => r.concept === "mouse");

  const server = await startDashboard({ auditFile: auditPath, port: 0 });
  const profile = mkdtempSync(join(tmpdir(), "conceptfreq-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 820 }, acceptDownloads: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.route("**/*", (route) => (new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort()));

    await page.goto(server.url); // no study: "/" leads to the audit view
    await page.waitForSelector("body[data-ready='1']");
    assert.match(page.url(), /\/audit$/);
    assert.equal(await page.textContent("#audit-concept"), "crane");
    assert.equal(await page.textContent("#audit-caption"), crane[0]!.caption);
    assert.equal(await page.textContent("#audit-progress"), `0 of ${sample.rows.length} labelled`);

    // label the first four crane captions: y, n, 1, 0 (each moves on to the next caption)
    for (const key of ["y", "n", "1", "0"]) await page.keyboard.press(key);
    assert.equal(await page.getAttribute("#audit-card", "data-doc"), String(crane[4]!.doc));
    // back one caption with the left arrow: the fourth, labelled not relevant
    await page.keyboard.press("ArrowLeft");
    assert.equal(await page.getAttribute("#audit-label", "data-label"), "0");
    // next concept with the down arrow; mark its first caption relevant, the next cleared after a mistake
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.textContent("#audit-concept"), "mouse");
    await page.keyboard.press("y");
    await page.keyboard.press("n");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.getAttribute("#audit-card", "data-doc"), String(mouse[2]!.doc));
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("u");
    assert.equal(await page.getAttribute("#audit-label", "data-label"), "");
    assert.equal(await page.textContent("#audit-progress"), `5 of ${sample.rows.length} labelled`);
    assert.equal(await page.textContent('#audit-concepts tr[data-concept="crane"] td:nth-child(2)'), "4/6");
    assert.equal(await page.textContent('#audit-concepts tr[data-concept="crane"] td:nth-child(3)'), "0.50");

    // reload: the labels are still there, and the view opens at the first caption not labelled
    await page.reload();
    await page.waitForSelector("body[data-ready='1']");
    assert.equal(await page.textContent("#audit-progress"), `5 of ${sample.rows.length} labelled`);
    assert.equal(await page.getAttribute("#audit-card", "data-doc"), String(crane[4]!.doc));
    assert.deepEqual(await page.locator("#audit-rows tbody td:nth-child(3)").allTextContents(), ["yes", "no", "yes", "no", "", ""]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "audit.png"), fullPage: true });

    // export: the same CSV as the sample, with the labels filled in
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#audit-export")]);
    assert.equal(download.suggestedFilename(), "audit.csv");
    const exported = readFileSync((await download.path())!, "utf8");
    const expected = sample.rows.map((r) => {
      const i = crane.indexOf(r);
      const relevant = i >= 0 && i < 4 ? [true, false, true, false][i] : r === mouse[0] ? true : undefined;
      return { ...r, relevant };
    });
    assert.equal(exported, formatAuditCsv(expected), "byte for byte what the library writes");
    const result = applyAudit(parseAuditCsv(exported, "exported.csv"), new Map([["crane", 40], ["mouse", 24], ["zebra", 3]]));
    assert.deepEqual([result.adjusted.get("crane")!.audited, result.adjusted.get("crane")!.relevant, result.adjusted.get("mouse")!.audited], [4, 2, 1]);

    // a narrow window: one column, nothing wider than the screen, the caption whole words on full lines
    await page.setViewportSize({ width: 400, height: 820 });
    await page.waitForTimeout(200);
    const narrow = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      concepts: document.getElementById("audit-concepts-panel").getBoundingClientRect().toJSON(),
      card: document.getElementById("audit-card").getBoundingClientRect().toJSON(),
    }));
    await page.screenshot({ path: join(ARTIFACTS, "audit-narrow.png"), fullPage: true });
    assert.ok(narrow.scroll <= 400, `no horizontal scroll at 400 px (page is ${narrow.scroll} px wide)`);
    assert.ok(narrow.card.top >= narrow.concepts.bottom, "the caption card sits below the concept list");
    assert.ok(narrow.card.width > 300, `the caption card uses the width (${narrow.card.width} px)`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.close();
  }
});
