import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CaptionStore, CaptionStoreWriter } from "../../src/text-index/caption-store.js";
import { encodeJoined } from "../../src/io/utf8.js";

test("captions encoded in joined batches and stored read back by doc id, ASCII or not, malformed rows empty", () => {
  const dir = mkdtempSync(join(tmpdir(), "cf-store-"));
  try {
    const batches = [
      ["a dog on a hot day", "", "two cats"], // ASCII, with a malformed (empty) row
      ["caf\u00e9 na\u00efve", "\u6771\u4eac tower", "emoji \u{1F600} here", "", "lone \ud800 surrogate", "plain"], // UTF-8 of 2, 3, 4 bytes
      [""], // a batch of malformed rows only
      ["ends high \ud83d", "\ude00 starts low", "\u00e9"], // lone surrogates that the joined batch would pair
      ["last"],
    ];
    const writer = new CaptionStoreWriter(join(dir, "c.txt"), join(dir, "c.off"));
    for (const b of batches) {
      const { bytes, ends } = encodeJoined(b);
      writer.addBytes(bytes, ends);
    }
    writer.close();
    const all = batches.flat();
    const store = new CaptionStore(join(dir, "c.txt"), join(dir, "c.off"), all.length);
    // what a caption reads back as: its UTF-8 encoding decoded (a lone surrogate becomes U+FFFD)
    all.forEach((t, doc) => assert.equal(store.caption(doc), Buffer.from(t, "utf8").toString("utf8"), `doc ${doc}`));
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
