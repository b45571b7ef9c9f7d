import { availableParallelism } from 'node:os';
import type { LoadedStudy } from '../runner/index.js';
import { parseThreadCount, plannedAgentTurns } from './thread-count.js';

/**
 * How many worker threads score a study besides the main thread (which scores too). Scoring depends
 * on the stored transcripts and the packs alone, whatever the models, so any study may use them; the
 * features are byte for byte those of one thread (test/scoring-threads.test.ts).
 *
 * `BACKFIRE_SCORING_THREADS=0` forces the in-process stage (the fallback, and the reference the
 * threaded one is tested against); `=N` forces N worker threads, however small the study. Unset: one
 * per core but one, when the study is large enough to repay a thread's start-up.
 */
export const SCORING_THREADS_VARIABLE = 'BACKFIRE_SCORING_THREADS';

/**
 * Planned agent turns below which a study is scored in process by default. A scoring thread costs
 * about half a second of CPU before its first run (modules, the packs copied in, each lexicon it meets
 * compiled by a cold JIT); Study 2 (180,000 agent turns) is where it pays
 * (docs/decisions/2026-12-07-simulation-threads.md, 2026-12-08).
 */
const MIN_AGENT_TURNS_FOR_THREADS = 50_000;

export function scoringThreadsFor(
  loaded: LoadedStudy,
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  const forced = parseThreadCount(
    SCORING_THREADS_VARIABLE,
    env,
    'unset it (large studies are scored on every core), or set 0 to score in process',
  );
  if (forced !== undefined) return forced;
  return plannedAgentTurns(loaded) < MIN_AGENT_TURNS_FOR_THREADS ? 0 : availableParallelism() - 1;
}
