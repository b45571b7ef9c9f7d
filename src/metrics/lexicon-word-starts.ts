/**
 * One automaton over everything the matcher looks for at a word start of a whitespace-script text:
 * the plain terms' literals, the pattern terms' anchors and the literals (or stem anchors) of their
 * further parts ("needles"). The matcher walks it once per word start (lexicon.ts), and the same
 * walk yields the plain candidates of the place, the pattern requests and the needles' places, where
 * three scans ran before (the literals' RegExp, the anchors' word-start walk, one `indexOf` per
 * needle and text), each walking its own trie of Map nodes.
 *
 * States are numbers and the transitions live in flat typed arrays: a direct table for the root
 * (every walk starts there, and most end after one step), an open-addressing hash table for the
 * rest. A Map lookup per character was the largest single cost of the old walks.
 */

/** Built from strings with a payload at their last character; states are numbered from the root, 0. */
export class WordStartAutomaton<Payload> {
  /** 1 for every code unit a string starts with. */
  readonly firstUnits = new Uint8Array(0x10000);
  /** Per state, what ends there (null: nothing). */
  readonly payloads: (Payload | null)[];
  /** The root's transitions: the next state per code unit, 0 for none (the root is no one's child). */
  private readonly rootNext = new Int32Array(0x10000);
  private readonly keyState: Int32Array;
  private readonly keyCode: Int32Array;
  private readonly target: Int32Array;
  private readonly mask: number;

  /** `entries`: each string (non-empty) with the payload to merge into its last state. */
  constructor(entries: Iterable<readonly [string, (known: Payload | null) => Payload]>) {
    const children: Map<number, number>[] = [new Map()];
    const payloads: (Payload | null)[] = [null];
    for (const [text, merge] of entries) {
      if (text === '') continue;
      let state = 0;
      for (let index = 0; index < text.length; index += 1) {
        const code = text.charCodeAt(index);
        let child = children[state]!.get(code);
        if (child === undefined) {
          child = children.length;
          children.push(new Map());
          payloads.push(null);
          children[state]!.set(code, child);
        }
        state = child;
      }
      payloads[state] = merge(payloads[state] ?? null);
    }
    this.payloads = payloads;
    let edges = 0;
    for (const [code, child] of children[0]!) {
      this.rootNext[code] = child;
      this.firstUnits[code] = 1;
    }
    for (let state = 1; state < children.length; state += 1) edges += children[state]!.size;
    // At most half full, so that a miss (the usual answer) ends after a probe or two.
    let size = 16;
    while (size < edges * 2) size *= 2;
    this.mask = size - 1;
    this.keyState = new Int32Array(size).fill(-1);
    this.keyCode = new Int32Array(size);
    this.target = new Int32Array(size);
    for (let state = 1; state < children.length; state += 1) {
      for (const [code, child] of children[state]!) {
        let slot = hashOf(state, code) & this.mask;
        while (this.keyState[slot] !== -1) slot = (slot + 1) & this.mask;
        this.keyState[slot] = state;
        this.keyCode[slot] = code;
        this.target[slot] = child;
      }
    }
  }

  /** The state after `code` from `state`, or 0 when there is none. */
  next(state: number, code: number): number {
    if (state === 0) return this.rootNext[code]!;
    const { keyState, keyCode, mask } = this;
    let slot = hashOf(state, code) & mask;
    for (;;) {
      const known = keyState[slot]!;
      if (known === -1) return 0;
      if (known === state && keyCode[slot] === code) return this.target[slot]!;
      slot = (slot + 1) & mask;
    }
  }
}

function hashOf(state: number, code: number): number {
  return (Math.imul(state, 0x9e3779b1) ^ Math.imul(code, 0x85ebca6b)) >>> 7;
}
