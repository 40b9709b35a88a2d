import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../src/errors.js";
import { formatKeyPath, readStudyManifest, validateStudyManifest } from "../../src/study/manifest.js";

const dir = mkdtempSync(join(tmpdir(), "conceptfreq-manifest-"));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const minimal = {
  corpora: [{ name: "cc3m", index: "cc3m.idx" }],
  datasets: [{ name: "cifar10", concepts: "builtin:cifar10", results: [{ model: "rn50", file: "results.json", pointer: "/rn50/classwise" }] }],
};

function errorOf(raw: unknown): string {
  try {
    validateStudyManifest(raw, "study.yaml", dir);
  } catch (e) {
    assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
    return e.message;
  }
  assert.fail("expected a UserError");
}

test("a minimal manifest gets defaults and absolute paths", () => {
  const m = validateStudyManifest(minimal, "study.json", dir);
  assert.equal(m.name, "study");
  assert.deepEqual(m.corpora, [{ name: "cc3m", index: join(dir, "cc3m.idx"), counts: {}, match: "paper", examples: 5 }]);
  assert.equal(m.datasets[0]!.concepts, "builtin:cifar10");
  assert.deepEqual(m.datasets[0]!.results[0], { model: "rn50", file: join(dir, "results.json"), pointer: "/rn50/classwise", corpora: ["cc3m"], scale: 1 });
  assert.deepEqual(m.analyses.modes, ["text"]);
  assert.equal(m.analyses.fit.bootstrap, 1000);
  assert.equal(m.analyses.fit.trim, undefined);
  assert.deepEqual(m.analyses.tail, { rarest: 10, plot: "log" });
  assert.equal(m.analyses.report, true);
});

test("YAML and JSON manifests read the same; relative paths resolve against the manifest's directory", () => {
  mkdirSync(join(dir, "sub"), { recursive: true });
  const y = write(
    "sub/study.yaml",
    `name: mine
corpora:
  - name: cc3m
    index: ../cc3m.idx
    image: { index: img.idx, threshold: 0.25 }
datasets:
  - name: cifar10
    concepts: classes.txt
    results:
      - { model: rn50, file: r.json, pointer: /rn50/classwise, corpora: [cc3m] }
analyses:
  fit: { bootstrap: 0, trim: [0, 2], binning: quantile }
  tail: false
`,
  );
  const j = write(
    "sub/study.json",
    JSON.stringify({
      name: "mine",
      corpora: [{ name: "cc3m", index: "../cc3m.idx", image: { index: "img.idx", threshold: 0.25 } }],
      datasets: [{ name: "cifar10", concepts: "classes.txt", results: [{ model: "rn50", file: "r.json", pointer: "/rn50/classwise", corpora: ["cc3m"] }] }],
      analyses: { fit: { bootstrap: 0, trim: [0, 2], binning: "quantile" }, tail: false },
    }),
  );
  const a = readStudyManifest(y);
  const b = readStudyManifest(j);
  assert.deepEqual({ ...a, source: "" }, { ...b, source: "" });
  assert.equal(a.corpora[0]!.index, join(dir, "cc3m.idx"));
  assert.deepEqual(a.corpora[0]!.image, { index: join(dir, "sub", "img.idx"), threshold: 0.25 });
  assert.deepEqual(a.analyses.modes, ["text", "image", "integrated"], "an image index makes all three modes the default");
  assert.deepEqual(a.analyses.fit.trim, [0, 2]);
  assert.equal(a.analyses.tail, false);
});

test("errors name the offending key path", () => {
  const bad = structuredClone(minimal) as { datasets: { results: Record<string, unknown>[] }[] };
  bad.datasets[0]!.results.push({ model: "vit", file: "r.json", pointer: 3 });
  assert.equal(errorOf(bad), "study.yaml: datasets[0].results[1].pointer: expected a string.");
  assert.equal(errorOf({ datasets: [] }), "study.yaml: corpora: missing (expected a list of corpora).");
  assert.equal(errorOf({ ...minimal, corpora: [{ name: "a", index: "x", colour: "red" }] }), 'study.yaml: corpora[0].colour: unknown key "colour".');
  assert.equal(errorOf({ ...minimal, corpora: [{ name: "a", index: "x", match: "fuzzy" }] }), 'study.yaml: corpora[0].match: expected "paper" or "phrase".');
  assert.match(errorOf({ ...minimal, corpora: [{ name: "../x", index: "x" }] }), /^study\.yaml: corpora\[0\]\.name: expected a name of letters/);
  assert.equal(errorOf({ ...minimal, analyses: { fit: { bins: 1 } } }), "study.yaml: analyses.fit.bins: expected an integer of at least 2.");
  assert.equal(errorOf({ ...minimal, analyses: { modes: ["image"] } }), 'study.yaml: analyses.modes[0]: "image" counting needs a corpus with image counts or an image index (corpora[].counts.image or corpora[].image.index).');
  assert.equal(errorOf({ ...minimal, version: 2 }), "study.yaml: version: expected 1 (the only manifest version).");
  assert.equal(errorOf([1, 2]), "study.yaml: (top level): expected object.");
});

test("cross-references and duplicates are checked", () => {
  assert.equal(
    errorOf({ ...minimal, corpora: [minimal.corpora[0], minimal.corpora[0]] }),
    'study.yaml: corpora[1].name: "cc3m" names two corpora; corpus names must be unique.',
  );
  const unknownCorpus = structuredClone(minimal) as { datasets: { results: Record<string, unknown>[] }[] };
  unknownCorpus.datasets[0]!.results[0]!.corpora = ["laion"];
  assert.equal(errorOf(unknownCorpus), 'study.yaml: datasets[0].results[0].corpora[0]: "laion" is not a corpus of this study (corpora: cc3m).');
  const twice = structuredClone(minimal) as { datasets: { results: Record<string, unknown>[] }[] };
  twice.datasets[0]!.results.push({ ...twice.datasets[0]!.results[0]! });
  assert.match(errorOf(twice), /^study\.yaml: datasets\[0\]\.results\[1\]\.model: "rn50" appears twice/);
  const badPointer = structuredClone(minimal) as { datasets: { results: Record<string, unknown>[] }[] };
  badPointer.datasets[0]!.results[0]!.pointer = "rn50/classwise";
  assert.match(errorOf(badPointer), /^study\.yaml: datasets\[0\]\.results\[0\]\.pointer: "rn50\/classwise" is not a JSON pointer/);
});

test("unreadable, unparsable and wrongly named manifests are one-sentence errors", () => {
  assert.throws(() => readStudyManifest(join(dir, "nope.yaml")), { name: "UserError", message: /cannot read study manifest .*nope\.yaml: no such file\./ });
  assert.throws(() => readStudyManifest(write("bad.json", "{ nope")), { name: "UserError", message: /bad\.json: not valid JSON/ });
  assert.throws(() => readStudyManifest(write("bad.yaml", "corpora: [a, b\nx: : y")), { name: "UserError", message: /bad\.yaml: (line \d+: )?not valid YAML/ });
  assert.throws(() => readStudyManifest(write("study.toml", "x = 1")), { name: "UserError", message: /must be a \.json, \.yaml or \.yml file/ });
  assert.throws(() => readStudyManifest(dir), { name: "UserError", message: /is a directory/ });
});

test("formatKeyPath", () => {
  assert.equal(formatKeyPath(["datasets", 0, "results", 1, "pointer"]), "datasets[0].results[1].pointer");
  assert.equal(formatKeyPath([]), "(top level)");
  assert.equal(formatKeyPath(["a b"]), '["a b"]');
});
