import { test } from "node:test";
import assert from "node:assert/strict";
import { TokenDictionary, WorkerTokenTexts, encodeTokenTexts } from "../../src/text-index/token-dictionary.js";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

test("token texts: a worker's new tokens from an offset, as UTF-8 with their ends", () => {
  const t = encodeTokenTexts(["", "dog", "café", "t\tshirt", "狗"], 1);
  assert.deepEqual([...t.ends], [3, 8, 15, 18]);
  assert.equal(decode(t.bytes), "dogcafét\tshirt狗");
  const none = encodeTokenTexts(["dog"], 1);
  assert.equal(none.ends.length, 0);
  assert.equal(none.bytes.length, 0);
});

test("token dictionary: ids from 1 in order of first use across workers, the break is 0, the file is one token a line", () => {
  const dictionary = new TokenDictionary();
  const a = new WorkerTokenTexts();
  const b = new WorkerTokenTexts();
  a.append(encodeTokenTexts(["", "dog", "café"], 0));
  b.append(encodeTokenTexts(["café", "cat"], 0));
  assert.equal(a.idIn(dictionary, 0), 0, "the empty token (a phrase break) is 0 and not in the file");
  assert.equal(b.idIn(dictionary, 0), 1, "café, first met in worker b");
  assert.equal(a.idIn(dictionary, 2), 1, "the same bytes from another worker: the same id");
  assert.equal(a.idIn(dictionary, 1), 2);
  assert.equal(b.idIn(dictionary, 1), 3);
  // texts arriving in later replies count on from the worker's last id
  a.append(encodeTokenTexts(["", "dog", "café", "dogs\tdog"], 3));
  assert.equal(a.count, 4);
  assert.equal(a.idIn(dictionary, 3), 4);
  assert.equal(dictionary.size, 4);
  assert.equal(decode(dictionary.fileBytes()), "café\ndog\ncat\ndogs\tdog\n");
  assert.throws(() => a.idIn(dictionary, 4), /worker token 4 was used before its text arrived/);
});

test("token dictionary: a hundred thousand tokens, short and long, past every initial capacity, each keeps its id", () => {
  const dictionary = new TokenDictionary();
  const worker = new WorkerTokenTexts();
  const texts = Array.from({ length: 100_000 }, (_, k) => (k % 7 === 0 ? `long-token-beyond-the-inline-bytes-${k}` : `w${k.toString(36)}`));
  for (let from = 0; from < texts.length; from += 4096) worker.append(encodeTokenTexts(texts.slice(0, from + 4096), from));
  assert.equal(worker.count, texts.length);
  for (let w = 0; w < texts.length; w++) assert.equal(worker.idIn(dictionary, w), w + 1);
  for (let w = texts.length - 1; w >= 0; w -= 997) assert.equal(worker.idIn(dictionary, w), w + 1, "found again after the table grew");
  assert.equal(decode(dictionary.fileBytes()), texts.join("\n") + "\n");
});
