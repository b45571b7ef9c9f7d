import { type Command, InvalidArgumentError } from 'commander';
import { startMockServer } from '../../models/index.js';
import { parseInteger, parseProbability } from '../options.js';

/** The longest delay a Node timer can hold (longer ones fire at once, with a warning). */
const MAX_TIMER_MS = 2_147_483_647;

interface MockServerCommandOptions {
  port?: number;
  latencyMs?: number;
  latencyLognormal?: { medianMs: number; sigma: number };
  recordLatencies?: boolean;
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
    .option('--port <n>', 'port (default: a free one)', parseInteger('--port', 0, 65_535))
    .option('--latency-ms <ms>', 'fixed latency of every answer', parseInteger('--latency-ms', 0, MAX_TIMER_MS))
    .option(
      '--latency-lognormal <median-ms,sigma>',
      'latency drawn from a lognormal with this median and log-sd (e.g. 150,0.8); overrides --latency-ms',
      parseLognormal,
    )
    .option('--record-latencies', "keep each answered request's latency and agent for GET /__latencies (benchmarks)")
    .option('--rate-limit <p>', 'share of requests answered 429 with Retry-After', parseProbability('--rate-limit'))
    .option('--server-error <p>', 'share answered 500', parseProbability('--server-error'))
    .option('--timeout <p>', 'share held until the client times out', parseProbability('--timeout'))
    .option('--malformed <p>', 'share answered with a malformed body', parseProbability('--malformed'))
    .option('--truncated <p>', 'share answered with a truncated body', parseProbability('--truncated'))
    .option(
      '--retry-after-ms <ms>',
      'wait a 429 asks for (default 1000)',
      parseInteger('--retry-after-ms', 0, MAX_TIMER_MS),
    )
    .option(
      '--timeout-hold-ms <ms>',
      'how long a timeout fault holds the request (default 60000)',
      parseInteger('--timeout-hold-ms', 0, MAX_TIMER_MS),
    )
    .option('--seed <n>', 'fault seed', parseInteger('--seed', 0, 2 ** 31 - 1))
    .action(async (options: MockServerCommandOptions) => {
      const server = await startMockServer({
        host: '127.0.0.1',
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
        ...(options.timeoutHoldMs === undefined ? {} : { timeoutHoldMs: options.timeoutHoldMs }),
        ...(options.recordLatencies === true ? { recordLatencies: true } : {}),
        latency:
          options.latencyLognormal !== undefined
            ? { kind: 'lognormal', ...options.latencyLognormal }
            : options.latencyMs === undefined
              ? { kind: 'none' }
              : { kind: 'fixed', ms: options.latencyMs },
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

function parseLognormal(value: string): { medianMs: number; sigma: number } {
  const [median, sigma, ...rest] = value.split(',').map((part) => Number(part.trim()));
  if (
    rest.length > 0 ||
    median === undefined ||
    sigma === undefined ||
    !Number.isFinite(median) ||
    !Number.isFinite(sigma) ||
    median <= 0 ||
    sigma < 0 ||
    sigma > 5
  ) {
    throw new InvalidArgumentError('expected "<median-ms>,<sigma>" with median > 0 and 0 <= sigma <= 5, e.g. 150,0.8');
  }
  return { medianMs: median, sigma };
}
