import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../src/errors.js";
import { freshTempDirBeside, makeDirs, systemErrorSentence } from "../../src/io/file-system.js";

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

test("freshTempDirBeside gives an empty directory beside the output, clearing a leftover", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-fs-"));
  try {
    const out = join(dir, "new", "idx");
    const tmp = freshTempDirBeside(out);
    assert.equal(tmp, `${out}.tmp-${process.pid}`);
    writeFileSync(join(tmp, "partial"), "x");
    assert.deepEqual(readdirSync(freshTempDirBeside(out)), []);
    assert.equal(existsSync(out), false);
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
