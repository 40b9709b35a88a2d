import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeCaption, analyzeCaptionForIndex, lemmatizeAsNoun, phraseTokens, letterRuns } from "../../src/text/analyzer.js";
import { parseConcept } from "../../src/text/concept-query.js";

test("a caption becomes its sorted set of noun and proper-noun lemmas", () => {
  assert.deepEqual(analyzeCaption("Three geese flying over the lake near two dogs"), ["dog", "goose", "lake"]);
  // adjectives and verbs are not nouns: the paper's rule gives "great white shark" only "shark"
  assert.deepEqual(analyzeCaption("a great white shark in the sea"), ["sea", "shark"]);
  // duplicates collapse, case folds
  assert.deepEqual(analyzeCaption("Dog and dog and dogs"), ["dog"]);
});

test("lemmas are lowercase letters only", () => {
  assert.deepEqual(letterRuns("t-shirt"), ["t", "shirt"]);
  assert.deepEqual(letterRuns("3d"), ["d"]);
  assert.deepEqual(letterRuns("..."), []);
  for (const l of analyzeCaption("The iPhone 12, a T-Shirt & 3 cats!")) assert.match(l, /^\p{Ll}+$/u);
});

test("the index analysis keeps nouns and the non-stopword terms of every POS", () => {
  const a = analyzeCaptionForIndex("a hot dog on a plate");
  assert.ok(a.nouns.includes("dog") && a.nouns.includes("plate"));
  assert.ok(a.terms.includes("hot"));
  assert.ok(!a.terms.includes("a") && !a.terms.includes("on"));
});

test("concept words are lemmatised as nouns", () => {
  assert.deepEqual(lemmatizeAsNoun("geese"), ["goose"]);
  assert.deepEqual(lemmatizeAsNoun("leaves"), ["leaf"]);
  assert.deepEqual(lemmatizeAsNoun("Mice"), ["mouse"]);
});

test("concept names: lowercase, separators, disambiguation, alternates", () => {
  const kite = parseConcept("kite (bird of prey)");
  assert.deepEqual(kite.alternates.map((a) => a.map((w) => w.lemma)), [["kite"]]);
  const shark = parseConcept("Great_White-Shark");
  assert.deepEqual(shark.alternates[0]!.map((w) => w.lemma), ["great", "white", "shark"]);
  const seaLion = parseConcept("sea lion|sealion");
  assert.equal(seaLion.alternates.length, 2);
  assert.deepEqual(parseConcept("red/green light").alternates[0]!.map((w) => w.lemma), ["red", "green", "light"]);
  assert.equal(parseConcept("sea lion|sealion").name, "sea lion|sealion");
});

test("phrase tokens keep order and mark punctuation as a break", () => {
  const t = phraseTokens("a hot, dog");
  assert.deepEqual(t.map((x) => x.lemma), ["a", "hot", "", "dog"]);
});

test("a concept word the tagger does not read as a noun keeps its written form", () => {
  // wink reads "cd" as the contraction of "could"; the concept "cd" must not become "could"
  assert.deepEqual(lemmatizeAsNoun("cd"), ["cd"]);
  assert.deepEqual(parseConcept("CD player").alternates[0]!.map((w) => w.lemma), ["cd", "player"]);
});

test("the memoised one-pass token reader agrees with wink-nlp's public three-pass output", async () => {
  const { fastPathAgrees } = await import("../../src/text/analyzer.js");
  const samples = [
    "Two geese don't fly over the T-shirt shop; they're in N.Y. at 3pm!",
    "a hot dog on a plate",
    "The Beatles' iPhone cases, leaves and mice",
    "actor attends the premiere of the film",
    "a dog on a hot day",
    "it's a dog's life: can't stop, won't stop",
  ];
  // twice: the second pass reads every token from the memo
  for (let pass = 0; pass < 2; pass++) for (const s of samples) assert.ok(fastPathAgrees(s), s);
});

test("captions tagged in batches get exactly the analysis each gets alone", async () => {
  const { analyzeCaptionsForIndex } = await import("../../src/text/analyzer.js");
  const captions = [
    "author : a life in photography -- in pictures",
    "an angler fishes river on a snowy day .",
    "Two geese don't fly over the T-shirt shop; they're in N.Y.!",
    "...",
    "a line\nbreak inside a caption",
    "a caption with the batch mark \u2042 in it",
    "leaves",
    "the dog",
    "actor attends the premiere of the film",
    "\"quoted\" words, and (brackets) [too]",
  ];
  // and a larger, varied set: every pair of halves
  for (const a of captions.slice(0, 6)) for (const b of captions.slice(2, 9)) captions.push(`${a.slice(0, a.length >> 1)} ${b.slice(b.length >> 1)}`);
  const batched = analyzeCaptionsForIndex(captions);
  captions.forEach((c, i) => assert.deepEqual(batched[i], analyzeCaptionForIndex(c), JSON.stringify(c)));
});

test("lemmatising many concept words in one pass gives the word-by-word lemmas", async () => {
  const { prepareNounLemmas, lemmatizeAsNounUncached } = await import("../../src/text/analyzer.js");
  const words = ["Geese", "leaves", "cd", "mice", "running", "o'", "jeans", "species", "sealions", "don't", "t", "shirts", "people", "glasses", "\u00e9clairs"];
  prepareNounLemmas(words);
  for (const w of words) assert.deepEqual(lemmatizeAsNoun(w), lemmatizeAsNounUncached(w.toLowerCase()), w);
  assert.deepEqual(lemmatizeAsNoun("cd"), ["cd"]);
});
