/**
 * One automaton over everything the matcher looks for at a word start of a whitespace-script text:
 * the plain terms' literals, the pattern terms' anchors and the literals (or stem anchors) of their
 * further parts ("needles"). The matcher walks it once per word start (lexicon.ts), and the same
 * walk yields the plain candidates of the place, the pattern requests and the needles' places, where
 * three scans ran before (the literals' RegExp, the anchors' word-start walk, one `indexOf` per
 * needle and text), each walking its own trie of Map nodes.
 *
 * States are numbers and the transitions live in flat typed arrays: a direct table for the root
 * (every walk starts there, and most end after one step), and for every other state its edges,
 * sorted by code unit, in one run of two arrays. States are numbered depth first, so a walk reads
 * neighbouring memory. A Map lookup per character was the largest single cost of the old walks; an
 * open-addressing hash table of all edges was no better, as nearly every probe missed the cache.
 */

/** Built from strings with a payload at their last character; states are numbered from the root, 0. */
export class WordStartAutomaton<Payload> {
  /** 1 for every code unit a string starts with. */
  readonly firstUnits = new Uint8Array(0x10000);
  /**
   * Per state, 1 + the index into `payloads` of what ends there, 0 for nothing: most states of a
   * walk hold nothing, and a typed-array read answers that without loading an object.
   */
  readonly payloadOf: Int32Array;
  readonly payloads: Payload[];
  /** The root's transitions as `next` answers them, per code unit. */
  readonly rootNext = new Int32Array(0x10000);
  /**
   * The edges of state s are edgeCode/edgeTarget[edgeStart[s], edgeStart[s + 1]), by code unit;
   * targets as `next` answers them.
   */
  readonly edgeStart: Int32Array;
  readonly edgeCode: Uint16Array;
  readonly edgeTarget: Int32Array;

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
    // Depth-first numbering (children by code unit), so that a walk's states lie close together.
    const order: number[] = [];
    const renumbered = new Int32Array(children.length);
    const visit = (state: number): void => {
      renumbered[state] = order.length;
      order.push(state);
      for (const code of [...children[state]!.keys()].sort((a, b) => a - b)) visit(children[state]!.get(code)!);
    };
    visit(0);
    this.payloadOf = new Int32Array(order.length);
    this.payloads = [];
    this.edgeStart = new Int32Array(order.length + 1);
    let edges = 0;
    for (const state of order) edges += children[state]!.size;
    this.edgeCode = new Uint16Array(edges);
    this.edgeTarget = new Int32Array(edges);
    let edge = 0;
    order.forEach((state, number) => {
      const payload = payloads[state] ?? null;
      if (payload !== null) {
        this.payloads.push(payload);
        this.payloadOf[number] = this.payloads.length;
      }
      this.edgeStart[number] = edge;
      for (const code of [...children[state]!.keys()].sort((a, b) => a - b)) {
        const childState = children[state]!.get(code)!;
        // The target and, in its lowest bit, whether something ends there (see `next`).
        const child = renumbered[childState]! * 2 + ((payloads[childState] ?? null) === null ? 0 : 1);
        if (number === 0) {
          this.rootNext[code] = child;
          this.firstUnits[code] = 1;
        }
        this.edgeCode[edge] = code;
        this.edgeTarget[edge] = child;
        edge += 1;
      }
    });
    this.edgeStart[order.length] = edge;
  }

  /**
   * The state after `code` from `state`, times two, plus one when something ends there (so a walk
   * loads `payloadOf` only then); 0 when there is no such state (the root is no one's child).
   */
  next(state: number, code: number): number {
    if (state === 0) return this.rootNext[code]!;
    const { edgeCode } = this;
    let low = this.edgeStart[state]!;
    let high = this.edgeStart[state + 1]!;
    // Past the first letters a state has one or two edges: a scan; wide ones are halved first.
    while (high - low > 8) {
      const middle = (low + high) >> 1;
      if (edgeCode[middle]! <= code) low = middle;
      else high = middle;
    }
    for (; low < high; low += 1) {
      const known = edgeCode[low]!;
      if (known === code) return this.edgeTarget[low]!;
      if (known > code) return 0;
    }
    return 0;
  }
}
