import { describe, expect, it } from 'vitest';
import type { TurnCommit } from './run-store.js';
import { TurnCommitBuffer } from './turn-commit-buffer.js';

const turn = (runId: string, number: number): TurnCommit => ({
  runId,
  turn: number,
  events: [],
  calls: [],
  status: 'running',
});
const nextImmediate = () => new Promise((resolve) => setImmediate(resolve));

describe('TurnCommitBuffer', () => {
  it('commits the turns handed over in one event-loop turn together, in order', async () => {
    const batches: string[][] = [];
    const buffer = new TurnCommitBuffer({
      commitTurns: (commits) => batches.push(commits.map((commit) => `${commit.runId}:${commit.turn}`)),
    });
    buffer.add(turn('a', 1));
    buffer.add(turn('b', 1));
    buffer.add(turn('a', 2));
    expect(batches).toEqual([]);
    await nextImmediate();
    expect(batches).toEqual([['a:1', 'b:1', 'a:2']]);
    buffer.add(turn('b', 2));
    buffer.flush();
    buffer.flush(); // nothing waiting: no empty commit
    expect(batches).toEqual([['a:1', 'b:1', 'a:2'], ['b:2']]);
  });

  it('commits at once when the batch is full', () => {
    const sizes: number[] = [];
    const buffer = new TurnCommitBuffer({ commitTurns: (commits) => sizes.push(commits.length) }, 3);
    for (let number = 1; number <= 7; number += 1) buffer.add(turn('a', number));
    expect(sizes).toEqual([3, 3]);
    buffer.flush();
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('throws a commit that failed in the background at the next hand-over', async () => {
    const buffer = new TurnCommitBuffer({
      commitTurns: () => {
        throw new Error('disk full');
      },
    });
    buffer.add(turn('a', 1));
    await nextImmediate();
    expect(() => buffer.add(turn('a', 2))).toThrow('disk full');
    expect(() => buffer.flush()).toThrow('disk full');
  });
});
