import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeCaption, analyzeCaptionForIndex, phraseTokens } from "../../src/text/analyzer.js";
import { lemmatizeAsNoun } from "../../src/text/concept-lemmas.js";
import { letterRuns } from "../../src/text/word-rule.js";
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

test("the tagger gives exactly wink-nlp's readDoc tokens, tags and lemmas", async () => {
  const { taggerAgrees } = await import("../../src/text/forms-memo.js");
  const samples = [
    "Two geese don't fly over the T-shirt shop; they're in N.Y. at 3pm!",
    "a hot dog on a plate",
    "The Beatles' iPhone cases, leaves and mice",
    "actor attends the premiere of the film",
    "a dog on a hot day",
    "it's a dog's life: can't stop, won't stop",
    "y'all gonna love this ain't it? Let's go -- now...",
    "visit http://example.com/a?b=1 or www.foo.org, mail me@x.com #sunset @user :) :-( \u{1F600}\u{1F389}",
    "$5.50 for 3rd-place 1990s posters at 10:30 a.m. (100% off) & more + less = fun",
    "\u201cquoted\u201d \u2018single\u2019 \u00abguillemets\u00bb [brackets] {braces} <b>bold</b> \u2014 dash \u2013 en",
    "caf\u00e9 na\u00efve Z\u00fcrich \u6771\u4eac \u043f\u0440\u0438\u0432\u0435\u0442 \u00e9clairs",
    "a line\nbreak,\ta tab,\r\nand CRLF",
    "non\u00a0breaking\u2009thin and  double   spaces",
    // every space wink splits on, ASCII or not (two and three UTF-8 bytes), and characters whose
    // UTF-8 starts as theirs does but that are not spaces
    "a\u2002b\u2003c\u2004d\u2005e\u2009f\u200ag\u202fh\u205fi \u00a0\u2003 j",
    "\u00a9 2019\u00ad soft\u2060joiner \u2028line\u2029para \u0085next \u2012\u2013\u2014\u2026 \u20ac5 \u2122",
    "ends in a wide space\u2003",
    "ends in a nbsp\u00a0",
    "\u205f",
    "   leading and trailing   ",
    "",
    "DOGS RUNNING IN THE PARK",
    "rock'n'roll o'clock mcdonald's dogs' James' x-ray c++ C# a/b",
    "St. Mr. Mrs. Dr. Inc. Ltd. vs. etc. e.g. U.S. jr.",
  ];
  // a caption longer than the tagger's initial buffers, and one made of many distinct pieces
  samples.push(Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? "dogs," : "the cat")).join(" "));
  samples.push(Array.from({ length: 300 }, (_, i) => `word${i}s`).join(" "));
  // more distinct pieces than the tagger's first piece table holds (it grows while tagging), and
  // pieces too long to lie in a table entry
  samples.push(Array.from({ length: 13000 }, (_, i) => `p${i.toString(36)}q`).join(" "));
  samples.push("supercalifragilisticexpialidocious antidisestablishmentarianism's pneumonoultramicroscopicsilicovolcanoconiosis");
  // twice: the second pass reads every piece and token from the memo
  for (let pass = 0; pass < 2; pass++) for (const s of samples) assert.ok(taggerAgrees(s), JSON.stringify(s));
});

test("a caption's analysis does not depend on the captions analysed before it", () => {
  // wink's own readDoc learns "dog's" as one word from a text where it stands between quotes, and
  // from then on reads "a dog's bone" differently ("dog's" -> lemma runs "dog", "s"); the analyzer must not.
  const before = analyzeCaptionForIndex("a dog's bone");
  assert.ok(before.nouns.includes("dog") && before.nouns.includes("bone"), JSON.stringify(before));
  analyzeCaptionForIndex("\u00abdog's\u00bb (dog's) \"dog's\" [dog's]");
  assert.deepEqual(analyzeCaptionForIndex("a dog's bone"), before);
});

test("lemmatising many concept words in one pass gives the word-by-word lemmas", async () => {
  const { prepareNounLemmas, lemmatizeAsNounUncached } = await import("../../src/text/concept-lemmas.js");
  const words = ["Geese", "leaves", "cd", "mice", "running", "o'", "jeans", "species", "sealions", "don't", "t", "shirts", "people", "glasses", "\u00e9clairs"];
  prepareNounLemmas(words);
  for (const w of words) assert.deepEqual(lemmatizeAsNoun(w), lemmatizeAsNounUncached(w.toLowerCase()), w);
  assert.deepEqual(lemmatizeAsNoun("cd"), ["cd"]);
});

