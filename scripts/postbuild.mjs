// Makes the compiled CLI executable (tsc keeps the shebang but not the mode), and copies the
// dashboard's static files (src/server/assets) beside the compiled server (dist/server/assets).
import { chmodSync, cpSync, rmSync } from "node:fs";
chmodSync(new URL("../dist/cli/main.js", import.meta.url), 0o755);
const assets = new URL("../dist/server/assets", import.meta.url);
rmSync(assets, { recursive: true, force: true });
cpSync(new URL("../src/server/assets", import.meta.url), assets, { recursive: true });
