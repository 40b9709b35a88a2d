import { test } from "node:test";
import assert from "node:assert/strict";
import { buildPrompts, fillTemplate, OPENAI_IMAGENET_TEMPLATES, promptTemplates } from "../../src/evaluate/prompts.js";

test("the CLIP paper's 80 ImageNet templates, in the notebook's order", () => {
  const t = OPENAI_IMAGENET_TEMPLATES;
  assert.equal(t.length, 80);
  assert.equal(new Set(t).size, 80);
  assert.ok(t.every((x) => x.split("{}").length === 2));
  assert.deepEqual(t.slice(0, 5), ["a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.", "a photo of the hard to see {}.", "a low resolution photo of the {}."]);
  assert.equal(t[35], "a {} in a video game.");
  assert.equal(t[39], "a photo of a {}.");
  assert.equal(t[41], "the {} in a video game.");
  assert.deepEqual(t.slice(-3), ["a photo of a cool {}.", "a photo of a small {}.", "a tattoo of the {}."]);
  // the 7 templates OpenAI's forward selection picked are all in the list
  for (const s of ["itap of a {}.", "a bad photo of the {}.", "a origami {}.", "a photo of the large {}.", "a {} in a video game.", "art of the {}.", "a photo of the small {}."]) {
    assert.ok(t.includes(s), s);
  }
});

test("prompts are class-major: all templates of class 0, then class 1", () => {
  assert.deepEqual(buildPrompts(["cat", "tiger shark"], "simple"), ["a photo of a cat.", "a photo of a tiger shark."]);
  assert.deepEqual(buildPrompts(["cat", "dog"], "class"), ["cat", "dog"]);
  const e = buildPrompts(["cat", "dog"], "ensemble");
  assert.equal(e.length, 160);
  assert.equal(e[0], "a bad photo of a cat.");
  assert.equal(e[79], "a tattoo of the cat.");
  assert.equal(e[80], "a bad photo of a dog.");
  assert.equal(promptTemplates("ensemble").length, 80);
  assert.equal(fillTemplate("{} and {}", "x"), "x and x");
});
