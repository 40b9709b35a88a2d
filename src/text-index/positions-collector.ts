import type { BatchDone } from "./build-worker.js";
import type { BatchListener, WorkerSlot } from "./build-pool.js";
import type { PositionsWriter } from "./positions.js";
import { TokenDictionary, WorkerTokenTexts } from "./token-dictionary.js";

/**
 * What a worker's PHRASE_TOKENS ids mean, from one reset of its analyzer memory to the next: the
 * token of each id (as its replies said) and, once the token has been written, its dictionary id.
 */
class WorkerTokens {
  readonly texts = new WorkerTokenTexts();
  /** Dictionary id of each worker id (-1: not yet met in doc order). */
  dictionaryIds = new Int32Array(1024).fill(-1);
}

/**
 * The phrase-token dictionary and positions of a build, written in doc order from the workers'
 * replies (which come in any order): each reply is held, with the meaning of its worker's ids
 * then, until the batches before it are written; as a batch is written in doc order, its worker
 * ids become dictionary ids, tokens met for the first time taking the next ids, so the dictionary
 * and positions are the same whatever the worker count and timing.
 */
export class PositionsCollector implements BatchListener {
  /** The dictionary: tokens in order of first use in doc order. */
  readonly dictionary = new TokenDictionary();
  /** First docs of the batches dispatched and not yet written, in order. */
  private readonly order: number[] = [];
  private head = 0;
  private readonly ready = new Map<number, { done: BatchDone; tokens: WorkerTokens }>();
  /** The current meaning of each worker's ids. */
  private readonly tokensOf = new Map<WorkerSlot, WorkerTokens>();
  constructor(readonly writer: PositionsWriter) {}

  dispatched(firstDoc: number): void {
    this.order.push(firstDoc);
  }

  arrived(slot: WorkerSlot, m: BatchDone): void {
    let tokens = this.tokensOf.get(slot);
    if (!tokens) this.tokensOf.set(slot, (tokens = new WorkerTokens()));
    tokens.texts.append(m.newTokens);
    this.ready.set(m.docs[0]!, { done: m, tokens });
    // after a reset, the worker's next ids start again from 0
    if (m.reset) this.tokensOf.set(slot, new WorkerTokens());
    for (;;) {
      const next = this.order[this.head];
      const held = next === undefined ? undefined : this.ready.get(next);
      if (!held) break;
      this.ready.delete(next!);
      this.head++;
      const { done, tokens } = held;
      if (tokens.dictionaryIds.length < tokens.texts.count) {
        const grown = new Int32Array(2 * tokens.texts.count).fill(-1);
        grown.set(tokens.dictionaryIds);
        tokens.dictionaryIds = grown;
      }
      // worker ids become dictionary ids as they are written
      this.writer.addMapped(done.docs, done.ids, done.ends, tokens.dictionaryIds, (w) => this.meet(tokens, w));
    }
    if (this.head > 4096) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The dictionary id of a worker's id w met for the first time in this meaning (a token met for the first time takes the next id). */
  private meet(tokens: WorkerTokens, w: number): number {
    const id = tokens.texts.idIn(this.dictionary, w);
    tokens.dictionaryIds[w] = id;
    return id;
  }
}
