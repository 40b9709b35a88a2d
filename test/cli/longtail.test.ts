import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { syntheticImage, writeFiles } from "../longtail/fixtures.js";

const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
let dir = "";

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertUserError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^conceptfreq: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "conceptfreq-cli-longtail-"));
  writeFileSync(join(dir, "laion.json"), JSON.stringify({ dog: 9000, cat: 8000, okapi: 25, axolotl: 3, Axolotls: 2, quokka: 12, pangolin: 0 }));
  writeFileSync(join(dir, "cc3m.csv"), "concept,count\ndog,900\ncat,800\nokapi,1\naxolotl,0\nAxolotls,0\nquokka,5\npangolin,2\n");
  const a = await syntheticImage(1);
  writeFiles(join(dir, "images"), {
    "okapi/1.jpg": a,
    "okapi/1_copy.jpg": a,
    "okapi/2.jpg": await syntheticImage(2),
    "okapi/3.jpg": await syntheticImage(3),
    "quokka/1.jpg": await syntheticImage(5),
    "quokka/2.png": await syntheticImage(6, 256, 256, "png"),
    "quokka/bad.jpg": "garbage",
  });
  writeFileSync(join(dir, "wag.json"), JSON.stringify({ RN50: { full: 20, top5: 40, classwise: {} }, "ViT-B/32": { full: 30, top5: 50, classwise: {} } }));
  writeFileSync(join(dir, "imagenet.json"), JSON.stringify({ RN50: { full: 60, top5: 80, classwise: {} }, "ViT-B/32": { full: 63, top5: 85, classwise: {} } }));
});

test("longtail select: rarest concepts, merged plural, table / txt / csv", () => {
  const table = run("longtail", "select", "--freq", join(dir, "laion.json"), "--count", "3");
  assert.equal(table.code, 0, table.stderr);
  assert.deepEqual(
    table.stdout.trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/).slice(0, 3)),
    [
      ["1", "pangolin", "0"],
      ["2", "axolotl", "3"],
      ["3", "quokka", "12"],
    ],
  );
  assert.match(table.stderr, /Axolotls -> axolotl/);

  const txt = join(dir, "rare.txt");
  assert.equal(run("longtail", "select", "--freq", join(dir, "laion.json"), "--max-frequency", "12", "--out", txt).code, 0);
  assert.deepEqual(readFileSync(txt, "utf8").split("\n").filter((l) => l && !l.startsWith("#")), ["pangolin", "axolotl", "quokka"]);

  const json = join(dir, "rare.json");
  assert.equal(run("longtail", "select", "--freq", join(dir, "laion.json"), "--count", "2", "--out", json).code, 0);
  assert.deepEqual(JSON.parse(readFileSync(json, "utf8")), ["pangolin", "axolotl"]);

  const csv = join(dir, "rare.csv");
  const r = run("longtail", "select", "--freq", `laion=${join(dir, "laion.json")}`, "--freq", `cc3m=${join(dir, "cc3m.csv")}`, "--count", "2", "--out", csv);
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(csv, "utf8").trim().split("\n");
  assert.equal(lines[0], "concept,frequency,rank,laion,cc3m");
  // pooled: pangolin exp((ln 1 + ln 3)/2) - 1 = 0.7321; axolotl exp((ln 4 + ln 1)/2) - 1 = 1
  assert.deepEqual(lines.slice(1), ["pangolin,0.7321,1,0,2", "axolotl,1,2,3,0"]);

  const by = run("longtail", "select", "--freq", `laion=${join(dir, "laion.json")}`, "--freq", `cc3m=${join(dir, "cc3m.csv")}`, "--by", "cc3m", "--count", "1");
  assert.match(by.stdout.split("\n")[1]!, /axolotl/);
});

test("longtail select: user errors exit 2 with one line and write nothing", () => {
  const out = join(dir, "never.txt");
  assertUserError(run("longtail", "select", "--freq", join(dir, "missing.json"), "--out", out), /missing\.json/);
  assert.equal(existsSync(out), false);
  const bad = run("longtail", "select", "--freq", join(dir, "laion.json"), "--count", "0");
  assert.equal(bad.code, 2);
});

test("longtail curate: summary, manifest, deterministic reruns", () => {
  const out = join(dir, "curated");
  const r = run("longtail", "curate", "--images", join(dir, "images"), "--out", out, "--seed", "3");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^class\s+found\s+unreadable/);
  assert.match(r.stdout, /\nokapi\s+4\s+0\s+0\s+0\s+1\s+1\s+2/);
  assert.match(r.stdout, /\nquokka\s+3\s+1\s+0\s+0\s+0\s+0\s+2/);
  assert.match(r.stderr, /kept 4 images in 2 classes \(at most 2 per class\)/);
  const manifest = readFileSync(join(out, "manifest.csv"), "utf8");
  assert.equal(manifest.split("\n")[0], "path,class,hash,width,height");
  assert.equal(manifest.trim().split("\n").length, 5);
  const again = join(dir, "curated-again");
  assert.equal(run("longtail", "curate", "--images", join(dir, "images"), "--out", again, "--seed", "3").code, 0);
  assert.equal(readFileSync(join(again, "manifest.csv"), "utf8"), manifest);
});

test("longtail curate: user errors exit 2 with one line and write nothing", () => {
  const out = join(dir, "bad-out");
  assertUserError(run("longtail", "curate", "--images", join(dir, "images"), "--out", out, "--hash-bits", "128"), /--hash-bits must be 64/);
  assertUserError(run("longtail", "curate", "--images", join(dir, "images"), "--out", out, "--min-per-class", "9"), /no class has at least 9/);
  assert.equal(existsSync(out), false);
});

test("longtail report: per-model table, CSV, SVG plot; evaluate is an alias", () => {
  const wag = join(dir, "wag.json");
  const inet = join(dir, "imagenet.json");
  const plot = join(dir, "gap.svg");
  const ok = run(
    "longtail", "report",
    "--results", `${wag}#/RN50`, "--baseline", `${inet}#/RN50`,
    "--results", `${wag}#/ViT-B~132`, "--baseline", `${inet}#/ViT-B~132`,
    "--plot", plot,
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /RN50\s+20\.00\s+60\.00\s+40\.00/);
  assert.match(ok.stdout, /ViT-B\/32\s+30\.00\s+63\.00\s+33\.00/);
  assert.match(ok.stdout, /mean\s+25\.00\s+61\.50\s+36\.50/);
  assert.match(readFileSync(plot, "utf8"), /^<svg/);

  const csv = join(dir, "report.csv");
  assert.equal(run("longtail", "evaluate", "--model", "resnet", "--results", `${wag}#/RN50`, "--out", csv).code, 0);
  assert.equal(readFileSync(csv, "utf8"), "model,longtail_top1,baseline_top1,gap\nresnet,20,,\n");

  const png = join(dir, "never.pdf");
  assertUserError(run("longtail", "report", "--results", `${wag}#/RN50`, "--plot", png), /\.svg or \.png/);
  assert.equal(existsSync(png), false);
});
