import { Queue } from 'bullmq';
import type { QueueConnection } from './connection.js';
import { openClient } from './redis-client.js';
import { readWorkers } from './coordinator.js';
import { keys, parseJson, QUEUE_NAME, type StudyStatus, StudyStatusSchema, type WorkerHeartbeat } from './protocol.js';

/**
 * `backfire queue status`: what a queue is doing now, read from Redis alone (the coordinators'
 * published progress, the workers' heartbeats, BullMQ's job counts), so it works from any host.
 */

export interface QueueStatus {
  server: string;
  studies: StudyStatus[];
  workers: WorkerHeartbeat[];
  jobs: Record<string, number>;
}

export async function readQueueStatus(connection: QueueConnection): Promise<QueueStatus> {
  const redis = openClient(connection, 'status');
  const queue = new Queue(QUEUE_NAME, { connection: connection.options });
  queue.on('error', () => undefined);
  try {
    const studyKeys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', keys.statusPattern, 'COUNT', 500);
      cursor = next;
      studyKeys.push(...batch);
    } while (cursor !== '0');
    const values = studyKeys.length === 0 ? [] : await redis.mget(...studyKeys);
    const studies = values
      .map((value) => (value === null ? undefined : parseJson(StudyStatusSchema, value)))
      .filter((study): study is StudyStatus => study !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
    const workers = await readWorkers(redis);
    const jobs = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    return { server: connection.display, studies, workers, jobs };
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

export function formatQueueStatus(status: QueueStatus): string {
  const lines = [`queue at ${status.server}`];
  lines.push(
    `  jobs: ${status.jobs.waiting ?? 0} waiting, ${status.jobs.active ?? 0} active, ${status.jobs.delayed ?? 0} delayed, ${status.jobs.failed ?? 0} failed`,
  );
  lines.push(`  workers: ${status.workers.length}`);
  for (const worker of status.workers) {
    lines.push(
      `    ${worker.workerId}: ${worker.activeRuns}/${worker.concurrency} runs, ${worker.turnsPerSecond.toFixed(1)} turns/s, ${worker.turnsTotal} turns since ${worker.startedAt}${worker.problem === null ? '' : `; PROBLEM: ${worker.problem}`}`,
    );
  }
  if (status.studies.length === 0) lines.push('  studies: none with a live coordinator');
  for (const study of status.studies) {
    lines.push(
      `  study ${study.name} (${study.studyHash.slice(0, 8)}), coordinator pid ${study.coordinator.pid} on ${study.coordinator.host}, folder ${study.directory}`,
    );
    lines.push(
      `    ${study.completedRuns}/${study.runs} runs complete, ${study.turnsCommitted} turns committed, ${study.turnsPerSecond.toFixed(1)} turns/s, ${study.inFlight.length} runs in flight`,
    );
    for (const run of study.inFlight) lines.push(`      ${run.runId} turn ${run.turn} on ${run.workerId}`);
  }
  return lines.join('\n');
}

/** One line for a coordinator's progress output. */
export function formatProgressLine(study: StudyStatus, workers: readonly WorkerHeartbeat[]): string {
  const perWorker = workers.map((worker) => `${worker.workerId} ${worker.turnsPerSecond.toFixed(1)}/s`).join(', ');
  return `queue: ${workers.length} workers${perWorker === '' ? '' : ` (${perWorker})`}, ${study.turnsPerSecond.toFixed(1)} turns/s committed, ${study.inFlight.length} runs in flight, ${study.completedRuns}/${study.runs} runs complete`;
}
