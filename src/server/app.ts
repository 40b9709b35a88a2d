/**
 * The dashboard server (`conceptfreq serve --study DIR`): a read-only fastify app over one study
 * directory.
 *
 *   GET /                         the dashboard page (src/server/assets)
 *   GET /assets/dashboard.{js,css}, /vendor/vega.min.js, /vendor/vega-lite.min.js   explicit routes, no path parameter
 *   GET /api/study                corpora, modes, datasets, one summary row per fit
 *   GET /api/concepts?q=TEXT[&limit&offset]   concepts whose name contains TEXT, with their frequency per corpus and mode
 *   GET /api/concept?name=NAME    one concept: frequencies, example captions, per-model performance
 *   GET /api/fit?dataset&model&corpus&mode        a fit: regression, binned view, points (with residuals)
 *   GET /api/fit?figure&model&corpus&mode         a figure's pooled fit (one series per model over its datasets)
 *   GET /api/rarest?corpus&mode[&limit]            the rarest concepts
 *   GET /api/outliers?dataset&model&corpus&mode[&limit]   the concepts furthest from the fit
 *   GET /api/tail                 the long-tail reports and cross-corpus correlations
 *   GET /files/PATH               an allowlisted study output (report.html, plots/…), see safe-path.ts
 *   GET /audit, /assets/audit.js  the audit view (with --audit FILE; labels stay in the browser)
 *   GET /api/audit                the audit sample: {name, id, rows: [{concept, matches, doc, caption, relevant}]}
 * Without a study (serve --audit only), "/" redirects to /audit and the study routes answer 404.
 *
 * Safety: only GET and HEAD; everything is read from the study's data loaded at start, the page
 * assets and two vendored files; study files go through an allowlist and a real-path check. Query
 * parameters are validated (unknown ones refused). A request whose Host header is not this loopback
 * server's is refused (DNS rebinding) when bound to a loopback address. Errors are JSON
 * `{"error": "one sentence"}` with a 4xx status.
 */
import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { UserError } from "../errors.js";
import { loadStudyData } from "../study/data.js";
import { loadAuditView, type AuditView } from "./audit-api.js";
import { CONTENT_TYPES, readStudyFile, resolveStudyFile } from "./safe-path.js";
import { ApiError, StudyApi } from "./study-api.js";

const ASSETS_DIR = fileURLToPath(new URL("./assets", import.meta.url));
const require = createRequire(import.meta.url);

/** The vendored browser builds of vega and vega-lite (served locally; no CDN). */
function vendorFiles(): Record<string, string> {
  return {
    "/vendor/vega.min.js": join(dirname(require.resolve("vega")), "vega.min.js"),
    "/vendor/vega-lite.min.js": join(dirname(require.resolve("vega-lite")), "vega-lite.min.js"),
  };
}

const PAGE_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Study files: the report has its own inline style and script, nothing may be fetched. */
const FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'self'";

export interface DashboardOptions {
  /** The study output directory (holds study-data.json); may be left out when `auditFile` is given. */
  studyDir?: string;
  /** An audit CSV (audit sample's output) to serve to the audit view. */
  auditFile?: string;
  /** The address the server will listen on; decides the Host-header check (default 127.0.0.1). */
  host?: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The hostname of a Host header ("127.0.0.1:8765" -> "127.0.0.1", "[::1]:80" -> "[::1]"). */
function hostName(header: string | undefined): string {
  if (!header) return "";
  const h = header.toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.indexOf(":");
  return colon < 0 ? h : h.slice(0, colon);
}

// --- query validation -------------------------------------------------------------------------

const text = (max: number) =>
  z.string({ error: "expected one text value" }).max(max, { error: `expected at most ${max} characters` });
const name = text(200).min(1, { error: "expected a non-empty value" });
const limit = (max: number) =>
  z
    .string({ error: "expected one number" })
    .regex(/^[0-9]{1,6}$/, { error: `expected an integer from 1 to ${max}` })
    .transform(Number)
    .pipe(z.number().min(1, { error: `expected an integer from 1 to ${max}` }).max(max, { error: `expected an integer from 1 to ${max}` }));

const offset = z
  .string({ error: "expected one number" })
  .regex(/^[0-9]{1,9}$/, { error: "expected an integer of 0 or more" })
  .transform(Number);

const FitQuery = z.strictObject({ dataset: name.optional(), figure: name.optional(), model: name, corpus: name, mode: name });
const QUERIES = {
  none: z.strictObject({}),
  concepts: z.strictObject({ q: text(200), limit: limit(1000).optional(), offset: offset.optional() }),
  concept: z.strictObject({ name }),
  fit: FitQuery,
  rarest: z.strictObject({ corpus: name, mode: name, limit: limit(1000).optional() }),
  outliers: FitQuery.extend({ limit: limit(1000).optional() }),
};

function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const r = schema.safeParse(query ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    throw new ApiError(400, `unknown query parameter${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")}.`);
  }
  const key = issue.path.map(String).join(".");
  const missing = issue.code === "invalid_type" && (query as Record<string, unknown> | undefined)?.[key] === undefined;
  throw new ApiError(400, missing ? `the query parameter "${key}" is required.` : `query parameter "${key}": ${issue.message.replace(/^Invalid input: /, "")}.`);
}

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large" };

