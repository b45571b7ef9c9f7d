import { Socket } from 'node:net';

/**
 * Loaded by vitest.config.ts (setupFiles) in every worker of the default suite: a socket may only
 * connect to this machine (loopback addresses, `localhost`, unix sockets). Anything else fails at once
 * with EBACKFIRE_NO_NETWORK, before a DNS lookup, so a test that would reach a provider (say, with
 * OPENAI_API_KEY set in the shell) fails loudly instead of spending money. Live tests run under
 * vitest.live.config.ts, which does not load this.
 */

export const NO_NETWORK_CODE = 'EBACKFIRE_NO_NETWORK';

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1', '0.0.0.0', '::']);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_HOSTS.has(bare) || /^127\./.test(bare) || /^::ffff:127\./.test(bare) || bare.endsWith('.localhost');
}

interface ConnectOptionsLike {
  host?: string;
  path?: string;
}

/** The options object of any `socket.connect(...)` call form (Node passes normalised arguments as an array). */
function connectOptions(args: unknown[]): ConnectOptionsLike {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) return first as ConnectOptionsLike;
  if (typeof first === 'string' && Number.isNaN(Number(first))) return { path: first };
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost' };
}

const guarded = Symbol.for('backfire.network-guard');
const prototype = Socket.prototype as Socket & { [guarded]?: true };
if (prototype[guarded] !== true) {
  const originalConnect = prototype.connect;
  prototype.connect = function guardedConnect(this: Socket, ...args: unknown[]) {
    const options = connectOptions(args);
    const host = options.host ?? 'localhost';
    if (options.path === undefined && !isLoopbackHost(host)) {
      const error = Object.assign(new Error(`the default test suite never reaches the network (connect to ${host})`), {
        code: NO_NETWORK_CODE,
      });
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return (originalConnect as (...connectArgs: unknown[]) => Socket).apply(this, args);
  } as typeof prototype.connect;
  prototype[guarded] = true;
}
