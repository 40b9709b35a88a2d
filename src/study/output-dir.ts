/**
 * A study's output directory: the marker file that lists what a run wrote (it marks the directory as
 * a study's), the check that a directory may be written to, every write, and the pruning of what an
 * earlier run wrote and this one did not. A study never writes over, or prunes, files it did not write.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { makeDirs } from "../io/file-system.js";

/** The list of files a study run wrote, kept in the output directory; it marks the directory as a study's. */
export const STUDY_MARKER = ".conceptfreq-study.json";
const MARKER_FORMAT = "conceptfreq-study-outputs";
const MARKER_VERSION = 1;

interface StudyMarker {
  format: typeof MARKER_FORMAT;
  version: typeof MARKER_VERSION;
  files: string[];
}

function markerText(files: string[]): string {
  const m: StudyMarker = { format: MARKER_FORMAT, version: MARKER_VERSION, files };
  return JSON.stringify(m, null, 2) + "\n";
}

function readMarker(out: string): StudyMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(out, STUDY_MARKER), "utf8")) as StudyMarker;
    return m.format === MARKER_FORMAT && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An existing output directory must be a study's (it holds the marker), empty, or hold nothing but the
 * manifest itself.
 */
function checkOutputDir(out: string, shown: string, manifestPath: string): StudyMarker | undefined {
  if (!existsSync(out)) return undefined;
  if (!statSync(out).isDirectory()) throw new UserError(`${shown} exists and is not a directory.`);
  const marker = readMarker(out);
  if (marker) return marker;
  const others = readdirSync(out).filter((n) => join(out, n) !== resolve(manifestPath));
  if (others.length > 0) {
    throw new UserError(`${shown} exists and is not a study's output directory; give a new or empty directory to --out.`);
  }
  return undefined;
}

/** The output directory of one run: checked when made, marked when opened, pruned and listed when finished. */
export class StudyOutputDir {
  private readonly written = new Set<string>();
  private readonly previous: StudyMarker | undefined;

  /** Checks the directory (throws a UserError when it is not ours to write); writes nothing. */
  constructor(
    readonly out: string,
    shown: string,
    manifestPath: string,
  ) {
    this.previous = checkOutputDir(out, shown, manifestPath);
  }

  /** Creates and marks the directory at once, so that a run that fails half-way leaves a directory the next run accepts. */
  open(): void {
    makeDirs(this.out);
    if (!this.previous) writeFileAtomic(join(this.out, STUDY_MARKER), markerText([]));
  }

  /** Writes a file (path relative to the directory, "/"-separated) and records it; returns the relative path. */
  write(relPath: string, data: string | Uint8Array): string {
    writeFileAtomic(join(this.out, relPath), data);
    this.written.add(relPath);
    return relPath;
  }

  /** Removes the files an earlier run wrote that this run did not (and then empty directories under them), and lists this run's. */
  finish(): void {
    for (const f of this.previous?.files ?? []) {
      if (this.written.has(f) || f.split("/").some((s) => s === ".." || s === "")) continue;
      rmSync(join(this.out, f), { force: true });
      let dir = dirname(f);
      while (dir !== "." && existsSync(join(this.out, dir)) && readdirSync(join(this.out, dir)).length === 0) {
        rmSync(join(this.out, dir), { recursive: true });
        dir = dirname(dir);
      }
    }
    writeFileAtomic(join(this.out, STUDY_MARKER), markerText([...this.written].sort()));
  }
}
