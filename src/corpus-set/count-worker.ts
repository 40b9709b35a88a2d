/**
 * A count worker (count-parallel.ts): opens the text index or corpus, says so, then counts the one
 * slice of parsed concepts it is sent and replies with the counts (or its error) once.
 */
import { adoptPhraseAlternates } from "../text/concept-query.js";
import type { CountSlice } from "./count-parallel.js";
import { serveOneSlice } from "./slice-worker.js";

serveOneSlice<CountSlice>((source, slice, match) => {
  slice.phrase?.forEach((alternates, i) => adoptPhraseAlternates(slice.parsed[i]!, alternates));
  return source.countConcepts(slice.concepts, { match, parsed: slice.parsed }).map((c) => c.count);
});
