import { requireOptionalPeers } from '../models/index.js';

/**
 * Queue: distributed execution on BullMQ and Redis. The coordinator (inside `backfire run --queue`)
 * owns the run folder and commits every turn exactly once; `backfire worker` processes simulate runs
 * with their own models. Imports contracts, models, engine and store.
 *
 * BullMQ and ioredis are optional peer dependencies: this entry point is light (URL parsing,
 * settings, message types) and the rest is loaded by `loadQueueRuntime()`.
 */
export {
  parseQueueUrl,
  type QueueConnection,
  QueueConnectionError,
  REDIS_PASSWORD_VARIABLE,
} from './connection.js';
export type { StudyPayload, StudyStatus, WorkerHeartbeat } from './protocol.js';
export type * from './runtime.js';
export {
  type CoordinatorSettings,
  DEFAULT_COORDINATOR_SETTINGS,
  DEFAULT_WORKER_SETTINGS,
  type WorkerSettings,
} from './settings.js';

export type QueueRuntime = typeof import('./runtime.js');

/**
 * The coordinator, the worker and the Redis clients, once BullMQ and ioredis are known to be
 * installed; otherwise one user error naming `--queue` and the install command.
 */
export async function loadQueueRuntime(): Promise<QueueRuntime> {
  requireOptionalPeers(['bullmq', 'ioredis'], '--queue');
  return import('./runtime.js');
}
