/**
 * The public library API: `import { ... } from "conceptfreq"`.
 * Each stage adds its exports in its own block.
 */
// --- text ---
export { ANALYZER, analyzeCaption, analyzeCaptionForIndex, phraseTokens, lemmatizeAsNoun } from "./text/analyzer.js";
export { parseConcept, type ConceptQuery, type ConceptWord } from "./text/concept-query.js";
export { UserError } from "./errors.js";
// --- corpus ---
export type { CaptionRow, ReaderOptions, CorpusFormat, MalformedKind } from "./corpus/record.js";
export { openCorpus, detectFormat } from "./corpus/open.js";
export { MALFORMED_KINDS, DEFAULT_MAX_CAPTION_LENGTH, DEFAULT_BATCH_ROWS } from "./corpus/record.js";
// --- index ---
export { PostingFile, PostingFileWriter, RoaringBitmap32 } from "./index/posting-file.js";
// --- analysis ---
// --- report ---
// --- evaluate ---
// --- image ---
// --- longtail ---
// --- study ---
