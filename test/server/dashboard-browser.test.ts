/**
 * End-to-end: the dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core).
 * Searches a concept, checks the count shown, checks the plot renders with one mark per concept, hovers
 * a point for its tooltip, and saves a screenshot to test-artifacts/dashboard.png.
 * Skips (with a message) when /usr/bin/chromium is missing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startDashboard } from "../../src/server/app.js";
import { demoStudy } from "./fixture.js";
import { parse as parseYaml } from "yaml";
import { validateStudyManifest } from "../../src/study/manifest.js";
import { runStudy } from "../../src/study/run.js";

// Functions passed to page.evaluate run in the browser; this file is compiled without the DOM library.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = new URL("../../test-artifacts", import.meta.url).pathname;
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

test("dashboard in headless Chromium: search, count, plot, tooltip, screenshot", { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser test`);
    return;
  }
  const { demo } = await demoStudy();
  const data = JSON.parse(readFileSync(join(demo.out, "study-data.json"), "utf8"));
  const expectedDog = data.counts.web.text.dog as number;
  assert.ok(expectedDog > 0);

  const server = await startDashboard({ studyDir: demo.out, port: 0 });
  const profile = mkdtempSync(join(tmpdir(), "conceptfreq-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1360, height: 900 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const foreign: string[] = [];
    const errors: string[] = [];
    await page.route("**/*", (route) => {
      const u = new URL(route.request().url());
      if (u.hostname === "127.0.0.1") return route.continue();
      foreign.push(u.href);
      return route.abort();
    });
    page.on("pageerror", (e) => errors.push(String(e)));

    await page.goto(server.url);
    // the plot: one circle per concept of the selected fit
    await page.waitForSelector("#plot svg .mark-symbol path");
    const fitId = await page.getAttribute("#plot", "data-fit");
    const fit = data.fits.find((f: { id: string }) => f.id === fitId);
    assert.ok(fit, `the plot shows a fit of the study (${fitId})`);
    const symbols = await page.locator("#plot svg .mark-symbol").first().locator("path").count();
    assert.equal(symbols, fit.points.length);
    assert.match((await page.textContent("#fit-stats")) ?? "", /slope/);
    // binned ρ printed as the report and the legends print it: two decimals, ** when p < 0.05
    if (fit.binned?.pearson.r != null) {
      const rho = `${fit.binned.pearson.r.toFixed(2)}${fit.binned.pearson.p < 0.05 ? "**" : ""}`;
      assert.ok(((await page.textContent("#fit-stats")) ?? "").includes(`binned ρ ${rho}`), `binned ρ shown as ${rho}`);
    }
    // scores that cannot be negative get no axis below 0
    if (fit.points.every((p: { performance: number }) => p.performance >= 0)) {
      const yMin = await page.evaluate("state.view.scale('y').domain()[0]");
      assert.ok((yMin as number) >= 0, `the y axis starts at ${yMin}, not below 0`);
    }

    // search a concept: the count shown is the study's count
    await page.fill("#search", "dog");
    const cell = page.locator('#search-results tbody tr[data-concept="dog"] td[data-corpus="web"][data-mode="text"]');
    await cell.waitFor();
    assert.equal((await cell.textContent())?.trim(), expectedDog.toLocaleString("en-US"));
    // the concept's details: frequency and example captions
    await page.waitForSelector('#concept-detail b.freq[data-corpus="web"][data-mode="text"]');
    assert.equal((await page.textContent('#concept-detail b.freq[data-corpus="web"][data-mode="text"]'))?.trim(), expectedDog.toLocaleString("en-US"));
    const captions = await page.locator("#concept-detail ul.captions li").allTextContents();
    assert.ok(captions.length > 0 && captions.every((c) => /dog/i.test(c)), "example captions mention the concept");

    // hover a point: the tooltip names a concept, its frequency and performance
    const box = await page.locator("#plot svg .mark-symbol path").nth(3).boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForSelector("#tooltip:not([hidden])");
    const tip = (await page.textContent("#tooltip")) ?? "";
    assert.match(tip, /concept: .+frequency: .+performance: /);

    // the searched concept is ringed and named on the plot
    if (fit.points.some((p: { concept: string }) => p.concept === "dog")) {
      await page.waitForSelector('#plot[data-highlight="dog"]');
      const labels = await page.locator("#plot svg .mark-text text").allTextContents();
      assert.ok(labels.includes("dog"), `the plot names the searched concept (${labels.join(", ")})`);
    }

    // every choice the selects offer is a combination the study fitted: no request answered 4xx
    const fitted = new Set(data.fits.map((f: { dataset: string; model: string; corpus: string; mode: string }) => [f.dataset, f.model, f.corpus, f.mode].join("|")));
    const failed: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    for (const dataset of await page.locator("#dataset option").evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))) {
      await page.selectOption("#dataset", dataset);
      for (const model of await page.locator("#model option").evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))) {
        await page.selectOption("#model", model);
        for (const corpus of await page.locator("#corpus option").evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))) {
          await page.selectOption("#corpus", corpus);
          for (const mode of await page.locator("#mode option").evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))) {
            assert.ok(fitted.has([dataset, model, corpus, mode].join("|")), `offered ${dataset}/${model}/${corpus}/${mode} was fitted`);
          }
        }
      }
    }
    await page.waitForTimeout(300);
    assert.deepEqual(failed, [], "no request for a combination that was not fitted");

    // paging: an empty search lists every concept, 25 at a time
    await page.fill("#search", "");
    await page.press("#search", "Enter");
    const total = new Set(data.datasets.flatMap((d: { concepts: string[] }) => d.concepts)).size;
    // the previous search's rows stay until the answer arrives: wait for the status of this one
    await page.waitForFunction((n) => (document.querySelector("#search-status")?.textContent ?? "").startsWith(`${n} concept`), total);
    if (total > 25) {
      assert.equal(await page.locator("#search-results tbody tr").count(), 25);
      while (await page.isVisible("#search-more")) {
        const before = await page.locator("#search-results tbody tr").count();
        await page.click("#search-more");
        await page.waitForFunction((n) => document.querySelectorAll("#search-results tbody tr").length > n, before);
      }
    }
    assert.equal(await page.locator("#search-results tbody tr").count(), total, "every concept reachable by paging");
    assert.match((await page.textContent("#search-status")) ?? "", new RegExp(`^${total} concepts$`));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });

    // a narrow window: the plot fits its box and no axis title is cut
    await page.setViewportSize({ width: 400, height: 900 });
    await page.waitForTimeout(600);
    await page.waitForSelector("#plot svg");
    // the redraw after a resize is debounced and slower on a loaded machine: wait until it has happened
    await page
      .waitForFunction(() => {
        const box = document.getElementById("plot");
        const svg = box.querySelector("svg");
        return svg && svg.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1;
      }, undefined, { timeout: 10_000 })
      .catch(() => undefined); // the assertions below say what is wrong
    const sizes = await page.evaluate(() => {
      const box = document.getElementById("plot")!;
      const svg = box.querySelector("svg")!;
      return { box: box.getBoundingClientRect().right, svg: svg.getBoundingClientRect().right, text: [...svg.querySelectorAll("text")].map((t) => t.textContent ?? "") };
    });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-narrow.png"), fullPage: true });
    assert.ok(sizes.svg <= sizes.box + 1, `the plot (right edge ${sizes.svg}) fits its box (${sizes.box})`);
    // the page itself does not scroll sideways, and the header's links do not break inside
    const layout = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      links: [...document.querySelectorAll("header nav a")].map((a) => (a as { getClientRects(): { length: number } }).getClientRects().length),
    }));
    assert.ok(layout.scroll <= 400, `no horizontal scroll at 400 px (page is ${layout.scroll} px wide)`);
    assert.ok(layout.links.every((n: number) => n === 1), "each header link on one line");
    assert.ok(!sizes.text.some((t) => t.includes("…")), "no truncated text at 400 px");
    assert.ok(sizes.text.some((t) => t.startsWith("Pretraining concept frequency") && t.includes(`(${fit.mode}; 0 drawn at`)), `the axis title is whole (${sizes.text.filter((t) => t.length > 20).join(" | ")})`);
    assert.deepEqual(foreign, [], "the page requests nothing beyond the local server");
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test("dashboard in headless Chromium: pick a figure, see its pooled fit", { timeout: 120_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser test`);
    return;
  }
  const { root, demo } = await demoStudy();
  // the demo's manifest with a figure pooling its dataset (6 bins, no trim)
  const raw = parseYaml(readFileSync(demo.manifest, "utf8")) as Record<string, unknown>;
  raw.figures = [{ name: "pooled", title: "Pooled sample", datasets: ["sample-classes"], bins: 6, trim: [0, 0] }];
  raw.analyses = { ...(raw.analyses as object), plots: false };
  const manifest = validateStudyManifest(raw, demo.manifest, demo.demoDir);
  const out = join(root, "with-figure");
  await runStudy(manifest, { out });
  const data = JSON.parse(readFileSync(join(out, "study-data.json"), "utf8"));
  const server = await startDashboard({ studyDir: out, port: 0 });
  const profile = mkdtempSync(join(tmpdir(), "conceptfreq-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1360, height: 900 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForSelector("#plot svg .mark-symbol path");
    assert.ok(await page.isVisible("#figure"), "the figure picker is shown when the study has figures");
    await page.selectOption("#figure", "pooled");
    await page.waitForSelector('#plot[data-fit^="figure:pooled/"]');
    assert.ok(await page.isHidden("#dataset"), "a figure pools datasets: the dataset picker is hidden");
    const fitId = await page.getAttribute("#plot", "data-fit");
    const fit = data.fits.find((f: { id: string }) => f.id === fitId);
    assert.ok(fit && fit.figure === "pooled", `the plot shows the figure's fit (${fitId})`);
    assert.equal(fit.binned.bin_count, 6);
    await page.waitForFunction((n) => document.querySelectorAll("#plot svg .mark-symbol path").length >= n, fit.points.length);
    // back to one dataset
    await page.selectOption("#figure", "");
    await page.waitForSelector('#plot:not([data-fit^="figure:"])');
    assert.ok(await page.isVisible("#dataset"));
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
