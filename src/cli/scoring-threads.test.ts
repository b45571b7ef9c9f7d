import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../contracts/index.js';
import { loadStudyFile } from '../runner/index.js';
import { SCORING_THREADS_VARIABLE, scoringThreadsFor } from './scoring-threads.js';

describe('scoringThreadsFor', () => {
  const demo = loadStudyFile('studies/demo.yaml');

  it('scores small studies in process unless told otherwise, large ones with a thread per core but one', () => {
    expect(scoringThreadsFor(demo, {})).toBe(0);
    expect(scoringThreadsFor(demo, { [SCORING_THREADS_VARIABLE]: '2' })).toBe(2);
    expect(scoringThreadsFor(demo, { [SCORING_THREADS_VARIABLE]: ' ' })).toBe(0);
    // Any model: scoring reads only the stored transcripts and the packs.
    const large = { ...demo, study: { ...demo.study, models: ['mock:cycle'], replicates: 400 } };
    expect(scoringThreadsFor(large, {})).toBe(availableParallelism() - 1);
    expect(scoringThreadsFor(large, { [SCORING_THREADS_VARIABLE]: '0' })).toBe(0);
  });

  it('refuses a count that is not a whole number from 0 to 256, naming the variable', () => {
    for (const value of ['many', '-1', '1.5', '257']) {
      expect(() => scoringThreadsFor(demo, { [SCORING_THREADS_VARIABLE]: value })).toThrow(UserInputError);
    }
    expect(() => scoringThreadsFor(demo, { [SCORING_THREADS_VARIABLE]: 'many' })).toThrow(SCORING_THREADS_VARIABLE);
  });
});
