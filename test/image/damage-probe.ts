// Run by damage.test.ts in a child process (so that a hang is a timeout, not a stuck test run):
// for each image index directory given, counts the concepts as `count` does (image and integrated
// modes, without and with --verify) and verifies it as `image-index verify` does, and prints one
// JSON line per directory: the counts or the error of each command, and whether the CLI would
// print the error as one sentence (a UserError or an operating-system error a user can fix).
import { readFileSync } from "node:fs";
import { isUserError } from "../../src/errors.js";
import { countConceptsByMode, type CountMode } from "../../src/image/count-modes.js";
import { ImageIndex, verifyImageIndexes } from "../../src/image/image-index.js";
import { systemErrorSentence } from "../../src/io/file-system.js";
import { TextIndex } from "../../src/text-index/text-index.js";

const [conceptsFile, textDir, ...dirs] = process.argv.slice(2);
const concepts = readFileSync(conceptsFile!, "utf8").split("\n").filter(Boolean);
const text = TextIndex.open(textDir!);

type Outcome = { counts: Record<string, number> } | { error: string; sentence: boolean };

function attempt(fn: () => Record<string, number>): Outcome {
  try {
    return { counts: fn() };
  } catch (e) {
    const sentence = isUserError(e) ? e.message : systemErrorSentence(e);
    return { error: sentence ?? String((e as Error)?.stack ?? e), sentence: sentence !== undefined };
  }
}

function count(dir: string, mode: CountMode, verify: boolean): Record<string, number> {
  const image = ImageIndex.open(dir, { verify });
  try {
    const { counts } = countConceptsByMode(concepts, { mode, text, image });
    return Object.fromEntries(counts.map((c) => [c.concept, c.count]));
  } finally {
    image.close();
  }
}

for (const dir of dirs) {
  process.stderr.write(`probing ${dir}\n`);
  const out: Record<string, Outcome> = {
    image: attempt(() => count(dir, "image", false)),
    integrated: attempt(() => count(dir, "integrated", false)),
    "image --verify": attempt(() => count(dir, "image", true)),
    "integrated --verify": attempt(() => count(dir, "integrated", true)),
    verify: attempt(() => {
      verifyImageIndexes(dir);
      return {};
    }),
  };
  process.stdout.write(JSON.stringify({ dir, out }) + "\n");
}
text.close();
