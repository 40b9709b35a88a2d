/** The audit view's API: GET /api/audit serves the sample read-only; a server without a study or audit says so. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDashboardApp } from "../../src/server/app.js";
import { UserError } from "../../src/errors.js";
import { writePlantedCorpus } from "../audit/planted.js";

const CLI = new URL("../../dist/cli/main.js", import.meta.url).pathname;
const { dir } = writePlantedCorpus("cf-audit-api-");
const audit = join(dir, "audit.csv");
writeFileSync(audit, 'concept,matches,doc,caption,relevant\ncrane,40,0,"a crane, over the ""harbour""",\ncrane,40,3,a white crane,yes\nzebra,3,7,a zebra,0\n');

test("GET /api/audit: the rows with their file labels, the file's name and content hash; writes refused; no study means 404 and / -> /audit", async () => {
  const app = await createDashboardApp({ auditFile: audit });
  try {
    const r = await app.inject({ method: "GET", url: "/api/audit", headers: { host: "127.0.0.1" } });
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.name, "audit.csv");
    assert.match(body.id, /^[0-9a-f]{16}$/);
    assert.deepEqual(body.rows, [
      { concept: "crane", matches: 40, doc: 0, caption: 'a crane, over the "harbour"', relevant: null },
      { concept: "crane", matches: 40, doc: 3, caption: "a white crane", relevant: 1 },
      { concept: "zebra", matches: 3, doc: 7, caption: "a zebra", relevant: 0 },
    ]);
    const page = await app.inject({ method: "GET", url: "/audit", headers: { host: "127.0.0.1" } });
    assert.match(page.body, /Precision audit/);
    const root = await app.inject({ method: "GET", url: "/", headers: { host: "127.0.0.1" } });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, "/audit");
    const study = await app.inject({ method: "GET", url: "/api/study", headers: { host: "127.0.0.1" } });
    assert.equal(study.statusCode, 404);
    assert.match(study.json().error, /no study is loaded/);
    const post = await app.inject({ method: "POST", url: "/api/audit", headers: { host: "127.0.0.1" }, payload: "{}" });
    assert.equal(post.statusCode, 405);
    const q = await app.inject({ method: "GET", url: "/api/audit?x=1", headers: { host: "127.0.0.1" } });
    assert.equal(q.statusCode, 400);
  } finally {
    await app.close();
  }
});

test("a bad audit file is refused at start with one sentence; serve with neither --study nor --audit exits 2", async () => {
  const bad = join(dir, "bad.csv");
  writeFileSync(bad, "concept,matches,doc,caption,relevant\ncrane,40,0,x,perhaps\n");
  await assert.rejects(createDashboardApp({ auditFile: bad }), (e: unknown) => e instanceof UserError && /"perhaps"/.test(e.message));
  const r = spawnSync(process.execPath, [CLI, "serve", "--port", "0"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "conceptfreq: serve needs a study (--study DIR) or an audit file (--audit FILE).\n");
  const s = spawnSync(process.execPath, [CLI, "serve", "--audit", bad, "--port", "0"], { encoding: "utf8" });
  assert.equal(s.status, 2);
  assert.match(s.stderr, /^conceptfreq: .*bad\.csv: 1 row\(s\) have a "relevant" value/);
});
