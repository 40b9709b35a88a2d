/** Term interning for the index build: a dense id per distinct string. */

/** Interned terms: a dense id per distinct string (the index build accumulates postings by id). */
export class TermIds {
  private ids = new Map<string, number>();
  texts: string[] = [];
  clear(): void {
    this.ids = new Map();
    this.texts = [];
  }
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }
}
export const NOUN_TERMS = new TermIds();
export const PHRASE_TERMS = new TermIds();
/** Interned phrase tokens (phraseTokenKey; "" is the break): the index build's positions. */
export const PHRASE_TOKENS = new TermIds();
