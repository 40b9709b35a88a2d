import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { createDashboardApp, startDashboard } from "../../src/server/app.js";
import { checkRequestPath } from "../../src/server/safe-path.js";
import { demoStudy } from "./fixture.js";

let app: FastifyInstance;
let studyDir: string;
let root: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let data: any;

before(async () => {
  const d = await demoStudy();
  studyDir = d.demo.out;
  root = d.root;
  data = JSON.parse(readFileSync(join(studyDir, "study-data.json"), "utf8"));
  app = await createDashboardApp({ studyDir });
});
after(() => app.close());

/** GET with the path sent byte for byte as given. */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await app.inject({ method: "GET", url, headers });
  return { status: r.statusCode, type: String(r.headers["content-type"] ?? ""), headers: r.headers, body: r.body, json: () => JSON.parse(r.body) };
}

test("GET /api/concepts?q= lists concepts containing the text with their frequency per corpus and mode", async () => {
  const r = await get("/api/concepts?q=dog");
  assert.equal(r.status, 200);
  assert.match(r.type, /^application\/json/);
  const body = r.json();
  assert.equal(body.total, 1);
  assert.deepEqual(body.concepts[0], {
    concept: "dog",
    datasets: ["sample-classes"],
    frequency: {
      web: { text: data.counts.web.text.dog, image: data.counts.web.image.dog, integrated: data.counts.web.integrated.dog },
      curated: { text: data.counts.curated.text.dog },
    },
  });
  // case-insensitive substring; exact match first, then prefix matches, then the rest
  assert.deepEqual(
    (await get("/api/concepts?q=DO")).json().concepts.map((c: { concept: string }) => c.concept),
    ["dog", "dolphin"],
  );
  assert.deepEqual(
    (await get("/api/concepts?q=lion")).json().concepts.map((c: { concept: string }) => c.concept),
    ["lion", "sea lion|sealion"],
  );
  const all = (await get("/api/concepts?q=&limit=1000")).json();
  assert.equal(all.total, data.datasets[0].concepts.length);
  assert.equal((await get("/api/concepts?q=")).json().concepts.length, 50, "default limit 50");
  assert.deepEqual((await get("/api/concepts?q=nothing-like-this")).json(), { q: "nothing-like-this", total: 0, offset: 0, concepts: [] });
  // paging: offset and limit walk the same ordered list
  const first = (await get("/api/concepts?q=&limit=7")).json();
  const next = (await get("/api/concepts?q=&limit=7&offset=7")).json();
  const both = (await get("/api/concepts?q=&limit=14")).json();
  assert.deepEqual([...first.concepts, ...next.concepts].map((c: { concept: string }) => c.concept), both.concepts.map((c: { concept: string }) => c.concept));
  assert.equal(next.offset, 7);
  assert.equal((await get("/api/concepts?q=&offset=-1")).status, 400);
});

test("bad API requests get a 4xx with a one-sentence JSON error", async () => {
  const cases: [string, number, RegExp][] = [
    ["/api/concepts", 400, /the query parameter "q" is required/],
    ["/api/concepts?q=a&q=b", 400, /"q": expected one text value/],
    ["/api/concepts?q=a&sort=name", 400, /unknown query parameter "sort"/],
    ["/api/concepts?q=a&limit=0", 400, /"limit": expected an integer from 1 to 1000/],
    ["/api/concepts?q=a&limit=abc", 400, /"limit": expected an integer/],
    [`/api/concepts?q=${"x".repeat(201)}`, 400, /at most 200 characters/],
    ["/api/concept?name=unicorn", 404, /no concept named "unicorn"/],
    ["/api/concept", 400, /"name" is required/],
    ["/api/fit?dataset=sample-classes&model=sample-clip-web&corpus=web", 400, /"mode" is required/],
    ["/api/fit?dataset=nope&model=sample-clip-web&corpus=web&mode=text", 400, /unknown dataset "nope"/],
    ["/api/fit?dataset=sample-classes&model=gpt&corpus=web&mode=text", 400, /has no model "gpt"/],
    ["/api/fit?dataset=sample-classes&model=sample-clip-web&corpus=laion&mode=text", 400, /unknown corpus "laion"/],
    ["/api/fit?dataset=sample-classes&model=sample-clip-web&corpus=curated&mode=image", 400, /corpus "curated" has no image counts/],
    ["/api/rarest?corpus=web&mode=sound", 400, /has no sound counts/],
    ["/api/study?x=1", 400, /unknown query parameter "x"/],
    ["/api/nothing", 404, /no such page/],
    ["/nothing.html", 404, /no such page/],
  ];
  for (const [url, status, message] of cases) {
    const r = await get(url);
    assert.equal(r.status, status, url);
    assert.match(r.json().error, message, url);
    assert.match(r.json().error, /\.$/, `${url}: a sentence`);
  }
});

