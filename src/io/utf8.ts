/** UTF-8 encoding of many strings at once (the caption store, the workers, posting-file terms). */

/**
 * Strings as UTF-8 bytes one after another, and each one's end offset in them: string k is
 * bytes[ends[k - 1] (0 for k = 0), ends[k]). They are encoded joined, once; when all are ASCII
 * (the usual case) byte offsets are the character offsets, otherwise each string's UTF-8 length
 * is measured. A lone surrogate becomes U+FFFD, each string encoded on its own (joined, a lone
 * high surrogate ending one and a lone low one starting the next would become one pair). The
 * bytes have an ArrayBuffer of their own (never a slice of Node's shared pool), so they can be
 * transferred to another thread.
 */
export function encodeJoined(texts: readonly string[]): { bytes: Uint8Array; ends: Uint32Array } {
  const joined = texts.join("");
  let bytes = Buffer.from(joined, "utf8");
  const ends = new Uint32Array(texts.length);
  if (bytes.length === joined.length) {
    for (let k = 0, end = 0; k < texts.length; k++) ends[k] = end += texts[k]!.length;
    return { bytes: ownBuffer(bytes), ends };
  }
  for (let k = 0, end = 0; k < texts.length; k++) ends[k] = end += Buffer.byteLength(texts[k]!, "utf8"); // (a lone surrogate: U+FFFD, 3 bytes)
  if (ends.length > 0 && ends[ends.length - 1] !== bytes.length) bytes = Buffer.concat(texts.map((t) => Buffer.from(t, "utf8")));
  return { bytes: ownBuffer(bytes), ends };
}

function ownBuffer(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.buffer.byteLength === b.length ? b : new Uint8Array(b);
}
