/**
 * The dashboard under requests fastify or Node's HTTP parser answer themselves, and a damaged
 * study-data.json: every 4xx is {"error": "one sentence"}; a second Host header is refused.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDashboardApp, startDashboard } from "../../src/server/app.js";
import { UserError } from "../../src/errors.js";
import { demoStudy } from "./fixture.js";

let server: { url: string; close: () => Promise<void> };
let port: number;
let studyDir: string;

before(async () => {
  studyDir = (await demoStudy()).demo.out;
  server = await startDashboard({ studyDir, port: 0 });
  port = Number(new URL(server.url).port);
});
after(() => server.close());

/** Sends raw bytes; resolves with the status and the body of the answer. */
function raw(bytes: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    let got = "";
    s.setEncoding("utf8");
    s.on("data", (c: string) => (got += c));
    s.on("end", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0);
      resolve({ status, body: got.slice(got.indexOf("\r\n\r\n") + 4) });
    });
    s.on("error", reject);
    s.setTimeout(10_000, () => reject(new Error("no answer")));
    s.write(bytes);
    setTimeout(() => s.end(), 300);
  });
}

function oneSentence(body: string, what: string): string {
  const j = JSON.parse(body) as { error?: unknown };
  assert.deepEqual(Object.keys(j), ["error"], `${what}: only an error field`);
  assert.equal(typeof j.error, "string");
  assert.match(j.error as string, /^[^\n]+\.$/, `${what}: one sentence`);
  return j.error as string;
}

test("requests the parser or router answers get the documented JSON error", async () => {
  const cases: [string, string, number][] = [
    ["a malformed URL", "GET /api/concept?name=%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400],
    ["a bad percent-encoding in the path", "GET /files/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400],
    ["an unknown method", "BREW / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400],
    ["headers too large", `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, 431],
    ["not HTTP at all", "\x00\x01\x02 hello\r\n\r\n", 400],
  ];
  for (const [what, bytes, status] of cases) {
    const r = await raw(bytes);
    assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status}`);
    if (status === 431) assert.equal(r.status, 431, what);
    oneSentence(r.body, what);
  }
});

test("a request with two Host headers is refused", async () => {
  const r = await raw("GET /api/study HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n");
  assert.equal(r.status, 400);
  assert.match(oneSentence(r.body, "two hosts"), /exactly one Host header/);
  const ok = await raw("GET /api/study HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  assert.equal(ok.status, 200);
});

test("a study-data.json of the right version but missing or wrong fields is one clear error at start-up", async () => {
  const good = JSON.parse(readFileSync(join(studyDir, "study-data.json"), "utf8"));
  const damage: [string, (d: Record<string, unknown>) => void, RegExp][] = [
    ["no datasets", (d) => delete d.datasets, /datasets/],
    ["datasets not a list", (d) => (d.datasets = 5), /datasets/],
    ["a fit without points", (d) => delete (d.fits as Record<string, unknown>[])[0]!.points, /fits\[0\]\.points/],
    ["a corpus without a name", (d) => delete (d.corpora as Record<string, unknown>[])[0]!.name, /corpora\[0\]\.name/],
  ];
  for (const [what, edit, where] of damage) {
    const dir = mkdtempSync(join(tmpdir(), "cf-bad-study-"));
    cpSync(studyDir, dir, { recursive: true });
    const d = structuredClone(good);
    edit(d);
    writeFileSync(join(dir, "study-data.json"), JSON.stringify(d));
    await assert.rejects(createDashboardApp({ studyDir: dir }), (e: Error) => {
      assert.ok(e instanceof UserError, `${what}: a UserError, not ${e.name}`);
      assert.match(e.message, /study-data\.json is damaged: /, what);
      assert.match(e.message, where, what);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  }
});
