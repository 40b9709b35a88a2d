import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../src/errors.js";
import {
  UNFINISHED_MARKER,
  closeFiles,
  freshTempDirBeside,
  makeDirs,
  moveIntoPlace,
  namingPath,
  refuseUnfinished,
  removeStaleTempDirs,
  systemErrorSentence,
} from "../../src/io/file-system.js";

test("makeDirs makes missing parents, accepts an existing directory, and names a file in the way", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-fs-"));
  try {
    makeDirs(join(dir, "a", "b", "c"));
    assert.ok(statSync(join(dir, "a", "b", "c")).isDirectory());
    makeDirs(join(dir, "a", "b")); // already there
    writeFileSync(join(dir, "f"), "x");
    assert.throws(() => makeDirs(join(dir, "f", "g")), (e: unknown) => e instanceof UserError && /cannot create the directory .*g: .*f is a file\./.test(e.message));
    assert.throws(() => makeDirs(join(dir, "f")), (e: unknown) => e instanceof UserError && /cannot use .*f as a directory: it is a file\./.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("freshTempDirBeside gives a directory beside the output holding only its marker, clearing its own leftover", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-fs-"));
  try {
    const out = join(dir, "new", "idx");
    const tmp = freshTempDirBeside(out);
    assert.equal(tmp, `${out}.tmp-${process.pid}`);
    writeFileSync(join(tmp, "partial"), "x");
    assert.deepEqual(readdirSync(freshTempDirBeside(out)), [UNFINISHED_MARKER]);
    assert.equal(existsSync(out), false);
    // a reader refuses it, even with a manifest in it
    writeFileSync(join(tmp, "manifest.json"), "{}");
    assert.throws(() => refuseUnfinished(tmp, "index"), /is an unfinished index: the conceptfreq run that wrote it \(process \d+\) stopped before it completed/);
    // moved into place, it is complete (and so is a copy of an old output under its own name)
    moveIntoPlace(tmp, out);
    assert.deepEqual(readdirSync(out), ["manifest.json"]);
    refuseUnfinished(out, "index");
    // replacing: the old output is moved aside, then removed
    const next = freshTempDirBeside(out);
    writeFileSync(join(next, "manifest.json"), "{\"v\": 2}");
    moveIntoPlace(next, out);
    assert.deepEqual(readdirSync(out), ["manifest.json"]);
    assert.deepEqual(readdirSync(join(dir, "new")), ["idx"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("removeStaleTempDirs removes only conceptfreq's leftovers of dead processes for that output", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-fs-"));
  try {
    const out = join(dir, "idx");
    const marker = (pid: number, o = "idx", host = hostname()) => JSON.stringify({ format: "conceptfreq-unfinished", pid, host, out: o });
    const dead = 2 ** 22 + 12345; // above Linux's pid_max: never a live process
    const make = (name: string, files: Record<string, string>) => {
      mkdirSync(join(dir, name));
      for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, name, f), text);
    };
    make(`idx.tmp-${dead}`, { [UNFINISHED_MARKER]: marker(dead), "captions.blocks": "x" });
    make(`idx.old-${dead + 1}`, { [UNFINISHED_MARKER]: marker(dead + 1), "manifest.json": "{}" });
    make(`idx.tmp-${dead + 2}`, {}); // killed before its marker was written
    make(`idx.tmp-${dead + 3}`, { "thesis.tex": "mine" }); // not ours
    make(`idx.tmp-${dead + 4}`, { [UNFINISHED_MARKER]: marker(dead + 4, "other") }); // another output's
    make(`idx.tmp-${dead + 5}`, { [UNFINISHED_MARKER]: marker(dead + 5, "idx", "another-host") }); // a process elsewhere
    make(`idx.tmp-${process.ppid}`, { [UNFINISHED_MARKER]: marker(process.ppid) }); // alive
    make(`idxx.tmp-${dead}`, { [UNFINISHED_MARKER]: marker(dead, "idxx") }); // another output
    make(`idx.tmp-${dead + 6}`, { [`${UNFINISHED_MARKER}.partial`]: '{"form' }); // killed while writing its marker
    const removed = removeStaleTempDirs(out).map((p) => p.slice(dir.length + 1)).sort();
    assert.deepEqual(removed, [`idx.old-${dead + 1}`, `idx.tmp-${dead + 2}`, `idx.tmp-${dead}`, `idx.tmp-${dead + 6}`].sort());
    assert.deepEqual(
      readdirSync(dir).sort(),
      [`idx.tmp-${dead + 3}`, `idx.tmp-${dead + 4}`, `idx.tmp-${dead + 5}`, `idx.tmp-${process.ppid}`, `idxx.tmp-${dead}`].sort(),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("namingPath names the file in a system error that has none; closeFiles closes all and reports the first failure", () => {
  const enospc = () => {
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" });
  };
  assert.throws(() => namingPath("/data/idx.tmp-1/captions.blocks", enospc), (e: unknown) => systemErrorSentence(e) === "cannot write to /data/idx.tmp-1/captions.blocks: no space left on the device.");
  const dir = mkdtempSync(join(tmpdir(), "cf-fs-"));
  try {
    const a = { fd: openSync(join(dir, "a"), "w"), path: join(dir, "a") };
    const b = { fd: openSync(join(dir, "b"), "w"), path: join(dir, "b") };
    closeSync(a.fd); // closing it again fails
    assert.throws(() => closeFiles([a, b], true), /EBADF/);
    assert.throws(() => closeSync(b.fd), /EBADF/, "b was closed although a failed");
    closeFiles([a], false); // quiet
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an operating-system error a user can fix is one sentence; any other error is not", () => {
  const err = (code: string, syscall: string, path?: string) => Object.assign(new Error(`${code}: x`), { code, syscall, path });
  assert.equal(systemErrorSentence(err("ENOSPC", "write", "/data/idx/terms.postings")), "cannot write to /data/idx/terms.postings: no space left on the device.");
  assert.equal(systemErrorSentence(err("EACCES", "open", "/data/x")), "cannot open /data/x: permission denied.");
  assert.equal(systemErrorSentence(err("EROFS", "mkdir", "/mnt/ro/idx")), "cannot create the directory /mnt/ro/idx: the file system is read-only.");
  assert.equal(systemErrorSentence(new Error("a bug")), undefined);
  assert.equal(systemErrorSentence(err("ERR_SOMETHING_INTERNAL", "open")), undefined);
  assert.equal(systemErrorSentence("not an error"), undefined);
});
