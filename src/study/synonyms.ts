/**
 * A study's synonym expansions: for each corpus counted from a text index and each dataset, the
 * alternates every concept is counted as (`count --synonyms`), from WordNet or a frozen file.
 *
 * The setting in force is the dataset's, else the corpus', else the study's (manifest.synonymsFor).
 * Each distinct (setting, dataset) is expanded once; WordNet is opened once per study. The study
 * writes every expansion it used to synonyms/CORPUS/DATASET.json in the format `--explain` writes,
 * which a manifest can give back as `synonyms: FILE` to freeze it.
 */
import { expandFromFile, expandWithWordNet, type SynonymExpansion } from "../concepts/synonyms.js";
import { WordNet } from "../concepts/wordnet.js";
import { corpusModes, synonymsFor, type StudyManifest, type StudySynonyms } from "./manifest.js";
import { displayPath } from "./display-path.js";

export interface StudyExpansions {
  /** The expansion of a dataset's concepts in a corpus (undefined: counted under their own names). */
  get(corpus: string, dataset: string): SynonymExpansion | undefined;
  /** Every expansion in use, in manifest order of corpora, then datasets. */
  all(): { corpus: string; dataset: string; expansion: SynonymExpansion }[];
}

/** Does the corpus count any of the study's modes from its text index (where synonyms apply)? */
function countsCaptions(m: StudyManifest, c: StudyManifest["corpora"][number]): boolean {
  return c.index !== undefined && m.analyses.modes.some((x) => x !== "image" && c.counts[x] === undefined && corpusModes(c).includes(x));
}

function settingKey(s: Exclude<StudySynonyms, null>): string {
  return s.source === "wordnet" ? `wordnet\0${s.senses}` : `file\0${s.file}`;
}

/**
 * Expands the datasets' concepts (given per dataset, aliases applied) for every corpus whose text
 * index counts them. Problems (an unknown sense pin, an unreadable file) are thrown as UserErrors by
 * the expansion functions; `note` receives what is informative (concepts a frozen file does not list,
 * settings that do not apply to count files).
 */
export function expandStudyConcepts(m: StudyManifest, datasets: readonly { name: string; synonyms?: StudySynonyms; concepts_: readonly string[] }[], note: (n: string) => void): StudyExpansions {
  const byKey = new Map<string, SynonymExpansion>();
  const used: { corpus: string; dataset: string; expansion: SynonymExpansion }[] = [];
  let wordnet: WordNet | undefined;
  try {
    for (const c of m.corpora) {
      const captions = countsCaptions(m, c);
      for (const d of datasets) {
        const setting = synonymsFor(m, c, d);
        if (setting === null) continue;
        if (!captions) {
          if (c.synonyms !== undefined || d.synonyms !== undefined) {
            note(`corpus "${c.name}", dataset "${d.name}": synonyms apply to counts from a text index; this corpus' counts come from files (or images) and are used as they are.`);
          }
          continue;
        }
        const key = `${settingKey(setting)}\0${d.name}`;
        let expansion = byKey.get(key);
        if (!expansion) {
          if (setting.source === "wordnet") {
            wordnet ??= WordNet.open();
            expansion = expandWithWordNet(d.concepts_, { senses: setting.senses, wordnet });
          } else {
            const fromFile = expandFromFile(d.concepts_, displayPath(setting.file));
            if (fromFile.unlisted.length > 0) {
              note(`dataset "${d.name}": ${fromFile.unlisted.length} concept(s) not in ${displayPath(setting.file)} are counted under their own name (e.g. "${fromFile.unlisted[0]}").`);
            }
            const { unlisted: _unlisted, ...rest } = fromFile;
            expansion = rest;
          }
          byKey.set(key, expansion);
        }
        used.push({ corpus: c.name, dataset: d.name, expansion });
      }
    }
  } finally {
    wordnet?.close();
  }
  return {
    get: (corpus, dataset) => used.find((u) => u.corpus === corpus && u.dataset === dataset)?.expansion,
    all: () => used,
  };
}
