/**
 * The analyzer's name and version, recorded in every index manifest (an index built by another
 * version is refused). Kept apart from analyzer.ts so that reading it does not load the tagger's
 * model. Change the leading number whenever a change in src/text can change an index.
 *
 * 3: tokenization no longer depends on the captions read before (see wink-tagger.ts).
 * 4: a piece longer than 256 UTF-8 bytes between spaces is one non-word token (wink-tagger.ts,
 *    MAX_PIECE_BYTES), so analysis costs time linear in a caption's length; shorter pieces are
 *    read as before (the CC-3M validation index is byte-identical but for this version).
 * 5: phrase rule (issue 15): phrase terms are runs of letters and digits ("717", "a320"), and a
 *    token of hyphens, dashes or slashes joins the words around it instead of breaking a phrase;
 *    the terms postings change (the noun postings do not).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const modelVersion = (require("wink-eng-lite-web-model/package.json") as { version: string }).version;
const winkVersion = (require("wink-nlp/package.json") as { version: string }).version;

export const ANALYZER = {
  name: "noun-lemmas/wink-nlp",
  version: `5+wink-nlp@${winkVersion}+wink-eng-lite-web-model@${modelVersion}`,
} as const;
