import type { Command } from 'commander';
import { startMockServer } from '../../models/index.js';
import { parseInteger, parseNumber } from '../options.js';

interface MockServerCommandOptions {
  port?: number;
  latencyMs?: number;
  rateLimit?: number;
  serverError?: number;
  timeout?: number;
  malformed?: number;
  truncated?: number;
  retryAfterMs?: number;
  timeoutHoldMs?: number;
  seed?: number;
}

export function registerMockServer(program: Command): void {
  program
    .command('mock-server')
    .description('start the loopback OpenAI-compatible mock server (fault injection, prefix measurement) until Ctrl-C')
    .option('--port <n>', 'port (default: a free one)', parseInteger('--port', 0))
    .option('--latency-ms <ms>', 'fixed latency of every answer', parseInteger('--latency-ms', 0))
    .option('--rate-limit <p>', 'share of requests answered 429 with Retry-After', parseNumber('--rate-limit', 0))
    .option('--server-error <p>', 'share answered 500', parseNumber('--server-error', 0))
    .option('--timeout <p>', 'share held until the client times out', parseNumber('--timeout', 0))
    .option('--malformed <p>', 'share answered with a malformed body', parseNumber('--malformed', 0))
    .option('--truncated <p>', 'share answered with a truncated body', parseNumber('--truncated', 0))
    .option('--retry-after-ms <ms>', 'wait a 429 asks for (default 1000)', parseInteger('--retry-after-ms', 0))
    .option(
      '--timeout-hold-ms <ms>',
      'how long a timeout fault holds the request (default 60000)',
      parseInteger('--timeout-hold-ms', 0),
    )
    .option('--seed <n>', 'fault seed', parseInteger('--seed'))
    .action(async (options: MockServerCommandOptions) => {
      const server = await startMockServer({
        host: '127.0.0.1',
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
        ...(options.timeoutHoldMs === undefined ? {} : { timeoutHoldMs: options.timeoutHoldMs }),
        latency: options.latencyMs === undefined ? { kind: 'none' } : { kind: 'fixed', ms: options.latencyMs },
        faults: {
          rateLimit: options.rateLimit ?? 0,
          serverError: options.serverError ?? 0,
          timeout: options.timeout ?? 0,
          malformed: options.malformed ?? 0,
          truncated: options.truncated ?? 0,
        },
      });
      process.stdout.write(`mock server listening: --model openai-compatible:${server.url}#any\n(Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      const stats = server.stats();
      process.stderr.write(`${JSON.stringify(stats)}\n`);
      await server.close();
    });
}
