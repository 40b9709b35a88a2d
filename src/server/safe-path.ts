/**
 * Which study-directory files the dashboard may serve, and the one way it opens them.
 *
 * A request path is accepted only when every check passes:
 *   - it is relative, made of plain segments (no "", ".", "..", backslash, NUL or control characters);
 *   - it names an allowlisted output: report.html, results.csv/json, cross-corpus.json, study-data.json,
 *     or a .svg/.png/.json file under plots/, counts/ or tail/;
 *   - its real path (symlinks resolved) lies inside the study directory's real path, and is a regular file.
 * The file is then opened with O_NOFOLLOW on that real path, so a symlink swapped in after the check
 * is not followed either.
 */
import { constants, promises as fsp, realpathSync } from "node:fs";
import { extname, join, sep } from "node:path";
import { ApiError } from "./study-api.js";

const TOP_FILES = new Set(["report.html", "results.csv", "results.json", "cross-corpus.json", "study-data.json"]);
const SUBDIRS = new Set(["plots", "counts", "tail"]);
const SUBDIR_EXTENSIONS = new Set([".svg", ".png", ".json"]);
const MAX_BYTES = 256 * 1024 * 1024;

export const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Checks the shape of a requested path; returns its segments. */
export function checkRequestPath(requested: string): string[] {
  if (requested.length === 0) throw new ApiError(404, "no file named.");
  if (requested.length > 512) throw new ApiError(400, "the file path is too long.");
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(requested)) throw new ApiError(400, "the file path holds a backslash or a control character.");
  const segments = requested.split("/");
  for (const s of segments) {
    if (s === "" || s === "." || s === "..") throw new ApiError(400, `the file path "${requested}" is not a plain relative path.`);
  }
  const allowed =
    (segments.length === 1 && TOP_FILES.has(segments[0]!)) || (segments.length > 1 && SUBDIRS.has(segments[0]!) && SUBDIR_EXTENSIONS.has(extname(requested).toLowerCase()));
  if (!allowed) throw new ApiError(404, `"${requested}" is not a study output the dashboard serves.`);
  return segments;
}

/** The real path of an allowlisted file inside the study directory, or an ApiError. */
export function resolveStudyFile(studyRealDir: string, requested: string): string {
  const segments = checkRequestPath(requested);
  let real: string;
  try {
    real = realpathSync(join(studyRealDir, ...segments));
  } catch {
    throw new ApiError(404, `the study has no file "${requested}".`);
  }
  if (!real.startsWith(studyRealDir + sep)) throw new ApiError(403, `"${requested}" leads outside the study directory.`);
  return real;
}

/** Reads a resolved study file (regular files only, no symlink followed at open). */
export async function readStudyFile(real: string, requested: string): Promise<Buffer> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    throw new ApiError(404, `the study has no file "${requested}".`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new ApiError(404, `"${requested}" is not a file.`);
    if (st.size > MAX_BYTES) throw new ApiError(413, `"${requested}" is too large to serve.`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
