import { Redis } from 'ioredis';
import { type QueueConnection, QueueConnectionError, REDIS_PASSWORD_VARIABLE } from './connection.js';

/**
 * The queue's Redis clients: the start-up probe and the long-lived connections. ioredis is an
 * optional peer dependency, so this module is reached only through `loadQueueRuntime()` (index.ts).
 */

/** Attempts of the start-up check before giving up (a server that is still starting gets a moment). */
const PROBE_ATTEMPTS = 3;
const PROBE_PAUSE_MS = 300;

/**
 * Checks, before anything is queued or written, that the server answers and accepts the password:
 * a bounded number of attempts, then one `QueueConnectionError` naming the server and the fix.
 */
export async function probeQueue(connection: QueueConnection): Promise<void> {
  let lastProblem = '';
  for (let attempt = 1; attempt <= PROBE_ATTEMPTS; attempt += 1) {
    const client = new Redis({
      ...connection.options,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      connectTimeout: 2000,
    });
    let reported: Error | undefined;
    client.on('error', (error: Error) => {
      reported ??= error;
    });
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (error) {
      const cause = reported ?? (error as Error);
      const refusal = authenticationProblem(cause.message, connection);
      if (refusal !== undefined) throw new QueueConnectionError(refusal);
      lastProblem = describeNetworkProblem(cause);
    } finally {
      client.disconnect();
    }
    if (attempt < PROBE_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, PROBE_PAUSE_MS));
  }
  throw new QueueConnectionError(
    `cannot reach Redis at ${connection.display} (${lastProblem}; ${PROBE_ATTEMPTS} attempts): start redis-server there, or correct --queue`,
  );
}

function authenticationProblem(message: string, connection: QueueConnection): string | undefined {
  if (/WRONGPASS|invalid password|invalid username-password/i.test(message)) {
    const source =
      connection.passwordSource === 'environment'
        ? `the password in ${REDIS_PASSWORD_VARIABLE}`
        : 'the password in the URL';
    return `Redis at ${connection.display} refused ${source}: correct it (put it in the URL or in ${REDIS_PASSWORD_VARIABLE})`;
  }
  if (/NOAUTH/i.test(message)) {
    return `Redis at ${connection.display} requires a password: put it in the URL (redis://:password@host:port) or in ${REDIS_PASSWORD_VARIABLE}`;
  }
  if (/NOPERM|no permissions/i.test(message)) {
    return `Redis at ${connection.display} does not let this user run the commands backfire needs: grant them, or use another user`;
  }
  return undefined;
}

function describeNetworkProblem(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code === 'ETIMEDOUT' || /timeout/i.test(error.message)) return 'timed out';
  if (/Protocol error/i.test(error.message)) return 'the server there does not speak the Redis protocol';
  return code ?? 'connection closed';
}

/** A long-lived client whose errors are kept quiet (ioredis reconnects by itself; we log nothing secret). */
export function openClient(connection: QueueConnection, name: string): Redis {
  const client = new Redis({ ...connection.options, connectionName: `backfire:${name}` });
  client.on('error', () => {
    // Reconnection is ioredis's job; a command issued meanwhile waits for it (maxRetriesPerRequest null).
  });
  return client;
}
