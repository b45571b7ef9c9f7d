/**
 * Queue: distributed execution on BullMQ and Redis. The coordinator (inside `backfire run --queue`)
 * owns the run folder and commits every turn exactly once; `backfire worker` processes simulate runs
 * with their own models. Imports contracts, engine and store.
 */
export {
  parseQueueUrl,
  probeQueue,
  type QueueConnection,
  QueueConnectionError,
  REDIS_PASSWORD_VARIABLE,
} from './connection.js';
export {
  Coordinator,
  CoordinatorBusyError,
  type CoordinatorSettings,
  DEFAULT_COORDINATOR_SETTINGS,
  type DistributedSimulationOptions,
  type DistributedSimulationSummary,
} from './coordinator.js';
export type { StudyPayload, StudyStatus, WorkerHeartbeat } from './protocol.js';
export { formatProgressLine, formatQueueStatus, type QueueStatus, readQueueStatus } from './status.js';
export { DEFAULT_WORKER_SETTINGS, type PreparedStudy, QueueWorker, type WorkerSettings } from './worker.js';
