/**
 * The scheduler benchmark's yardsticks (bench/README.md, "Targets"), computed from the latencies
 * the mock server actually drew for each call, so the achieved wall time is compared with what a
 * good schedule of exactly that workload would take, not with a bound no schedule can reach:
 *
 * - the work bound: max(longest run, total call time / slots), a lower bound on any schedule;
 * - three greedy list schedules of the same draws (every slot takes the next waiting call the moment
 *   it frees), with every run admitted: calls served first-come first-served; calls of the run with
 *   the most calls left first; and runs holding a slot from their first call to their last. The best
 *   of the three is the reference;
 * - a naive wave scheduler (the deliberately bad baseline): runs admitted `slots` at a time, moving
 *   turn by turn, each step waiting for the wave's slowest call; simulated without any overhead,
 *   so its score is the best a wave scheduler could do.
 * Orchestrator CPU is not in the simulations: that is what the achieved time adds.
 */

/** One run's calls in the order they were made, with the latency each one drew. */
export interface RunChain {
  runId: string;
  delaysMs: number[];
}

/** Groups the server's latency log (`<run id>/<agent id>` per call, arrival order) into runs. */
export function chainsFromLatencies(latencies: readonly { agent: string; delayMs: number }[]): RunChain[] {
  const chains = new Map<string, RunChain>();
  for (const { agent, delayMs } of latencies) {
    const slash = agent.lastIndexOf('/');
    const runId = slash < 0 ? agent : agent.slice(0, slash);
    let chain = chains.get(runId);
    if (chain === undefined) {
      chain = { runId, delaysMs: [] };
      chains.set(runId, chain);
    }
    chain.delaysMs.push(delayMs);
  }
  return [...chains.values()];
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

export function workBoundMs(chains: readonly RunChain[], slots: number): number {
  const lengths = chains.map((chain) => sum(chain.delaysMs));
  return Math.max(Math.max(0, ...lengths), sum(lengths) / slots);
}

/** A binary min-heap of numbers with a payload, enough for event-driven schedule simulation. */
class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly values: T[] = [];
  get size(): number {
    return this.keys.length;
  }
  push(key: number, value: T): void {
    this.keys.push(key);
    this.values.push(value);
    let child = this.keys.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if ((this.keys[parent] as number) <= (this.keys[child] as number)) break;
      this.swap(parent, child);
      child = parent;
    }
  }
  pop(): { key: number; value: T } {
    const key = this.keys[0] as number;
    const value = this.values[0] as T;
    const lastKey = this.keys.pop() as number;
    const lastValue = this.values.pop() as T;
    if (this.keys.length > 0) {
      this.keys[0] = lastKey;
      this.values[0] = lastValue;
      let parent = 0;
      for (;;) {
        const left = 2 * parent + 1;
        const right = left + 1;
        let smallest = parent;
        if (left < this.keys.length && (this.keys[left] as number) < (this.keys[smallest] as number)) smallest = left;
        if (right < this.keys.length && (this.keys[right] as number) < (this.keys[smallest] as number))
          smallest = right;
        if (smallest === parent) break;
        this.swap(parent, smallest);
        parent = smallest;
      }
    }
    return { key, value };
  }
  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b] as number, this.keys[a] as number];
    [this.values[a], this.values[b]] = [this.values[b] as T, this.values[a] as T];
  }
}

/**
 * Greedy list schedule of calls over all runs (every run admitted at once): a freed slot takes the
 * waiting call that comes first, either first-come first-served or, with `mostRemainingFirst`, the
 * call of the run with the most calls still to make (ties first-come).
 */
export function callListScheduleMs(
  chains: readonly RunChain[],
  slots: number,
  order: 'first-come' | 'most-remaining-first' = 'first-come',
): number {
  const position = chains.map(() => 0);
  const ready = new MinHeap<number>();
  let arrivals = 0;
  // Keys: arrival index, or minus the calls left (times a large number) plus arrival index, so the
  // run with most calls left goes first. (The limiter orders by turn, the same for runs of equal length.)
  const readyKey = (run: number) =>
    order === 'first-come'
      ? arrivals++
      : -((chains[run] as RunChain).delaysMs.length - (position[run] as number)) * 1e9 + arrivals++;
  for (let run = 0; run < chains.length; run += 1) ready.push(readyKey(run), run);
  const running = new MinHeap<number>();
  let now = 0;
  while (ready.size > 0 || running.size > 0) {
    while (running.size < slots && ready.size > 0) {
      const run = ready.pop().value;
      const chain = chains[run] as RunChain;
      running.push(now + (chain.delaysMs[position[run] as number] as number), run);
    }
    const finished = running.pop();
    now = finished.key;
    const run = finished.value;
    position[run] = (position[run] as number) + 1;
    if ((position[run] as number) < (chains[run] as RunChain).delaysMs.length) ready.push(readyKey(run), run);
  }
  return now;
}

/** Greedy list schedule of whole runs: each run holds one slot from its first call to its last. */
export function runListScheduleMs(chains: readonly RunChain[], slots: number): number {
  const free = new MinHeap<null>();
  for (let slot = 0; slot < slots; slot += 1) free.push(0, null);
  let makespan = 0;
  for (const chain of chains) {
    const start = free.pop().key;
    const end = start + sum(chain.delaysMs);
    makespan = Math.max(makespan, end);
    free.push(end, null);
  }
  return makespan;
}

/** The naive baseline: waves of `slots` runs, turn by turn, each step as slow as its slowest call. */
export function waveScheduleMs(chains: readonly RunChain[], slots: number): number {
  let total = 0;
  for (let first = 0; first < chains.length; first += slots) {
    const wave = chains.slice(first, first + slots);
    const steps = Math.max(0, ...wave.map((chain) => chain.delaysMs.length));
    for (let step = 0; step < steps; step += 1) {
      total += Math.max(0, ...wave.map((chain) => chain.delaysMs[step] ?? 0));
    }
  }
  return total;
}

/** The reference schedule of a workload: the best of the three greedy list schedules. */
export function referenceScheduleMs(chains: readonly RunChain[], slots: number): number {
  return Math.min(
    callListScheduleMs(chains, slots, 'first-come'),
    callListScheduleMs(chains, slots, 'most-remaining-first'),
    runListScheduleMs(chains, slots),
  );
}

/** Quantile of a sample (type 7, as R's default), for describing the latency draws. */
export function quantile(values: readonly number[], probability: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * probability;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return (sorted[lower] as number) + ((sorted[upper] as number) - (sorted[lower] as number)) * (position - lower);
}