test("the other API routes", async () => {
  const study = (await get("/api/study")).json();
  assert.equal(study.fits.length, 8);
  assert.deepEqual(study.corpora.map((c: { name: string; modes: string[] }) => [c.name, c.modes]), [
    ["web", ["text", "image", "integrated"]],
    ["curated", ["text"]],
  ]);

  const dog = (await get("/api/concept?name=dog")).json();
  assert.equal(dog.frequency.web.text, data.counts.web.text.dog);
  assert.equal(dog.examples.web.length, 5);
  assert.ok(dog.examples.web.every((e: { caption: string }) => /dog/i.test(e.caption)));
  assert.equal(dog.performance["sample-classes"]["sample-clip-web"], data.performance["sample-classes"]["sample-clip-web"].dog);
  const seaLion = (await get(`/api/concept?name=${encodeURIComponent("sea lion|sealion")}`)).json();
  assert.equal(seaLion.concept, "sea lion|sealion");

  const fit = (await get("/api/fit?dataset=sample-classes&model=sample-clip-web&corpus=web&mode=integrated")).json();
  assert.equal(fit.id, "sample-classes/sample-clip-web/web/integrated");
  assert.equal(fit.points.length, fit.n);
  assert.deepEqual(fit.regression, data.fits.find((f: { id: string }) => f.id === fit.id).regression);

  const rarest = (await get("/api/rarest?corpus=curated&mode=text&limit=6")).json();
  assert.equal(rarest.concepts.length, 6);
  const counts = rarest.concepts.map((c: { count: number }) => c.count);
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b));
  assert.equal(counts[0], 0);

  const out = (await get("/api/outliers?dataset=sample-classes&model=sample-clip-web&corpus=web&mode=text&limit=4")).json();
  assert.equal(out.outliers.length, 4);
  const res = out.outliers.map((p: { residual: number }) => Math.abs(p.residual));
  assert.deepEqual(res, [...res].sort((a, b) => b - a));

  const tail = (await get("/api/tail")).json();
  assert.deepEqual(Object.keys(tail), ["text", "image", "integrated"]);
});

