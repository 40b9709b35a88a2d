/**
 * An open text index: the manifest, the noun-lemma postings (the paper's rule), the term postings
 * (phrase candidates) and the kept captions.
 */
import { join } from "node:path";
import { CaptionStore } from "./caption-store.js";
import { readTextManifest, type TextIndexManifest } from "./manifest.js";
import { PostingFile } from "../postings/posting-file.js";

export class TextIndex {
  private constructor(
    readonly dir: string,
    readonly manifest: TextIndexManifest,
    readonly nouns: PostingFile,
    readonly terms: PostingFile,
    readonly captions: CaptionStore,
  ) {}

  static open(dir: string): TextIndex {
    const m = readTextManifest(dir);
    return new TextIndex(
      dir,
      m,
      PostingFile.open(join(dir, m.files.nouns)),
      PostingFile.open(join(dir, m.files.terms)),
      new CaptionStore(join(dir, m.files.captions), join(dir, m.files.offsets), m.docCount),
    );
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
