import type { BatchDone } from "./build-worker.js";
import type { BatchListener, WorkerSlot } from "./build-pool.js";
import type { PositionsWriter } from "./positions.js";

/**
 * The phrase-token dictionary and positions of a build, written in doc order from the workers'
 * replies (which come in any order): each reply's ids are mapped to arrival ids when it arrives
 * (a worker's ids mean what its replies so far said), then held until the batches before it are
 * written; as a batch is written in doc order its arrival ids become the dictionary's ids, in order
 * of first use, so the dictionary and positions are the same whatever the worker count and timing.
 */
export class PositionsCollector implements BatchListener {
  private readonly ids = new Map<string, number>([["", 0]]);
  /** Tokens by arrival id - 1 (arrival order depends on timing). */
  private readonly arrivalKeys: string[] = [];
  /** The dictionary id of each arrival id (0: not yet written; arrival id 0, the break, stays 0). */
  private dictionaryOf = new Int32Array(1024);
  /** The dictionary: tokens by id - 1, in order of first use in doc order. */
  readonly keys: string[] = [];
  /** First docs of the batches dispatched and not yet written, in order. */
  private readonly order: number[] = [];
  private head = 0;
  private readonly ready = new Map<number, BatchDone>();
  constructor(readonly writer: PositionsWriter) {}

  dispatched(firstDoc: number): void {
    this.order.push(firstDoc);
  }

  arrived(slot: WorkerSlot, m: BatchDone): void {
    if (slot.tokenCount + m.newTokens.length > slot.tokenIds.length) {
      const grown = new Int32Array(2 * (slot.tokenCount + m.newTokens.length));
      grown.set(slot.tokenIds.subarray(0, slot.tokenCount));
      slot.tokenIds = grown;
    }
    for (const key of m.newTokens) {
      let id = this.ids.get(key);
      if (id === undefined) {
        this.arrivalKeys.push(key);
        this.ids.set(key, (id = this.arrivalKeys.length));
      }
      slot.tokenIds[slot.tokenCount++] = id;
    }
    const map = slot.tokenIds;
    const ids = m.ids;
    for (let i = 0; i < ids.length; i++) ids[i] = map[ids[i]!]!;
    if (m.reset) slot.tokenCount = 0;
    this.ready.set(m.docs[0]!, m);
    for (;;) {
      const next = this.order[this.head];
      const done = next === undefined ? undefined : this.ready.get(next);
      if (!done) break;
      this.ready.delete(next!);
      this.head++;
      this.toDictionaryIds(done.ids);
      for (let j = 0, at = 0; j < done.docs.length; at = done.ends[j++]!) {
        this.writer.fillTo(done.docs[j]!);
        this.writer.add(done.ids, at, done.ends[j]!);
      }
    }
    if (this.head > 4096) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Maps a batch's arrival ids to dictionary ids, giving tokens met for the first time the next ids. */
  private toDictionaryIds(ids: Int32Array | number[]): void {
    if (this.dictionaryOf.length <= this.arrivalKeys.length) {
      const grown = new Int32Array(2 * (this.arrivalKeys.length + 1));
      grown.set(this.dictionaryOf);
      this.dictionaryOf = grown;
    }
    const of = this.dictionaryOf;
    for (let i = 0; i < ids.length; i++) {
      const a = ids[i]!;
      if (a === 0) continue;
      let d = of[a]!;
      if (d === 0) {
        this.keys.push(this.arrivalKeys[a - 1]!);
        of[a] = d = this.keys.length;
      }
      ids[i] = d;
    }
  }
}
