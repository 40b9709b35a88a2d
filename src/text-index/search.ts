import { parseConcept } from "../text/concept-query.js";
import { matchConcept, type MatchMode } from "./count.js";
import type { TextIndex } from "./text-index.js";

export interface SearchResult {
  concept: string;
  /** The lemmas the concept was reduced to, one string per alternate ("sea lion | sealion"). */
  words: string[];
  count: number;
  examples: { doc: number; caption: string }[];
}

export interface SearchOptions {
  /** How many matching captions to return (default 10). */
  limit?: number;
  match?: MatchMode;
  /** The text the concept is matched as (e.g. its synonym expansion "couch|sofa|lounge"); default the concept. */
  query?: string;
}

/** A concept's count and its first `limit` matching captions (lowest doc ids first). */
export function searchConcept(index: TextIndex, concept: string, opts: SearchOptions = {}): SearchResult {
  const query = parseConcept(opts.query ?? concept);
  const ids = matchConcept(index, query, opts.match ?? "paper");
  const examples: { doc: number; caption: string }[] = [];
  const limit = opts.limit ?? 10;
  if (limit > 0) {
    for (const doc of ids) {
      examples.push({ doc, caption: index.captions.caption(doc) });
      if (examples.length >= limit) break;
    }
  }
  return { concept, words: query.alternates.map((a) => a.map((w) => w.lemma).join(" ")), count: ids.size, examples };
}