function sentence(message: string): string {
  return message.endsWith(".") ? message : `${message}.`;
}

/** How many Host headers the request carried (Node keeps only the first in `headers`). */
function hostHeaderCount(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === "host") n++;
  return n;
}

// --- the app ------------------------------------------------------------------------------------

/** Builds the dashboard app for a study directory (not listening yet: see startDashboard, or use inject). */
export async function createDashboardApp(opts: DashboardOptions): Promise<FastifyInstance> {
  if (opts.studyDir === undefined && opts.auditFile === undefined) throw new UserError("give a study directory (--study) or an audit file (--audit) to serve.");
  let studyReal: string | undefined;
  if (opts.studyDir !== undefined) {
    try {
      studyReal = realpathSync(opts.studyDir);
    } catch {
      throw new UserError(`the study directory ${opts.studyDir} does not exist.`);
    }
  }
  const studyApi = studyReal === undefined ? undefined : new StudyApi(loadStudyData(studyReal));
  const audit: AuditView | undefined = opts.auditFile === undefined ? undefined : loadAuditView(opts.auditFile);
  /** The study's API, or a 404 when the server was started without one. */
  const study = (): StudyApi => {
    if (studyApi === undefined) throw new ApiError(404, "no study is loaded: start the server with --study DIR.");
    return studyApi;
  };
  const bindHost = opts.host ?? "127.0.0.1";
  const checkHost = LOOPBACK.has(bindHost) || bindHost === "::1";

  const page = readFileSync(join(ASSETS_DIR, "index.html"));
  const assets: Record<string, { body: Buffer; type: string }> = {
    "/assets/dashboard.js": { body: readFileSync(join(ASSETS_DIR, "dashboard.js")), type: "text/javascript; charset=utf-8" },
    "/assets/dashboard.css": { body: readFileSync(join(ASSETS_DIR, "dashboard.css")), type: "text/css; charset=utf-8" },
    "/assets/audit.js": { body: readFileSync(join(ASSETS_DIR, "audit.js")), type: "text/javascript; charset=utf-8" },
  };
  const auditPage = readFileSync(join(ASSETS_DIR, "audit.html"));
  for (const [route, path] of Object.entries(vendorFiles())) assets[route] = { body: readFileSync(path), type: "text/javascript; charset=utf-8" };

  const app = Fastify({
    logger: false,
    routerOptions: { maxParamLength: 1024 },
    bodyLimit: 1024,
    return503OnClosing: true,
    // errors fastify answers before routing (a malformed URL, ...) get the same one-sentence body
    frameworkErrors: (error, _request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      void (reply as FastifyReply).code(status).type("application/json; charset=utf-8").send({ error: sentence(error.message) });
    },
    // errors of the HTTP parser itself (headers too large: 431, a bad request line: 400)
    clientErrorHandler: (error: Error & { code?: string }, socket) => {
      if (!socket.writable) return;
      const [status, text] =
        error.code === "HPE_HEADER_OVERFLOW" ? [431, "request headers are too large."] : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "the request took too long."] : [400, "the request is not valid HTTP."];
      const body = JSON.stringify({ error: text });
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  });

  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      reply.header("allow", "GET, HEAD");
      throw new ApiError(405, `the dashboard is read-only: ${request.method} is not allowed.`);
    }
    if (hostHeaderCount(request.raw.rawHeaders) > 1) throw new ApiError(400, "a request must have exactly one Host header.");
    if (checkHost && !LOOPBACK.has(hostName(request.headers.host))) {
      throw new ApiError(403, "requests must address this server as 127.0.0.1 or localhost.");
    }
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    reply.header("cross-origin-resource-policy", "same-origin");
    if (!reply.hasHeader("content-security-policy")) reply.header("content-security-policy", PAGE_CSP);
    return payload;
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error instanceof ApiError ? error.statusCode : error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const message = status >= 500 ? "internal error." : sentence(error.message);
    if (status >= 500) process.stderr.write(`conceptfreq serve: ${error.stack ?? error.message}\n`);
    void reply.code(status).type("application/json; charset=utf-8").send({ error: message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).type("application/json; charset=utf-8").send({ error: `no such page: ${request.method} ${request.url.slice(0, 200)}.` });
  });

  const sendJson = (reply: FastifyReply, body: unknown) => reply.header("cache-control", "no-store").type("application/json; charset=utf-8").send(body);

  app.get("/", async (request, reply) => {
    parseQuery(QUERIES.none, request.query);
    if (studyApi === undefined) return reply.redirect("/audit");
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(page);
  });
  for (const [route, asset] of Object.entries(assets)) {
    app.get(route, async (_request, reply) => reply.type(asset.type).header("cache-control", "max-age=3600").send(asset.body));
  }

  app.get("/api/study", async (request, reply) => {
    parseQuery(QUERIES.none, request.query);
    return sendJson(reply, study().summary());
  });
  app.get("/api/concepts", async (request, reply) => {
    const q = parseQuery(QUERIES.concepts, request.query);
    return sendJson(reply, study().searchConcepts(q.q, q.limit ?? 50, q.offset ?? 0));
  });
  app.get("/api/concept", async (request, reply) => {
    const q = parseQuery(QUERIES.concept, request.query);
    return sendJson(reply, study().concept(q.name));
  });
  app.get("/api/fit", async (request, reply) => {
    const q = parseQuery(QUERIES.fit, request.query);
    return sendJson(reply, study().fitOf(q));
  });
  app.get("/api/rarest", async (request, reply) => {
    const q = parseQuery(QUERIES.rarest, request.query);
    return sendJson(reply, study().rarest(q.corpus, q.mode, q.limit ?? 20));
  });
  app.get("/api/outliers", async (request, reply) => {
    const q = parseQuery(QUERIES.outliers, request.query);
    const f = study().fitOf(q);
    return sendJson(reply, { id: f.id, outliers: study().outliers(f, q.limit ?? 20) });
  });
  app.get("/api/tail", async (request, reply) => {
    parseQuery(QUERIES.none, request.query);
    return sendJson(reply, study().data.tail);
  });
  app.get("/files/*", async (request: FastifyRequest<{ Params: { "*": string } }>, reply) => {
    parseQuery(QUERIES.none, request.query);
    const requested = request.params["*"];
    if (studyReal === undefined) throw new ApiError(404, "no study is loaded: start the server with --study DIR.");
    const real = resolveStudyFile(studyReal, requested);
    const body = await readStudyFile(real, requested);
    return reply
      .type(CONTENT_TYPES[extname(real).toLowerCase()] ?? "application/octet-stream")
      .header("content-security-policy", FILE_CSP)
      .header("cache-control", "no-cache")
      .send(body);
  });
  app.get("/audit", async (request, reply) => {
    parseQuery(QUERIES.none, request.query);
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(auditPage);
  });
  app.get("/api/audit", async (request, reply) => {
    parseQuery(QUERIES.none, request.query);
    if (audit === undefined) throw new ApiError(404, "no audit file is loaded: start the server with --audit FILE.");
    return sendJson(reply, audit);
  });
  return app;
}

export interface StartDashboardOptions extends DashboardOptions {
  /** Port (default 8765; 0 picks a free one). */
  port?: number;
}

/** Starts the dashboard; returns its URL and a close function. */
export async function startDashboard(opts: StartDashboardOptions): Promise<{ url: string; app: FastifyInstance; close: () => Promise<void> }> {
  const host = opts.host ?? "127.0.0.1";
  const app = await createDashboardApp({ ...opts, host });
  try {
    await app.listen({ host, port: opts.port ?? 8765 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UserError(`port ${opts.port ?? 8765} is already in use; choose another with --port.`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new UserError(`cannot listen on ${host}: no such local address.`);
    if (code === "EACCES") throw new UserError(`not allowed to listen on port ${opts.port ?? 8765}; choose a port above 1023.`);
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  const shown = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shown}:${port}/`, app, close: () => app.close() };
}
