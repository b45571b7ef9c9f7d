/**
 * Store: the SQLite store of a run folder (runs, events, calls, response cache, features, results),
 * its migrations, and exporters. Imports contracts only.
 */
export { RunStore, type RunCallSummary, type StoredRun, type TurnCommit } from './run-store.js';
