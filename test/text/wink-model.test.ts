import { test } from "node:test";
import assert from "node:assert/strict";
import { packageModel, taggerModel } from "../../src/text/wink-model.js";

test("the tagger's model parts are the package's own: the same lexicon, POS rules, features and lemmatizer", () => {
  const ours = taggerModel();
  assert.ok(ours, "wink-eng-lite-web-model's files are where wink-model.ts expects them");
  const pkg = packageModel() as { core(): unknown; pos(): unknown; featureFn: unknown; addons: { lemmatize: unknown } };
  // every field, typed array, Set and null-prototype hash, as the package's core() builds it, but
  // the lexeme hash: a Map behind a proxy, which reads and writes as the package's object does
  type Core = { features: { lexeme: { hash: Record<string, number>; list: string[] } } };
  const mine = ours.core() as unknown as Core;
  const theirs = pkg.core() as Core;
  const myHash = mine.features.lexeme.hash;
  const theirHash = theirs.features.lexeme.hash;
  const words = Object.keys(theirHash);
  assert.equal(words.length > 80_000, true);
  for (const w of words) assert.equal(myHash[w], theirHash[w], w);
  for (const w of ["", "constructor", "__proto__", "toString", "zzqx-not-a-word"]) assert.equal(myHash[w], theirHash[w], w);
  myHash["zzqx-not-a-word"] = 123; // wink's cache adds the words it learns
  assert.equal(myHash["zzqx-not-a-word"], 123);
  mine.features.lexeme.hash = theirHash;
  assert.deepStrictEqual(mine, theirs);
  assert.deepStrictEqual(ours.pos(), pkg.pos());
  assert.equal(ours.featureFn, pkg.featureFn);
  assert.equal((ours.addons as { lemmatize: unknown }).lemmatize, pkg.addons.lemmatize);
});

test("each core() is a fresh lexicon (a tagger's lexicon grows with the words it learns)", () => {
  const ours = taggerModel()!;
  const a = ours.core() as unknown as { features: { lexeme: { hash: object } } };
  const b = ours.core() as unknown as { features: { lexeme: { hash: object } } };
  assert.notEqual(a.features.lexeme.hash, b.features.lexeme.hash);
});
