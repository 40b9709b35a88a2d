/** Writes caption stores as index format 4 did (for tests that format 4 is still read). */
import { writeFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { CAPTIONS_PER_BLOCK } from "../../src/text-index/caption-store.js";

/**
 * Writes the captions as a format 4 store: the first dictionaryBytes of their UTF-8 as preset
 * dictionary, then each block (varint lengths, then the text) raw DEFLATE at level 1 with it.
 * Returns the offsets file's bytes.
 */
export function writeFormat4Store(blocksPath: string, offsetsPath: string, captions: string[], dictionaryBytes: number): Buffer {
  const dictionary = Buffer.from(captions.join("")).subarray(0, dictionaryBytes);
  const parts: Buffer[] = [dictionary];
  const offsets = Buffer.alloc(8 * (Math.ceil(captions.length / CAPTIONS_PER_BLOCK) + 1));
  let size = dictionary.length;
  offsets.writeBigUInt64LE(BigInt(size), 0);
  for (let at = 0, k = 1; at < captions.length; at += CAPTIONS_PER_BLOCK, k++) {
    const block = captions.slice(at, at + CAPTIONS_PER_BLOCK).map((c) => Buffer.from(c));
    const lengths = block.map((c) => {
      const out: number[] = [];
      let v = c.length;
      for (; v >= 0x80; v >>>= 7) out.push((v & 0x7f) | 0x80);
      out.push(v);
      return Buffer.from(out);
    });
    const packed = deflateRawSync(Buffer.concat([...lengths, ...block]), { level: 1, dictionary });
    parts.push(packed);
    offsets.writeBigUInt64LE(BigInt((size += packed.length)), 8 * k);
  }
  writeFileSync(blocksPath, Buffer.concat(parts));
  writeFileSync(offsetsPath, offsets);
  return offsets;
}
