import type { Command } from 'commander';
import { loadQueueRuntime, parseQueueUrl, REDIS_PASSWORD_VARIABLE } from '../../queue/index.js';

/** `backfire queue status`: the studies being coordinated on a Redis, its workers and their throughput, runs in flight. */
export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('inspect the queue that `run --queue` and `worker` share');
  queue
    .command('status')
    .description('workers, their throughput, and the runs in flight of every coordinated study')
    .requiredOption(
      '--queue <redis-url>',
      `redis://[user:password@]host:port[/db] (the password may be in ${REDIS_PASSWORD_VARIABLE} instead)`,
    )
    .option('--json', 'print JSON')
    .action(async (options: { queue: string; json?: boolean }) => {
      const connection = parseQueueUrl(options.queue, process.env);
      const { formatQueueStatus, probeQueue, readQueueStatus } = await loadQueueRuntime();
      await probeQueue(connection);
      const status = await readQueueStatus(connection);
      process.stdout.write(
        options.json === true ? `${JSON.stringify(status, null, 2)}\n` : `${formatQueueStatus(status)}\n`,
      );
    });
}
