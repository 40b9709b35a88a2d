/**
 * wink-nlp's own pipeline (readDoc) and its token readers (`its`): the reference the tagger is
 * checked against, the fallback when there is no tagger, and what concept words are lemmatised by.
 */
import { createRequire } from "node:module";
import { packageModel } from "./wink-model.js";

// wink-nlp and its model are CommonJS. Each is required on first use: the tagger needs only parts
// of them (wink-model.ts), so an index build's workers never load the rest. wink-nlp's instance
// and the tagger each decode their own lexicon (a lexicon cache grows with the words it meets, so
// two must never share one).
const require = createRequire(import.meta.url);

export interface WinkTokens {
  out(f: unknown): string[];
}
export interface WinkDoc {
  tokens(): WinkTokens;
}
export interface WinkNlp {
  readDoc(text: string): WinkDoc;
  its: { pos: unknown; lemma: unknown; normal: unknown; value: unknown };
}

/**
 * POS-only pipeline: tokenisation + POS tagging is all the rule needs (sentence splitting etc. are
 * off). Made on first use: captions go through the tagger (wink-tagger.ts), which needs only the
 * model's lexicon and POS rules, so an index build's workers never load wink's other models.
 */
let nlpInstance: WinkNlp | undefined;
export function nlp(): WinkNlp {
  if (!nlpInstance) {
    const winkNLP = require("wink-nlp") as (model: unknown, pipe?: string[]) => WinkNlp;
    nlpInstance = winkNLP(packageModel(), ["pos"]);
  }
  return nlpInstance;
}
export const its = (() => {
  try {
    return require("wink-nlp/src/its.js") as unknown;
  } catch {
    return nlp().its;
  }
})() as {
  pos(i: number, rdd: Rdd): string;
  lemma(i: number, rdd: Rdd, addons: unknown): string;
  normal(i: number, rdd: Rdd): string;
  value: unknown;
};


/** A readDoc document as wink's token readers take it. */
export interface Rdd {
  tokens: ArrayLike<number>;
}
