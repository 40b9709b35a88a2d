/**
 * Dashboard server load: requests/s, p50/p99 latency and the server's RSS before and after, for API
 * routes side by side with a static file the same server sends (the peer: what the HTTP stack costs
 * with no work of ours). The server runs as `conceptfreq serve` in a child process on the demo study;
 * the client keeps 32 keep-alive connections busy for a fixed time per route (loopback only).
 *
 * Run: `npm run bench -- server` (after `npm run build`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDemo } from "../src/index.js";

const CLI = new URL("../dist/cli/main.js", import.meta.url).pathname;
const SECONDS = 4;
const CONNECTIONS = 32;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function load(base: string, path: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const lat: number[] = [];
  let errors = 0;
  const end = Date.now() + SECONDS * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = request(base + path, { agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode !== 200) errors++;
          lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  const secs = (Date.now() - started) / 1000;
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return { rps: lat.length / secs, p50: q(0.5), p99: q(0.99), errors };
}

export async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "cf-bench-server-"));
  try {
    const demo = await runDemo({ out: join(root, "demo") });
    const child = spawn(process.execPath, [CLI, "serve", "--study", demo.out, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (c: string) => {
        out += c;
        const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
    try {
      const routes = [
        ["static file (peer)", "/assets/dashboard.css"],
        ["GET /api/study", "/api/study"],
        ["GET /api/concepts?q=d", "/api/concepts?q=d&limit=25"],
        ["GET /api/fit", "/api/fit?dataset=sample-classes&model=sample-clip-web&corpus=web&mode=text"],
        ["GET /api/concept?name=dog", "/api/concept?name=dog"],
      ];
      const rss0 = rssMiB(child.pid!);
      console.log(`dashboard server load (${CONNECTIONS} keep-alive connections, ${SECONDS} s per route, loopback, server in its own process)`);
      console.log("  route                              req/s    p50 ms   p99 ms  errors");
      // Two passes over the routes: the second shows whether the server's memory stays flat under load.
      const rssAfter: number[] = [];
      for (let pass = 1; pass <= 2; pass++) {
        let staticRps = NaN;
        for (const [name, path] of routes) {
          const r = await load(url, path!);
          if (name!.startsWith("static")) staticRps = r.rps;
          const ratio = name!.startsWith("static") ? "" : `  (${(r.rps / staticRps).toFixed(2)}x the static file)`;
          console.log(`  ${`${name!}${pass > 1 ? " (2nd)" : ""}`.padEnd(32)} ${r.rps.toFixed(0).padStart(7)}  ${r.p50.toFixed(2).padStart(7)}  ${r.p99.toFixed(2).padStart(7)}  ${String(r.errors).padStart(6)}${ratio}`);
        }
        rssAfter.push(rssMiB(child.pid!));
      }
      console.log(`  server RSS: ${rss0.toFixed(0)} MiB before, ${rssAfter.map((m) => m.toFixed(0)).join(" / ")} MiB after the 1st / 2nd pass`);
    } finally {
      child.kill("SIGTERM");
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