test("forgetting what the analyzer learnt does not change any caption's analysis", async () => {
  const { analyzeCaptionTermIds, analyzerMemorySize, newCaptionTermIds, resetAnalyzerMemory } = await import("../../src/text/forms-memo.js");
  const { NOUN_TERMS, PHRASE_TERMS } = await import("../../src/text/term-interning.js");
  const captions = [
    "Two geese don't fly over the T-shirt shop; they're in N.Y. at 3pm!",
    "a zyxwvut and a qwertyuiop on the \u00abdog's\u00bb mat",
    "a dog's bone near the caf\u00e9",
    "actor attends the premiere of the film",
  ];
  const read = () => readTermTexts(captions);
  const before = await read();
  assert.ok(analyzerMemorySize() > 0);
  resetAnalyzerMemory();
  assert.equal(NOUN_TERMS.texts.length + PHRASE_TERMS.texts.length, 0);
  assert.deepEqual(await read(), before);
  assert.deepEqual(before, captions.map((c) => analyzeCaptionForIndex(c)));
  // a caption part of a longer string, as the index build passes them
  const joined = captions.join("");
  const ids = newCaptionTermIds();
  analyzeCaptionTermIds(joined, ids, captions[0]!.length, captions[0]!.length + captions[1]!.length);
  assert.deepEqual([...ids.nouns.subarray(0, ids.nNouns)].map((i) => NOUN_TERMS.texts[i]), before[1]!.nouns);
});

test("the index build's byte path gives the string path's term ids, for captions anywhere in a batch", async () => {
  const { analyzeCaptionBytesTermIds, analyzeCaptionTermIds, newCaptionTermIds } = await import("../../src/text/forms-memo.js");
  const { NOUN_TERMS, PHRASE_TERMS } = await import("../../src/text/term-interning.js");
  const captions = [
    "Two geese don't fly over the T-shirt shop; they're in N.Y. at 3pm!",
    "caf\u00e9 na\u00efve Z\u00fcrich \u6771\u4eac dog \u{1F600} cat",
    "non\u00a0breaking\u2009thin\u205fspaces\u2003and \u2013 dashes \u2014 \u00a9",
    "a line\nbreak,\ta tab,\r\nand CRLF",
    "the dogs",
  ];
  const read = (ids: ReturnType<typeof newCaptionTermIds>) => ({
    nouns: [...ids.nouns.subarray(0, ids.nNouns)].map((i) => NOUN_TERMS.texts[i]),
    terms: [...ids.terms.subarray(0, ids.nTerms)].map((i) => PHRASE_TERMS.texts[i]),
  });
  const bytes = Buffer.from(captions.join(""), "utf8");
  let at = 0;
  for (const c of captions) {
    const end = at + Buffer.byteLength(c, "utf8");
    const fromBytes = newCaptionTermIds();
    analyzeCaptionBytesTermIds(bytes, fromBytes, at, end);
    const fromString = newCaptionTermIds();
    analyzeCaptionTermIds(c, fromString);
    assert.deepEqual(read(fromBytes), read(fromString), c);
    assert.deepEqual(read(fromBytes), analyzeCaptionForIndex(c), c);
    at = end;
  }
});

test("a lone surrogate is read as U+FFFD, as the caption store keeps it", () => {
  assert.deepEqual(analyzeCaptionForIndex("a lone \ud800 dog"), analyzeCaptionForIndex("a lone \ufffd dog"));
  assert.deepEqual(analyzeCaptionForIndex("dog\udc00s and cats"), analyzeCaptionForIndex("dog\ufffds and cats"));
});

test("a tagger made anew after every caption analyses every caption the same", async () => {
  const { setTaggerRenewal } = await import("../../src/text/forms-memo.js");
  const captions = ["a zyxwvut on the qwertyuiop", "\u00abdog's\u00bb bone", "a dog's bone", "Two geese don't fly over N.Y.!", "a zyxwvut again"];
  const before = captions.map((c) => analyzeCaptionForIndex(c));
  setTaggerRenewal(0);
  try {
    assert.deepEqual(captions.map((c) => analyzeCaptionForIndex(c)), before);
    assert.deepEqual(phraseTokens("a dog's bone"), phraseTokens("a dog's bone"));
  } finally {
    setTaggerRenewal(2_000_000);
  }
});

