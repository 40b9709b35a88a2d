/**
 * wink-nlp's POS rule automata (its automaton.js), compiled to dense transition tables and run by a
 * transcription of wink's greedy `recognize()`. The tagger (wink-tagger.ts) works out each token's
 * input symbol and applies the matches (wink's updater); this module knows only states, symbols
 * and matches.
 */

/** wink's automaton symbols (automaton.js). */
export const EOS_TOKEN = 2070000;
export const OTHERWISE = 2070003;
/** Tags are below this. */
export const MAX_TAG = 64;
/** A token the automata pass over (a line break not marked as a name). */
export const SKIP = -3;

/** A compiled automaton: dense transition tables. */
export interface Machine {
  nSym: number;
  /** Next state for (state, symbol): trans[state * nSym + sym]; 0 (root) when absent. */
  trans: Int32Array;
  /** The "otherwise" state of a state (0 when none). */
  otherwise: Int32Array;
  /** Terminal states: index into names, -1 when not terminal. */
  terminal: Int32Array;
  /** Marked states: how far a match's start moves right (the end is not used by the updater). */
  markStart: Int32Array;
  /** Pattern names: target tags (negative: force; positive: only when the word can take the tag). */
  names: number[];
  nameIsZero: boolean[];
  /** Symbol of a tag value (-1: no transition). */
  tagSym: Int32Array;
  eosSym: number;
  symOf: Map<string, number>;
}

/** Compiles one of the model's automata (its JSON), or undefined when it uses a feature this module does not cover. */
export function compileMachine(json: string): Machine | undefined {
  const m = JSON.parse(json) as [number, number, Record<string, Record<string, number>>, Record<string, string>, Record<string, [number, number]>, Record<string, unknown>];
  const [, lastUsedState, fsm, terminalStates, markedStates, custom] = m;
  if (Object.keys(custom).length > 0) return undefined; // custom properties feed a callback wink's POS pipe never sets
  const symOf = new Map<string, number>();
  for (const state of Object.keys(fsm)) {
    for (const key of Object.keys(fsm[state]!)) if (key !== String(OTHERWISE) && !symOf.has(key)) symOf.set(key, symOf.size);
  }
  let maxState = lastUsedState;
  for (const s of [...Object.keys(fsm), ...Object.keys(terminalStates), ...Object.keys(markedStates)]) {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || String(n) !== s) return undefined;
    maxState = Math.max(maxState, n);
  }
  const nStates = maxState + 1;
  const nSym = Math.max(1, symOf.size);
  const trans = new Int32Array(nStates * nSym);
  const otherwise = new Int32Array(nStates);
  for (const s of Object.keys(fsm)) {
    const state = Number(s);
    for (const [key, next] of Object.entries(fsm[s]!)) {
      if (!Number.isInteger(next) || next < 0 || next >= nStates) return undefined;
      if (key === String(OTHERWISE)) otherwise[state] = next;
      else trans[state * nSym + symOf.get(key)!] = next;
    }
  }
  const names: number[] = [];
  const nameIsZero: boolean[] = [];
  const nameIndex = new Map<string, number>();
  const terminal = new Int32Array(nStates).fill(-1);
  for (const [s, name] of Object.entries(terminalStates)) {
    // A name is a target tag written as an integer; "" would not count as terminal in wink.
    const value = Number(name);
    if (name === "" || !Number.isInteger(value) || String(value) !== name || Math.abs(value) >= MAX_TAG) return undefined;
    let k = nameIndex.get(name);
    if (k === undefined) {
      k = names.length;
      nameIndex.set(name, k);
      names.push(value);
      nameIsZero.push(name === "0");
    }
    terminal[Number(s)] = k;
  }
  const markStart = new Int32Array(nStates);
  for (const [s, mark] of Object.entries(markedStates)) {
    if (!Array.isArray(mark) || !Number.isInteger(mark[0])) return undefined;
    markStart[Number(s)] = mark[0];
  }
  const tagSym = new Int32Array(MAX_TAG).fill(-1);
  for (let t = 0; t < MAX_TAG; t++) tagSym[t] = symOf.get(String(t)) ?? -1;
  return { nSym, trans, otherwise, terminal, markStart, names, nameIsZero, tagSym, eosSym: symOf.get(String(EOS_TOKEN)) ?? -1, symOf };
}

/** The matches of a run: match q's (marked) first token first[q] and name name[q] (the arrays grow as needed). */
export interface MatchBuffer {
  first: Int32Array;
  name: Int32Array;
}

export function newMatchBuffer(): MatchBuffer {
  return { first: new Int32Array(256), name: new Int32Array(256) };
}

/** automaton.js pushMatch2Patterns(): keeps a match's (marked) first token and name; returns the new count. */
function pushMatch(m: Machine, out: MatchBuffer, np: number, first: number, state: number): number {
  const name = m.terminal[state]!;
  if (m.nameIsZero[name]) return np;
  if (np === out.first.length) {
    const f = new Int32Array(np * 2);
    f.set(out.first);
    out.first = f;
    const g = new Int32Array(np * 2);
    g.set(out.name);
    out.name = g;
  }
  out.first[np] = first + m.markStart[state]!;
  out.name[np] = name;
  return np + 1;
}

/**
 * automaton.js recognize() for one machine over the input symbols syms[0..n) (SKIP: passed over;
 * syms must have room for n + 1, the end symbol is written at syms[n]); returns the number of
 * matches, written into `out`. Each token's input symbol is worked out once, before the run: the
 * greedy search goes back over tokens after a failed partial match.
 */
export function recognize(m: Machine, syms: Int32Array, n: number, out: MatchBuffer): number {
  const { trans, otherwise, terminal, nSym } = m;
  syms[n] = m.eosSym;
  let np = 0;
  let first = 0;
  let state = 0;
  let ns = 0;
  let lastOtherwiseIndex = 0;
  let lastOtherwiseState = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = i; j <= n; j++) {
      const sym = syms[j]!;
      if (sym === SKIP) continue;
      ns = sym < 0 ? 0 : trans[state * nSym + sym]!;
      if (state === 0 && ns !== 0) first = j;
      if (terminal[ns]! >= 0) {
        np = pushMatch(m, out, np, first, ns);
        i = j;
        j = n + 100;
        ns = 0;
        lastOtherwiseState = 0;
      } else if (ns === 0) {
        if (lastOtherwiseState !== 0) {
          np = pushMatch(m, out, np, first, lastOtherwiseState);
          i = lastOtherwiseIndex;
          j = n + 100;
          ns = 0;
          lastOtherwiseState = 0;
        } else {
          j = n + 100;
        }
      }
      state = ns;
      if (otherwise[state] !== 0) {
        lastOtherwiseIndex = j;
        lastOtherwiseState = otherwise[state]!;
      }
    }
  }
  return np;
}
