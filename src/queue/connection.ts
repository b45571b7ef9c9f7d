import type { RedisOptions } from 'ioredis';
import { BackfireError, UserInputError } from '../contracts/index.js';

/**
 * Where the queue lives: a `redis://[user:password@]host:port[/db]` URL (or `rediss://` for TLS),
 * with the password optionally from an environment variable. The password is handed to ioredis and
 * to nothing else: everything shown to a user names the server by `display`, which never has it.
 */

/** Read when the URL carries no password, so it need not appear on a command line. */
export const REDIS_PASSWORD_VARIABLE = 'BACKFIRE_REDIS_PASSWORD';

export interface QueueConnection {
  /** `redis://host:port/db`, safe to print and store (no user name, no password). */
  display: string;
  /** Where the password came from, for messages: the URL, the variable, or none. */
  passwordSource: 'url' | 'environment' | 'none';
  /** For long-lived connections (BullMQ and the turn channel): reconnect for ever, never give up a command. */
  options: RedisOptions;
}

/** Cannot reach Redis, or it refused us: one line, exit code 2, no password in it. */
export class QueueConnectionError extends BackfireError {
  constructor(message: string) {
    super('queue-connection', message, 2);
  }
}

export function parseQueueUrl(url: string, env: Readonly<Record<string, string | undefined>>): QueueConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl('is not a URL');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw badUrl(`has scheme ${parsed.protocol}`);
  if (parsed.hostname === '') throw badUrl('has no host');
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw badUrl('has a path that is not a database number');
  const db = path === '' ? 0 : Number(path);
  const fromUrl = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  const fromEnvironment = env[REDIS_PASSWORD_VARIABLE];
  const password = fromUrl ?? (fromEnvironment === undefined || fromEnvironment === '' ? undefined : fromEnvironment);
  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return {
    display: `${parsed.protocol}//${parsed.host}/${db}`,
    passwordSource: fromUrl !== undefined ? 'url' : password !== undefined ? 'environment' : 'none',
    options: {
      host,
      port,
      db,
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
      // BullMQ's blocking commands need this; a command waits through a Redis restart instead of failing.
      maxRetriesPerRequest: null,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2000),
      connectTimeout: 5000,
    },
  };

  function badUrl(problem: string): UserInputError {
    // The URL itself is not repeated: it may hold a password.
    return new UserInputError(`the queue URL ${problem}`, {
      path: '--queue',
      fix: `write it as redis://[user:password@]host:port[/db] (the password may instead be in ${REDIS_PASSWORD_VARIABLE})`,
    });
  }
}