test("the page, its assets and the vendored vega builds are served locally", async () => {
  const page = await get("/");
  assert.equal(page.status, 200);
  assert.match(page.type, /^text\/html/);
  assert.match(page.body, /<script src="\/vendor\/vega\.min\.js"><\/script>/);
  assert.doesNotMatch(page.body, /https?:\/\//, "no CDN");
  assert.match(String(page.headers["content-security-policy"]), /default-src 'self'/);
  assert.equal(page.headers["x-content-type-options"], "nosniff");
  for (const [url, marker] of [
    ["/assets/dashboard.js", /conceptfreq dashboard/],
    ["/assets/dashboard.css", /\.panel/],
    ["/vendor/vega.min.js", /vega/],
    ["/vendor/vega-lite.min.js", /vegaLite/],
  ] as const) {
    const r = await get(url);
    assert.equal(r.status, 200, url);
    assert.match(r.body.slice(0, 2000), marker, url);
  }
  assert.equal((await get("/vendor/vega-embed.min.js")).status, 404);
  assert.equal((await get("/vendor/../package.json")).status, 404);
  assert.equal((await get("/assets/../app.ts")).status, 404);
});

test("read-only: other methods get 405; a foreign Host header gets 403", async () => {
  for (const method of ["POST", "PUT", "DELETE", "PATCH"] as const) {
    const r = await app.inject({ method, url: "/api/concepts?q=dog", payload: method === "DELETE" ? undefined : "{}" });
    assert.equal(r.statusCode, 405, method);
    assert.match(JSON.parse(r.body).error, /read-only/);
  }
  assert.equal((await app.inject({ method: "HEAD", url: "/api/study" })).statusCode, 200);
  const r = await get("/api/study", { host: "attacker.example:8765" });
  assert.equal(r.status, 403);
  assert.equal((await get("/api/study", { host: "127.0.0.1:8765" })).status, 200);
  assert.equal((await get("/api/study", { host: "localhost" })).status, 200);
});

test("study files: allowlisted outputs only, and nothing outside the study directory (.., encoded .., symlinks)", async () => {
  const report = await get("/files/report.html");
  assert.equal(report.status, 200);
  assert.match(report.type, /^text\/html/);
  assert.match(String(report.headers["content-security-policy"]), /default-src 'none'/);
  const svg = await get("/files/plots/tail/text.svg");
  assert.equal(svg.status, 200);
  assert.equal(svg.type, "image/svg+xml");
  assert.equal((await get("/files/results.csv")).status, 200);
  assert.equal((await get("/files/counts/web/text.json")).status, 200);

  // outside files planted for the attempts
  const secret = join(root, "secret.json");
  writeFileSync(secret, '{"secret": true}');
  mkdirSync(join(root, "outside-dir"), { recursive: true });
  writeFileSync(join(root, "outside-dir", "x.svg"), "<svg/>");
  symlinkSync(secret, join(studyDir, "plots", "evil.json"));
  symlinkSync(join(root, "outside-dir"), join(studyDir, "plots", "outside"));

  const attempts: [string, number[]][] = [
    ["/files/../secret.json", [400]],
    ["/files/plots/../../secret.json", [400]],
    ["/files/%2e%2e/secret.json", [400]],
    ["/files/plots/%2E%2E/%2e%2e/secret.json", [400]],
    ["/files/plots%2f..%2f..%2fsecret.json", [400]],
    ["/files/..%5csecret.json", [400]],
    ["/files/%252e%252e/secret.json", [404]],
    ["/files//etc/passwd", [400]],
    ["/files/plots/evil.json", [403]],
    ["/files/plots/outside/x.svg", [403]],
    ["/files/cache/counts", [404]],
    ["/files/study.yaml", [404]],
    ["/files/plots/tail/text.svg%00.json", [400]],
    ["/files/", [404]],
  ];
  // over real HTTP, so that the paths reach the server exactly as written (no client-side normalisation)
  const server = await startDashboard({ studyDir, port: 0 });
  try {
    const port = Number(new URL(server.url).port);
    for (const [url, statuses] of attempts) {
      const r = await rawGet(port, url);
      assert.ok(statuses.includes(r.status), `${url}: ${r.status} ${r.body}`);
      assert.doesNotMatch(r.body, /"secret": ?true|<svg/, `${url}: nothing of the outside files`);
      assert.ok(typeof JSON.parse(r.body).error === "string", url);
    }
  } finally {
    await server.close();
  }
  assert.throws(() => checkRequestPath("a/../b"), /not a plain relative path/);
  assert.throws(() => checkRequestPath("./report.html"), /not a plain relative path/);
});

test("200 concurrent requests over real HTTP on 127.0.0.1 all succeed", async () => {
  const server = await startDashboard({ studyDir, port: 0 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const concepts: string[] = data.datasets[0].concepts;
    const urls = Array.from({ length: 200 }, (_, i) => {
      const c = concepts[i % concepts.length]!;
      if (i % 10 === 3) return { url: `api/concept?name=${encodeURIComponent(c)}`, concept: c };
      if (i % 10 === 7) return { url: "files/plots/tail/text.svg", concept: null };
      return { url: `api/concepts?q=${encodeURIComponent(c)}`, concept: c };
    });
    const responses = await Promise.all(urls.map((u) => fetch(server.url + u.url)));
    assert.deepEqual(
      responses.map((r) => r.status),
      urls.map(() => 200),
    );
    const bodies = await Promise.all(responses.map((r) => r.text()));
    bodies.forEach((b, i) => {
      const u = urls[i]!;
      if (u.concept === null) assert.match(b, /^<svg/);
      else if (u.url.startsWith("api/concept?")) assert.equal(JSON.parse(b).concept, u.concept);
      else assert.ok(JSON.parse(b).concepts.some((c: { concept: string }) => c.concept === u.concept));
    });
  } finally {
    await server.close();
  }
});
