/**
 * An open text index: the manifest, the noun-lemma postings (the paper's rule), the term postings
 * (phrase candidates) and the kept captions.
 *
 * Opening checks the index's structure: the manifest's fields, each file's byte size against the
 * manifest (always: it is cheap), each file's own structure, and (with `verify`) each file's CRC32.
 * `verifyTextIndex` checks everything, every bitmap decoded too. Damage is a UserError
 * "index DIR is damaged: FILE: what is wrong".
 */
import { basename, join } from "node:path";
import { UserError } from "../errors.js";
import { checkFiles } from "../io/file-checksum.js";
import { CaptionStore } from "./caption-store.js";
import { captionCodec, readTextManifest, type TextIndexManifest } from "./manifest.js";
import { PostingFile } from "../postings/posting-file.js";
import { Positions } from "./positions.js";

export interface OpenOptions {
  /** Check every file's CRC32 against the manifest first (reads every byte of the index). */
  verify?: boolean;
}

export class TextIndex {
  private constructor(
    readonly dir: string,
    readonly manifest: TextIndexManifest,
    readonly nouns: PostingFile,
    readonly terms: PostingFile,
    readonly captions: CaptionStore,
    /** Each caption's phrase-token sequence (`--match phrase` verifies candidates from it). */
    readonly positions: Positions,
  ) {}

  static open(dir: string, opts: OpenOptions = {}): TextIndex {
    const m = readTextManifest(dir);
    const damaged = (name: string) => `index ${dir} is damaged: ${name}`;
    checkFiles(dir, Object.values(m.files), m.checksums, { verify: opts.verify, damaged });
    const posting = (name: string, vocabulary: number) => {
      const f = PostingFile.open(join(dir, name), { where: damaged(name), docCount: m.docCount });
      if (f.termCount !== vocabulary) {
        f.close();
        throw new UserError(`${damaged(name)}: it holds ${f.termCount} terms, the manifest says ${vocabulary}.`);
      }
      return f;
    };
    const nouns = posting(m.files.nouns, m.vocabulary.nouns);
    let terms: PostingFile | undefined;
    let captions: CaptionStore | undefined;
    try {
      terms = posting(m.files.terms, m.vocabulary.terms);
      captions = new CaptionStore(join(dir, m.files.captions), join(dir, m.files.offsets), m.docCount, (p) => damaged(basename(p)), captionCodec(m));
      const positions = new Positions(
        join(dir, m.files.positions),
        join(dir, m.files.positionsOffsets),
        join(dir, m.files.phraseTokens),
        m.docCount,
        (p) => damaged(basename(p)),
        m.vocabulary.phraseTokens,
      );
      return new TextIndex(dir, m, nouns, terms, captions, positions);
    } catch (e) {
      nouns.close();
      terms?.close();
      captions?.close();
      throw e;
    }
  }

  get docCount(): number {
    return this.manifest.docCount;
  }

  close(): void {
    this.nouns.close();
    this.terms.close();
    this.captions.close();
  }
}

export interface VerifyResult {
  docCount: number;
  files: number;
  bytes: number;
  bitmaps: number;
}

/**
 * Checks a whole text index: structure, every file's size and CRC32, every bitmap decoded and its
 * cardinality and ids checked against its table entry and the doc count, every caption block.
 */
export function verifyTextIndex(dir: string): VerifyResult {
  const index = TextIndex.open(dir, { verify: true });
  try {
    let bitmaps = 0;
    for (const file of [index.nouns, index.terms]) {
      for (const term of file.terms()) {
        file.get(term);
        bitmaps++;
      }
    }
    index.captions.checkAll(); // (every block decompressed too)
    index.positions.checkAll(); // (reads the dictionary and checks its token count too)
    const checks = Object.values(index.manifest.checksums);
    return { docCount: index.docCount, files: checks.length, bytes: checks.reduce((a, c) => a + c.bytes, 0), bitmaps };
  } finally {
    index.close();
  }
}