test("phrase rule: digits are part of words, hyphens, dashes and slashes join words, punctuation breaks", async () => {
  const { phraseRuns, isPhraseJoiner } = await import("../../src/text/word-rule.js");
  const words = (s: string) => phraseTokens(s).map((t) => t.surface || "|");
  assert.deepEqual(phraseRuns("a320"), ["a320"]);
  assert.deepEqual(phraseRuns("c-130"), ["c", "130"]);
  assert.deepEqual(words("a Boeing 717 and an A320"), ["a", "boeing", "717", "and", "an", "a320"]);
  assert.deepEqual(words("C-130 Hercules"), ["c", "130", "hercules"]);
  assert.deepEqual(words("F-16A/B jets"), ["f", "16a", "b", "jets"]);
  // CC-3M writes hyphens spaced: a joiner between two words joins them, spaced or not
  assert.deepEqual(words("a t - shirt"), ["a", "t", "shirt"]);
  assert.deepEqual(words("a t-shirt"), ["a", "t", "shirt"]);
  assert.deepEqual(words("close - up of a cat"), ["close", "up", "of", "a", "cat"]);
  assert.deepEqual(words("cat \u2013 dog \u2014 bird"), ["cat", "dog", "bird"]);
  // other punctuation still breaks a phrase
  assert.deepEqual(words("a hot , dog"), ["a", "hot", "|", "dog"]);
  assert.ok(isPhraseJoiner("-") && isPhraseJoiner("\u2014") && isPhraseJoiner("/") && !isPhraseJoiner(",") && !isPhraseJoiner("-a"));
  // the paper's rule is unchanged: letters only
  const paper = analyzeCaption("a Boeing 717 and an A320");
  assert.ok(paper.includes("boeing") && paper.every((l) => /^\p{L}+$/u.test(l)));
});

test("phrase rule for concept names: the captions' tokenizer, letters and digits, noun lemmas", async () => {
  const { phraseAlternatesOf } = await import("../../src/text/concept-query.js");
  const words = (name: string) => phraseAlternatesOf(parseConcept(name)).map((a) => a.map((w) => w.surface).join(" "));
  assert.deepEqual(words("Boeing 717"), ["boeing 717"]);
  assert.deepEqual(words("A320"), ["a320"]);
  assert.deepEqual(words("C-130"), ["c 130"]);
  assert.deepEqual(words("F-16A/B"), ["f 16a b"]);
  assert.deepEqual(words("t-shirt"), ["t shirt"]);
  assert.deepEqual(words("t - shirt|t shirt"), ["t shirt", "t shirt"]);
  assert.deepEqual(words("sea_lion (animal)|sealion"), ["sea lion", "sealion"]);
  assert.deepEqual(phraseAlternatesOf(parseConcept("geese"))[0]![0], { lemma: "goose", surface: "geese" });
  // paper mode keeps letters only: "A320" is the word "a"
  assert.deepEqual(parseConcept("A320").alternates.map((a) => a.map((w) => w.lemma)), [["a"]]);
});

test("an index-only memo (a build worker's) gives the same term ids and phrase tokens, and captionTokens still works after it", async () => {
  const { analyzeForIndexOnly, captionTokens } = await import("../../src/text/forms-memo.js");
  const captions = ["Two geese don't fly over the T-shirt shop; they're in N.Y. at 3pm!", "a Boeing 717 and a C-130 near the dog's mat", "the dogs"];
  const read = () => readTermTexts(captions, true);
  const tokensBefore = captions.map((c) => captionTokens(c));
  const before = await read();
  analyzeForIndexOnly();
  assert.deepEqual(await read(), before);
  assert.deepEqual(await read(), before); // from the memo this time
  // the forms objects are made again for captionTokens
  assert.deepEqual(captions.map((c) => captionTokens(c)), tokensBefore);
  assert.deepEqual(captions.map((c) => phraseTokens(c)), tokensBefore.map((tokens) => tokens.flatMap((t) => t.phrase)));
  assert.deepEqual(await read(), before);
});

/** Each caption's term ids (and, withPhrase, its phrase-token ids) from the index build's analysis, as their texts. */
async function readTermTexts(captions: string[], withPhrase = false) {
  const { analyzeCaptionTermIds, newCaptionTermIds } = await import("../../src/text/forms-memo.js");
  const { NOUN_TERMS, PHRASE_TERMS, PHRASE_TOKENS } = await import("../../src/text/term-interning.js");
  return captions.map((c) => {
    const ids = newCaptionTermIds();
    analyzeCaptionTermIds(c, ids);
    const nouns = [...ids.nouns.subarray(0, ids.nNouns)].map((i) => NOUN_TERMS.texts[i]);
    const terms = [...ids.terms.subarray(0, ids.nTerms)].map((i) => PHRASE_TERMS.texts[i]);
    return withPhrase ? { nouns, terms, phrase: [...ids.phrase.subarray(0, ids.nPhrase)].map((i) => PHRASE_TOKENS.texts[i]) } : { nouns, terms };
  });
}
