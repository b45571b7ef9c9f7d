/**
 * One automaton over everything the matcher looks for at a word start of a whitespace-script text:
 * the plain terms' literals, the pattern terms' anchors and the literals (or stem anchors) of their
 * further parts ("needles"). The matcher walks it once per word start (lexicon.ts), and the same
 * walk yields the plain candidates of the place, the pattern requests and the needles' places, where
 * three scans ran before (the literals' RegExp, the anchors' word-start walk, one `indexOf` per
 * needle and text), each walking its own trie of Map nodes.
 *
 * States are numbers and the transitions live in flat typed arrays: a direct table for the root
 * (every walk starts there, and most end after one step), and for every other state a double array
 * (Aoe's layout): the code units the strings use are numbered 1..n (`alphabet`), and the edge of
 * state s on a code unit numbered a lives in slot base[s] + a, which belongs to s when
 * check[slot] === s + 1. A step is a few typed-array reads and no loop, whatever the state's number
 * of edges (check, target and the target's base are read as one interleaved record, `steps`); the
 * walk's second and third steps are in states with tens of edges, where the sorted-edge search this
 * replaced halved a range first and scanned up to eight codes. States are numbered depth
 * first and placed in that order, so a walk reads neighbouring memory. A Map lookup per character was
 * the largest single cost of the first walks; an open-addressing hash table of all edges was no
 * better, as nearly every probe missed the cache.
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
  /** Per code unit, its number in the strings' alphabet (1..n), 0 when no string uses it past its start. */
  readonly alphabet = new Uint16Array(0x10000);
  /** Per state, where its edges start in the slots: its edge on alphabet number a is slot base + a. */
  readonly base: Int32Array;
  /**
   * What a walk reads, interleaved so that one step touches one cache line: per slot s,
   * `steps[4s]` is 1 + the state that owns s (0 when free: the double array's check),
   * `steps[4s + 1]` the target as `next` answers it and `steps[4s + 2]` the base of that target
   * (the fourth word pads the record to 16 bytes, so it never straddles a line). Separate check,
   * target and base arrays cost a walk three scattered reads per step, the largest share of the
   * matcher's hottest loop.
   */
  readonly steps: Int32Array;
  /**
   * Per code unit c, `rootSteps[2c]` is the root's transition on c as `next` answers it and
   * `rootSteps[2c + 1]` the base of that state.
   */
  readonly rootSteps = new Int32Array(0x20000);

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
    const targetOf = (childState: number): number =>
      // The target and, in its lowest bit, whether something ends there (see `next`).
      renumbered[childState]! * 2 + ((payloads[childState] ?? null) === null ? 0 : 1);
    // The alphabet: every code unit on an edge below the root (the root has its own table).
    let letters = 0;
    for (const state of order) {
      if (state === 0) continue;
      for (const code of children[state]!.keys()) {
        if (this.alphabet[code] === 0) this.alphabet[code] = ++letters;
      }
    }
    this.base = new Int32Array(order.length);
    const rootNext = new Int32Array(0x10000);
    const slots = new DoubleArraySlots(order.length + letters + 1);
    order.forEach((state, number) => {
      const payload = payloads[state] ?? null;
      if (payload !== null) {
        this.payloads.push(payload);
        this.payloadOf[number] = this.payloads.length;
      }
      const edges = children[state]!;
      if (number === 0) {
        for (const [code, childState] of edges) {
          rootNext[code] = targetOf(childState);
          this.firstUnits[code] = 1;
        }
        return;
      }
      if (edges.size === 0) return;
      const letterNumbers = [...edges.keys()].map((code) => this.alphabet[code]!).sort((a, b) => a - b);
      const base = slots.place(letterNumbers, number + 1);
      this.base[number] = base;
      for (const [code, childState] of edges) slots.target[base + this.alphabet[code]!] = targetOf(childState);
    });
    // Room for base + any alphabet number of every state, so that a step never reads past the end
    // (an out-of-bounds typed-array read is slow in V8, besides being undefined).
    const length = slots.highestBase + letters + 1;
    const check = slots.resized(slots.owner, length);
    const slotTarget = slots.resized(slots.target, length);
    this.steps = new Int32Array(length * 4);
    for (let slot = 0; slot < length; slot += 1) {
      const owner = check[slot]!;
      if (owner === 0) continue;
      const target = slotTarget[slot]!;
      this.steps[slot * 4] = owner;
      this.steps[slot * 4 + 1] = target;
      this.steps[slot * 4 + 2] = this.base[target >> 1]!;
    }
    for (const code of children[0]!.keys()) {
      const target = rootNext[code]!;
      this.rootSteps[code * 2] = target;
      this.rootSteps[code * 2 + 1] = this.base[target >> 1]!;
    }
  }

  /**
   * The state after `code` from `state`, times two, plus one when something ends there (so a walk
   * loads `payloadOf` only then); 0 when there is no such state (the root is no one's child).
   */
  next(state: number, code: number): number {
    if (state === 0) return this.rootSteps[code * 2]!;
    const letter = this.alphabet[code]!;
    if (letter === 0) return 0;
    const slot = (this.base[state]! + letter) * 4;
    return this.steps[slot] === state + 1 ? this.steps[slot + 1]! : 0;
  }
}

/**
 * The slots of a double array while it is built: the first place where all of a state's edges fall
 * on free slots (first fit, from the lowest free slot), growing as needed.
 */
class DoubleArraySlots {
  owner: Int32Array;
  target: Int32Array;
  /** The highest base given to a state. */
  highestBase = 0;
  /** No slot below this one is free. */
  private lowestFree = 1;

  constructor(initial: number) {
    this.owner = new Int32Array(Math.max(16, initial));
    this.target = new Int32Array(this.owner.length);
  }

  /** Takes a slot base + a for every alphabet number a of `letters` (ascending) for `owner`; returns base. */
  place(letters: readonly number[], owner: number): number {
    const first = letters[0]!;
    for (let slot = this.lowestFree; ; slot += 1) {
      const base = slot - first;
      if (base < 0) continue;
      this.grow(base + letters[letters.length - 1]! + 1);
      if (this.owner[slot] !== 0) continue;
      if (!letters.every((letter) => this.owner[base + letter] === 0)) continue;
      for (const letter of letters) this.owner[base + letter] = owner;
      this.highestBase = Math.max(this.highestBase, base);
      while (this.lowestFree < this.owner.length && this.owner[this.lowestFree] !== 0) this.lowestFree += 1;
      return base;
    }
  }

  /** A copy of `slots` of exactly `length` slots (zeros past the end). */
  resized(slots: Int32Array, length: number): Int32Array {
    const copy = new Int32Array(length);
    copy.set(slots.subarray(0, Math.min(length, slots.length)));
    return copy;
  }

  private grow(size: number): void {
    if (size <= this.owner.length) return;
    const length = Math.max(size, this.owner.length * 2);
    this.owner = this.resized(this.owner, length);
    this.target = this.resized(this.target, length);
  }
}
