/**
 * Prompt sets for zero-shot classification. A set is a list of templates with "{}" standing for the
 * class name; `buildPrompts` writes them class-major (all templates of class 0, then class 1, ...),
 * exactly the row order `classifyZeroShot` expects of the class text embeddings.
 */

export type PromptSet = "simple" | "class" | "ensemble";

export const PROMPT_SETS: readonly PromptSet[] = ["simple", "class", "ensemble"];

/**
 * The 80 ImageNet prompt templates of the CLIP paper, in the order of OpenAI's notebook
 * "Prompt_Engineering_for_ImageNet.ipynb" (openai/CLIP, notebooks/), also open_clip's
 * OPENAI_IMAGENET_TEMPLATES.
 */
export const OPENAI_IMAGENET_TEMPLATES: readonly string[] = [
  "a bad photo of a {}.",
  "a photo of many {}.",
  "a sculpture of a {}.",
  "a photo of the hard to see {}.",
  "a low resolution photo of the {}.",
  "a rendering of a {}.",
  "graffiti of a {}.",
  "a bad photo of the {}.",
  "a cropped photo of the {}.",
  "a tattoo of a {}.",
  "the embroidered {}.",
  "a photo of a hard to see {}.",
  "a bright photo of a {}.",
  "a photo of a clean {}.",
  "a photo of a dirty {}.",
  "a dark photo of the {}.",
  "a drawing of a {}.",
  "a photo of my {}.",
  "the plastic {}.",
  "a photo of the cool {}.",
  "a close-up photo of a {}.",
  "a black and white photo of the {}.",
  "a painting of the {}.",
  "a painting of a {}.",
  "a pixelated photo of the {}.",
  "a sculpture of the {}.",
  "a bright photo of the {}.",
  "a cropped photo of a {}.",
  "a plastic {}.",
  "a photo of the dirty {}.",
  "a jpeg corrupted photo of a {}.",
  "a blurry photo of the {}.",
  "a photo of the {}.",
  "a good photo of the {}.",
  "a rendering of the {}.",
  "a {} in a video game.",
  "a photo of one {}.",
  "a doodle of a {}.",
  "a close-up photo of the {}.",
  "a photo of a {}.",
  "the origami {}.",
  "the {} in a video game.",
  "a sketch of a {}.",
  "a doodle of the {}.",
  "a origami {}.",
  "a low resolution photo of a {}.",
  "the toy {}.",
  "a rendition of the {}.",
  "a photo of the clean {}.",
  "a photo of a large {}.",
  "a rendition of a {}.",
  "a photo of a nice {}.",
  "a photo of a weird {}.",
  "a blurry photo of a {}.",
  "a cartoon {}.",
  "art of a {}.",
  "a sketch of the {}.",
  "a embroidered {}.",
  "a pixelated photo of a {}.",
  "itap of the {}.",
  "a jpeg corrupted photo of the {}.",
  "a good photo of a {}.",
  "a plushie {}.",
  "a photo of the nice {}.",
  "a photo of the small {}.",
  "a photo of the weird {}.",
  "the cartoon {}.",
  "art of the {}.",
  "a drawing of the {}.",
  "a photo of the large {}.",
  "a black and white photo of a {}.",
  "the plushie {}.",
  "a dark photo of a {}.",
  "itap of a {}.",
  "graffiti of the {}.",
  "a toy {}.",
  "itap of my {}.",
  "a photo of a cool {}.",
  "a photo of a small {}.",
  "a tattoo of the {}.",
];

/** The templates of a prompt set. */
export function promptTemplates(set: PromptSet): readonly string[] {
  switch (set) {
    case "simple":
      return ["a photo of a {}."];
    case "class":
      return ["{}"];
    case "ensemble":
      return OPENAI_IMAGENET_TEMPLATES;
  }
}

/** Fills "{}" in a template with a class name. */
export function fillTemplate(template: string, className: string): string {
  return template.split("{}").join(className);
}

/**
 * The prompt strings for every class, class-major: prompt t of class c is at c × templates + t.
 * Embed them in this order and pass `--templates <templates per class>` to `eval classify`.
 */
export function buildPrompts(classNames: readonly string[], set: PromptSet): string[] {
  const templates = promptTemplates(set);
  const out: string[] = [];
  for (const name of classNames) for (const t of templates) out.push(fillTemplate(t, name));
  return out;
}
