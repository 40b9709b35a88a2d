/**
 * Linear-time stand-ins for the wink-nlp regular expressions that cost a token its length squared.
 *
 * Profiling the tagger on captions of one 10,000-character token showed two: the model's
 * `isAbbrev` feature, `/[a-z].*\.$/i`, which V8 tries at every start position and runs to the end
 * from each (a 10,000-letter word: 50 million steps), and the tokenizer's e-mail detector
 * (`[-!#$%&'*+/=?^\w{|}~](?:\.?[...])*@...`, global), which on a base64 `data:` URI reads to the
 * end of the token from every position looking for an "@". Each stand-in gives exactly the
 * regular expression's answer (test/text/wink-linear.test.ts compares them on random and edge
 * strings), so no analysis changes; only the cost does.
 */

/** A line terminator: what `.` does not match in a regular expression without the `s` flag. */
function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

/** An ASCII letter: what `[a-z]` matches with the `i` flag and without `u` (no other character folds to one). */
function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * `/[a-z].*\.$/i.test(word)` in one backward pass: the word ends with "." and, before that final
 * ".", has an ASCII letter with no line terminator between it and the final ".".
 */
export function isAbbrevLinear(word: string): boolean {
  const last = word.length - 1;
  if (last < 1 || word.charCodeAt(last) !== 0x2e) return false;
  for (let j = last - 1; j >= 0; j--) {
    const c = word.charCodeAt(j);
    if (isAsciiLetter(c)) return true;
    if (isLineTerminator(c)) return false;
  }
  return false;
}

/** wink's model feature factory: `featureFn(config)` gives the feature extractors by name. */
type FeatureFn = (...args: unknown[]) => Record<string, unknown>;

/** The model's feature factory with `isAbbrev` computed by isAbbrevLinear (same values, linear cost). */
export function linearFeatures(featureFn: unknown): unknown {
  if (typeof featureFn !== "function") return featureFn;
  return (...args: unknown[]) => {
    const methods = (featureFn as FeatureFn)(...args);
    if (methods && typeof methods.isAbbrev === "function") methods.isAbbrev = (word: string) => (isAbbrevLinear(word) ? 1 : 0);
    return methods;
  };
}

/** The e-mail detector of the model's recursive tokenizer (trex.rtc), as the model spells it. */
const EMAIL_SOURCE = "[-!#$%&'*+\\/=?^\\w{|}~](?:\\.?[-!#$%&'*+\\/=?^\\w`{|}~])*@[a-z0-9](?:-?\\.?[a-z0-9])*(?:\\.[a-z](?:-?[a-z0-9])*)+";

/**
 * A stand-in for a regular expression that needs a literal "@" to match: wink's tokenizer calls
 * only `text.match(rgx)` and `text.split(rgx)`, and a text without "@" has no match (match gives
 * null, split gives the text itself), found without the search.
 */
function needsAt(rgx: RegExp): object {
  return {
    [Symbol.match]: (text: string) => (text.includes("@") ? text.match(rgx) : null),
    [Symbol.split]: (text: string, limit?: number) => (text.includes("@") ? text.split(rgx, limit) : limit === 0 ? [] : [text]),
    source: rgx.source,
    flags: rgx.flags,
  };
}

/** Replaces, in wink's compiled tokenizer regexes, the e-mail detector by its "@"-guarded stand-in. */
export function guardCompiledTRex(trex: unknown): void {
  const rtc = (trex as { rtc?: unknown }).rtc;
  if (!Array.isArray(rtc)) return;
  for (const entry of rtc) {
    if (Array.isArray(entry) && entry[0] instanceof RegExp && entry[0].source === EMAIL_SOURCE && entry[0].flags === "gi") entry[0] = needsAt(entry[0]);
  }
}
