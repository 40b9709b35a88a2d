import { test } from "node:test";
import assert from "node:assert/strict";
import { LineSplitter } from "../../src/corpus/line-splitter.js";
import { fixture, readAll, tempDir } from "./fixtures.js";

const dir = tempDir();

/** The lines the splitter hands over for `input` cut into chunks at the given positions. */
function split(input: Buffer, cuts: number[]): string[] {
  const out: string[] = [];
  const splitter = new LineSplitter("x", (buf, start, end) => out.push(buf.toString("utf8", start, end)));
  let at = 0;
  for (const c of [...cuts, input.length]) {
    splitter.push(input.subarray(at, c));
    at = c;
  }
  splitter.end();
  return out;
}

/** What the lines should be: bare-CR files split on every line end, the others on "\n" only. */
function expected(text: string): string[] {
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  const first = body.search(/[\r\n]/);
  const bareCr = first !== -1 && body[first] === "\r" && body[first + 1] !== "\n";
  const lines = bareCr ? body.split(/\r\n|\r|\n/) : body.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

const inputs = [
  "a\rb\rc\r",
  "a\rb\rc",
  "one\r\rthree\r\n\nfive\r",
  "\r",
  "\r\r",
  "\r\n",
  "x\r",
  "x\r\ny\rz\n",
  "a\r\nb\r\nc\r\n",
  "a\nb\rc\n",
  "a\nb\r\nc",
  "\ufeffa\rb\r",
  "\ufeff\r\nb",
  "long caption number one\rlong caption number two\r\nthird\r\rfifth",
  "",
  "no line end at all",
];

test("line ends: a bare-CR file splits at \\r, \\r\\n and \\n; other files at \\n only; any chunking", () => {
  for (const text of inputs) {
    const input = Buffer.from(text, "utf8");
    const want = expected(text).map((l) => Buffer.from(l, "utf8").toString("utf8"));
    // one chunk, every single cut, every pair of cuts
    assert.deepEqual(split(input, []), want, JSON.stringify(text));
    for (let i = 0; i <= input.length; i++) {
      assert.deepEqual(split(input, [i]), want, `${JSON.stringify(text)} cut at ${i}`);
      for (let j = i; j <= input.length; j++) assert.deepEqual(split(input, [i, j]), want, `${JSON.stringify(text)} cut at ${i}, ${j}`);
    }
    // one byte at a time
    assert.deepEqual(split(input, Array.from({ length: input.length }, (_, k) => k)), want, `${JSON.stringify(text)} byte by byte`);
  }
});

test("1,000 captions with bare-CR line ends are 1,000 rows (TSV and CSV), with their line numbers", async () => {
  const captions = Array.from({ length: 1000 }, (_, i) => `a photo of dog number ${i}`);
  const tsv = fixture(dir, "mac.tsv", captions.map((c, i) => `${c}\thttp://x/${i}`).join("\r") + "\r");
  const r = await readAll(tsv);
  assert.equal(r.rows.length, 1000);
  assert.deepEqual(r.rows.map((x) => x.text), captions);
  assert.equal(r.rows[999]!.location, 1000);
  const csv = fixture(dir, "mac.csv", captions.map((c, i) => `"${c}",http://x/${i}`).join("\r"));
  const c = await readAll(csv);
  assert.deepEqual(c.rows.map((x) => x.text), captions);
  // a "\r" inside a line of a file whose first line end is "\n" stays in the caption, as before
  const lf = await readAll(fixture(dir, "lf.tsv", "a\tu\nb\rc\tv\r\n"));
  assert.deepEqual(lf.rows.map((x) => x.text), ["a", "b\rc"]);
});
