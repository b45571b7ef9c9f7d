import { serveScoringThread } from './score-thread.js';

/** The module a scoring thread starts on (score-in-threads.ts): nothing but the serving loop. */
serveScoringThread();
