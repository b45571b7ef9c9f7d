import type { Command } from 'commander';
import { hashCanonical, type ModelOptions, UserInputError } from '../../contracts/index.js';
import { type ChatModel, createModel, isBuiltinModelRef, UsageMeter } from '../../models/index.js';
import {
  DEFAULT_WORKER_SETTINGS,
  type PreparedStudy,
  loadQueueRuntime,
  parseQueueUrl,
  REDIS_PASSWORD_VARIABLE,
  type StudyPayload,
} from '../../queue/index.js';
import { createBuiltinModel, planStudy, resolveStudy, runSpecFor, toolVersion } from '../../runner/index.js';
import { collect, parseInteger } from '../options.js';

/**
 * `backfire worker --queue <url>`: takes simulation jobs of any study whose coordinator uses this
 * Redis, with this host's models, until Ctrl-C (runs in progress go back to the queue at their next
 * turn boundary). `--model <ref>` replaces every network model of a study by a model of this host;
 * `--model <study-ref>=<ref>` replaces one (e.g. a shared name by this GPU box's vLLM endpoint).
 */

interface WorkerCommandOptions {
  queue: string;
  model?: string[];
  concurrency?: number;
  lockDuration?: number;
  stalledInterval?: number;
  replyTimeout?: number;
  quiet?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description("simulate runs from a queue (a coordinator's `backfire run --queue`), with this host's models")
    .requiredOption(
      '--queue <redis-url>',
      `the coordinator's Redis: redis://[user:password@]host:port[/db] (the password may be in ${REDIS_PASSWORD_VARIABLE} instead)`,
    )
    .option(
      '--model <ref>',
      "this host's model for the studies' network models, or <study-ref>=<ref> (repeatable)",
      collect,
    )
    .option(
      '--concurrency <n>',
      `runs simulated at once (default ${DEFAULT_WORKER_SETTINGS.concurrency})`,
      parseInteger('--concurrency', 1),
    )
    .option(
      '--lock-duration <ms>',
      `a worker silent this long loses its runs to other workers (default ${DEFAULT_WORKER_SETTINGS.lockDurationMs})`,
      parseInteger('--lock-duration', 500),
    )
    .option(
      '--stalled-interval <ms>',
      `how often to look for runs of lost workers (default ${DEFAULT_WORKER_SETTINGS.stalledIntervalMs})`,
      parseInteger('--stalled-interval', 200),
    )
    .option(
      '--reply-timeout <ms>',
      `how long to wait for the coordinator to answer before asking again (default ${DEFAULT_WORKER_SETTINGS.replyTimeoutMs})`,
      parseInteger('--reply-timeout', 100),
    )
    .option('--quiet', 'print only problems')
    .action(async (options: WorkerCommandOptions) => {
      const mapping = parseModelMapping(options.model ?? []);
      const connection = parseQueueUrl(options.queue, process.env);
      const { probeQueue, QueueWorker } = await loadQueueRuntime();
      await probeQueue(connection);
      const log = (line: string) => process.stderr.write(`worker: ${line}\n`);
      const worker = await QueueWorker.start({
        connection,
        settings: {
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.lockDuration === undefined ? {} : { lockDurationMs: options.lockDuration }),
          ...(options.stalledInterval === undefined ? {} : { stalledIntervalMs: options.stalledInterval }),
          ...(options.replyTimeout === undefined ? {} : { replyTimeoutMs: options.replyTimeout }),
        },
        prepareStudy: (payload) => prepareStudy(payload, mapping),
        log,
      });
      if (options.quiet !== true) log(`${worker.workerId} taking runs from ${connection.display}`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const onSignal = () => {
          if (stopping) process.exit(130);
          stopping = true;
          if (options.quiet !== true) log('stopping: runs in progress go back to the queue after their current turn');
          worker.close().then(resolve, resolve);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
    });
}

interface ModelMapping {
  /** For every network model of a study without a specific mapping. */
  fallback: string | undefined;
  byStudyRef: Map<string, string>;
}

function parseModelMapping(values: readonly string[]): ModelMapping {
  const mapping: ModelMapping = { fallback: undefined, byStudyRef: new Map() };
  for (const value of values) {
    const separator = value.indexOf('=');
    if (separator < 0) {
      if (mapping.fallback !== undefined) {
        throw new UserInputError('--model without "=" is given twice', {
          path: '--model',
          fix: 'give one model for every network model, and <study-ref>=<ref> for the others',
        });
      }
      mapping.fallback = value;
    } else {
      mapping.byStudyRef.set(value.slice(0, separator), value.slice(separator + 1));
    }
  }
  return mapping;
}

/** Resolves a queued study on this host, refuses one it would not simulate identically, and builds its models. */
async function prepareStudy(payload: StudyPayload, mapping: ModelMapping): Promise<PreparedStudy> {
  const label = `queued study ${payload.study.name}`;
  if (payload.version !== toolVersion()) {
    throw new UserInputError(`the coordinator runs backfire ${payload.version}, this worker ${toolVersion()}`, {
      file: label,
      fix: 'install the same backfire version on every host',
    });
  }
  const loaded = resolveStudy(payload.study, label);
  const differentPacks = [...loaded.packs]
    .filter(([tag, pack]) => payload.packHashes[tag] !== hashCanonical(pack))
    .map(([tag]) => tag);
  if (loaded.hash !== payload.studyHash || differentPacks.length > 0) {
    throw new UserInputError(
      `this worker's language packs differ from the coordinator's (${differentPacks.join(', ') || 'study hash'})`,
      { file: label, fix: 'install the same backfire version and packs on every host' },
    );
  }
  const meter = new UsageMeter({ cellOf: (call) => call.metadata.cellId });
  const models = new Map<string, ChatModel>();
  const closers: (() => Promise<void> | undefined)[] = [];
  for (const ref of loaded.study.models) {
    const local = mapping.byStudyRef.get(ref) ?? (isBuiltinModelRef(ref) ? ref : (mapping.fallback ?? ref));
    const modelOptions: ModelOptions | undefined = loaded.study.modelOptions[ref];
    // Every model, built-in or remote, gets its wrapper stack from createModel. Retries and adaptive
    // rate limits are this worker's, per endpoint; prices feed the call records, whose cost the
    // coordinator adds up against the study's budget.
    const model = await createModel(local, {
      env: process.env,
      resolveBuiltin: (builtinRef) => createBuiltinModel(builtinRef, loaded),
      baseUrl: mapping.byStudyRef.has(ref) || local !== ref ? undefined : modelOptions?.baseUrl,
      apiKeyVariable: modelOptions?.apiKeyVariable,
      providerOptions: modelOptions?.providerOptions,
      timeoutMs: modelOptions?.timeoutMs,
      concurrency: {
        maxConcurrency: modelOptions?.maxConcurrency,
        requestsPerMinute: modelOptions?.requestsPerMinute,
        tokensPerMinute: modelOptions?.tokensPerMinute,
      },
      meter,
    });
    models.set(ref, model);
    closers.push(() => model.close?.());
  }
  const runs = new Map(planStudy(loaded.study).runs.map((run) => [run.id, run]));
  return {
    specFor(runId) {
      const run = runs.get(runId);
      const pack = run === undefined ? undefined : loaded.packs.get(run.cell.language);
      const model = run === undefined ? undefined : models.get(run.cell.model);
      if (run === undefined || pack === undefined || model === undefined) {
        throw new Error(`run ${runId} is not a run of study ${payload.study.name}`);
      }
      return runSpecFor(loaded.study, run, pack, model);
    },
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
