/**
 * The part of the queue that needs BullMQ and ioredis (optional peer dependencies). Never imported
 * statically from outside this folder: callers get it from `loadQueueRuntime()` (index.ts), which
 * first checks that both packages are installed and otherwise stops with the install command.
 */
export {
  Coordinator,
  CoordinatorBusyError,
  type DistributedSimulationOptions,
  type DistributedSimulationSummary,
} from './coordinator.js';
export { probeQueue } from './redis-client.js';
export { formatProgressLine, formatQueueStatus, type QueueStatus, readQueueStatus } from './status.js';
export { type PreparedStudy, QueueWorker } from './worker.js';
