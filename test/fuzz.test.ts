import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportError } from '../src/cli/errors.js';
import { ModelCallError } from '../src/contracts/index.js';
import { createActionParser } from '../src/engine/action-parser.js';
import { createModel } from '../src/models/backends-index.js';
import { loadStudyFile } from '../src/runner/index.js';
import { REPO_ROOT, temporaryDirectory } from './support/cli.js';
import { looksLikeACrash, runInProcess } from './support/in-process-cli.js';

/**
 * Property-based fuzzing (fast-check) of everything a user or a model hands backfire: study files,
 * CSVs for `backfire stats`, command-line flags, and model responses (truncated JSON, huge bodies,
 * invalid UTF-8, control characters, bidi overrides). The properties: the outcome is success or one
 * clean user error (exit 2), never a stack or the internal-error banner, never partial output, never
 * a hang past a bound. Cases run in-process (about 5,700 per `npm test`), through the CLI's command
 * table and error boundary or the validators and parsers themselves. FUZZ_SEED=<n> replays a failing run (fast-check prints the seed and the shrunk case).
 */

const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const settings = (numRuns: number) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });
const casesRun = { studies: 0, csv: 0, flags: 0, responses: 0, runs: 0 };
/** How many cases ended in a clean refusal (exit 2 / a typed error), to show both outcomes are exercised. */
const refused = { studies: 0, csv: 0, flags: 0, responses: 0 };
const directory = temporaryDirectory('fuzz');

afterAll(() => {
  const total = Object.values(casesRun).reduce((sum, count) => sum + count, 0);
  console.log(
    `fuzz: ${total} generated cases ran (refused cleanly in parentheses): study files ${casesRun.studies} (${refused.studies}), CSVs ${casesRun.csv} (${refused.csv}), flags ${casesRun.flags} (${refused.flags}), model responses ${casesRun.responses} (${refused.responses}), whole runs against a hostile server ${casesRun.runs}`,
  );
});

/** The exit code and message a thrown error becomes at the CLI boundary. */
function atBoundary(error: unknown): { status: number; text: string } {
  let text = '';
  const status = reportError(error, { write: (chunk: string) => (text += chunk) } as unknown as NodeJS.WriteStream);
  return { status, text };
}

// Strings a hostile input is made of: controls, bidi overrides, NUL, lone surrogates, long runs.
const nastyPiece = fc.oneof(
  fc.constantFrom(
    '\u0000',
    '\u0007',
    '\u001b[31m',
    '\r',
    '\t',
    '\u202e',
    '\u2066',
    '\u200f',
    '\ufeff',
    '\ud800',
    '"',
    "'",
  ),
  fc.constantFrom('1e308', '-0', 'NaN', '.inf', '0x1f', '9007199254740993', '', ' ', 'null', '~', 'true'),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const nastyString = fc.array(nastyPiece, { maxLength: 6 }).map((pieces) => pieces.join(''));

const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]']
  .concat(
    ['c', 'd', 'e', 'f', 'g', 'h'].map((name, index) => {
      const previous = ['b', 'c', 'd', 'e', 'f', 'g'][index];
      return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`;
    }),
  )
  .join('\n');

describe('fuzz: study files', () => {
  const demo = parseYaml(readFileSync(join(REPO_ROOT, 'studies', 'demo.yaml'), 'utf8')) as Record<string, unknown>;

  /** Replaces (or deletes, or adds beside) one value somewhere in a valid study. */
  function mutate(study: unknown, path: readonly number[], value: unknown, operation: string): unknown {
    const copy = structuredClone(study) as Record<string, unknown>;
    let node: unknown = copy;
    for (let depth = 0; depth < path.length; depth += 1) {
      if (typeof node !== 'object' || node === null) break;
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = keys[path[depth]! % keys.length]!;
      const last = depth === path.length - 1 || typeof (node as Record<string, unknown>)[key] !== 'object';
      if (last) {
        const container = node as Record<string, unknown>;
        if (operation === 'delete') delete container[key];
        else if (operation === 'add') container[`${key}_extra`] = value;
        else container[key] = value;
        break;
      }
      node = (node as Record<string, unknown>)[key];
    }
    return copy;
  }

  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    nastyString,
    fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -1, 0, 0.5, 61, 10_001),
  );
  const mutatedStudy = fc
    .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), value, fc.constantFrom('replace', 'delete', 'add'))
    .map(([path, replacement, operation]) => stringifyYaml(mutate(demo, path, replacement, operation)));
  const yamlish = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'a: ',
          '&x ',
          '*x',
          '[',
          ']',
          '{',
          '}',
          '- ',
          '\n',
          '  ',
          '<<: *x',
          '? ',
          '---\n',
          '!!binary ',
          '!!js/function ',
        ),
        fc.constantFrom('name: x\n', 'turns: 1e308\n', 'languages: [en]\n', 'replicates: ', '%YAML 1.2\n', '#c\n'),
        nastyPiece,
      ),
      { maxLength: 30 },
    )
    .map((pieces) => pieces.join(''));
  const rawBytes = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));

  it('loads or refuses with one clean message (exit 2), for 1,400 generated files', () => {
    const file = join(directory, 'study.yaml');
    fc.assert(
      fc.property(fc.oneof({ weight: 3, arbitrary: mutatedStudy }, yamlish, rawBytes), (content) => {
        casesRun.studies += 1;
        writeFileSync(file, content);
        const started = Date.now();
        try {
          loadStudyFile(file);
        } catch (error) {
          const { status, text } = atBoundary(error);
          refused.studies += 1;
          expect(status, text).toBe(2);
          expect(looksLikeACrash(text), text).toBe(false);
          // One message, its fix, and at most a short list of further problems.
          expect(text.length).toBeLessThan(4_000);
        }
        expect(Date.now() - started).toBeLessThan(5_000);
      }),
      {
        ...settings(1_400),
        // The hostile inputs of the issue that asked for this suite, always tried first.
        examples: [
          [ALIAS_BOMB],
          [stringifyYaml({ ...demo, turns: 1e308 })],
          [stringifyYaml({ ...demo, budget: { usd: 0 } })],
          [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff, 0xfe])],
          [`${'x: '.repeat(10_000)}1`],
        ],
      },
    );
  });
});

describe('fuzz: CSVs for backfire stats', () => {
  const header = fc.oneof(
    { weight: 3, arbitrary: fc.constant(['y', 'group', 'x']) },
    fc.array(fc.oneof(fc.constantFrom('y', 'group', 'x', 'g'), nastyString), { minLength: 1, maxLength: 4 }),
  );
  const cell = fc.oneof(
    fc.double({ noNaN: false }).map(String),
    fc.integer({ min: -5, max: 5 }).map(String),
    fc.constantFrom('a', 'b', 'NA', '', '"', '"a,b"', '1e999', '-', '\u202e1', ' 3 '),
    nastyString,
  );
  // Mostly well-formed rows (numbers, two groups), some with a hostile cell or a wrong length.
  const row = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.double({ min: -100, max: 100, noNaN: true }),
          fc.constantFrom('a', 'b'),
          fc.integer({ min: -9, max: 9 }),
        )
        .map(([y, group, x]) => [String(y), group, String(x)]),
    },
    fc.array(cell, { maxLength: 5 }),
  );
  const csv = fc
    .tuple(header, fc.array(row, { maxLength: 30 }), fc.nat(), fc.boolean())
    .map(([columns, rows, cut, crlf]) => {
      const text = [columns.join(','), ...rows.map((cells) => cells.join(','))].join(crlf ? '\r\n' : '\n');
      // Sometimes the file ends mid-record, as a truncated download would.
      return cut % 5 === 0 ? text.slice(0, cut % (text.length + 1)) : text;
    });
  const command = fc.constantFrom(
    ['ttest', '--y', 'y', '--group', 'group'],
    ['g', '--y', 'y', '--group', 'group'],
    ['pearson', '--x', 'x', '--y', 'y'],
    ['spearman', '--x', 'x', '--y', 'y'],
    ['ols', '--formula', 'y ~ x'],
    ['ttest', '--y', 'y', '--json'],
  );

  it('answers or refuses cleanly with no partial output, for 1,000 generated CSVs', async () => {
    const file = join(directory, 'data.csv');
    await fc.assert(
      fc.asyncProperty(csv, command, async (content, args) => {
        casesRun.csv += 1;
        writeFileSync(file, content);
        const [test, ...rest] = args;
        const started = Date.now();
        const result = await runInProcess(['stats', test!, '--data', file, ...rest]);
        expect([0, 2], result.stderr).toContain(result.status);
        expect(looksLikeACrash(result.stderr), result.stderr).toBe(false);
        if (result.status === 2) refused.csv += 1;
        if (result.status === 2) expect(result.stdout, 'partial output before an error').toBe('');
        else expect(result.stdout.length).toBeGreaterThan(0);
        expect(Date.now() - started).toBeLessThan(5_000);
      }),
      settings(1_000),
    );
  });
});

describe('fuzz: command-line flags', () => {
  const commands: Record<string, string[]> = {
    run: [
      '--out',
      '--seed',
      '--model',
      '--replicates',
      '--budget',
      '--concurrency',
      '--replay',
      '--quiet',
      '--no-cache',
    ],
    simulate: ['--seed', '--replicates', '--budget', '--concurrency'],
    plan: ['--budget', '--seed', '--replicates', '--completion-tokens', '--json', '--model'],
    validate: ['--seed', '--model'],
    'mock-server': [
      '--port',
      '--latency-ms',
      '--rate-limit',
      '--server-error',
      '--timeout',
      '--malformed',
      '--truncated',
      '--retry-after-ms',
      '--seed',
    ],
    power: ['--simulations', '--replicates', '--seed', '--alpha', '--target-power', '--effect'],
    doctor: [],
    schema: ['--out'],
  };
  const flagValue = fc.oneof(
    fc.constantFrom('0', '1', '-1', '2', '0.5', '99999', '1e308', 'NaN', 'Infinity', '', ' ', '0x10', '1.5', '65536'),
    nastyString,
  );
  const argv = fc.constantFrom(...Object.keys(commands)).chain((name) =>
    fc
      .array(fc.tuple(fc.constantFrom(...commands[name]!, '--unknown-flag'), flagValue, fc.boolean()), {
        maxLength: 4,
      })
      .map((flags) => [
        name,
        'studies/demo.yaml',
        ...flags.flatMap(([flag, value, withValue]) => (withValue ? [flag, value] : [flag])),
      ]),
  );

  it('parses or refuses every flag combination with exit 2 and one message, for 2,000 command lines', async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        casesRun.flags += 1;
        // Only the parsing and the flag validators run: the actions are replaced by a no-op.
        const result = await runInProcess(args, { replaceActions: () => () => undefined });
        expect([0, 2], `${args.join(' ')}\n${result.stderr}`).toContain(result.status);
        expect(looksLikeACrash(result.stderr), result.stderr).toBe(false);
        if (result.status === 2) refused.flags += 1;
        if (result.status === 2) expect(result.stderr).toMatch(/error/);
      }),
      settings(2_000),
    );
  });
});

describe('fuzz: model responses', () => {
  let server: Server;
  let nextBody: Buffer = Buffer.from('{}');
  let nextStatus = 200;
  let baseUrl = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(nextStatus, { 'content-type': 'application/json' });
        response.end(nextBody);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const completion = (content: string) =>
    JSON.stringify({
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
  const content = fc.oneof(
    nastyString,
    fc.constantFrom(
      '[talk] hello',
      '[whisper -> Aiko] psst',
      '[monologue] hm',
      '<think>x</think>[talk] ok',
      '```\n[talk] a\n```',
    ),
    fc.tuple(fc.constantFrom('[talk] ', '[whisper -> ', '[monologue]'), nastyString).map(([tag, text]) => tag + text),
  );
  const body = fc.oneof(
    { weight: 4, arbitrary: content.map((text) => Buffer.from(completion(text))) },
    // Truncated JSON: a valid answer cut anywhere.
    fc.tuple(content, fc.nat()).map(([text, cut]) => {
      const full = Buffer.from(completion(text));
      return full.subarray(0, cut % full.length);
    }),
    // Invalid UTF-8 spliced into a valid answer.
    fc.tuple(content, fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([text, bytes]) => {
      const full = completion(`${text}XX`);
      const at = full.indexOf('XX');
      return Buffer.concat([
        Buffer.from(full.slice(0, at)),
        Buffer.from(bytes.map((byte) => byte | 0x80)),
        Buffer.from(full.slice(at + 2)),
      ]);
    }),
    fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
    fc.jsonValue({ maxDepth: 3 }).map((json) => Buffer.from(JSON.stringify(json) ?? 'null')),
    // A huge answer (a few hundred kilobytes to a few megabytes of text).
    fc.integer({ min: 200_000, max: 3_000_000 }).map((size) => Buffer.from(completion(`[talk] ${'a'.repeat(size)}`))),
  );
  const parser = createActionParser({
    aliases: { talk: ['say'], whisper: ['ささやく'], monologue: ['think'] },
    participants: [
      { id: 'a1', name: 'Aiko' },
      { id: 'a2', name: 'Ben' },
    ],
  });

  it('the action parser reads or rejects any text, for 1,000 generated answers', () => {
    fc.assert(
      fc.property(fc.oneof(content, fc.string({ unit: 'binary', maxLength: 2_000 })), (text) => {
        casesRun.responses += 1;
        const started = Date.now();
        const parsed = parser(text);
        expect(typeof parsed.ok).toBe('boolean');
        if (parsed.ok) expect(typeof parsed.text).toBe('string');
        expect(Date.now() - started).toBeLessThan(1_000);
      }),
      settings(1_000),
    );
  });

  it('the OpenAI-compatible adapter returns text or a typed model-call error, for 300 hostile HTTP answers', async () => {
    const model = await createModel(`openai-compatible:${baseUrl}#m`, { env: {}, retry: { maxAttempts: 1 } });
    try {
      await fc.assert(
        fc.asyncProperty(body, fc.constantFrom(200, 200, 200, 400, 429, 500, 503), async (answer, status) => {
          casesRun.responses += 1;
          nextBody = answer;
          nextStatus = status;
          const started = Date.now();
          try {
            const result = await model.generate({
              messages: [{ role: 'user', content: 'Decide.' }],
              temperature: 0.5,
              maxTokens: 16,
              seed: 1,
              metadata: {
                runId: 'r',
                cellId: 'c',
                agentId: 'a1',
                turn: 1,
                language: 'en',
                replicate: 0,
                participants: [],
              },
            });
            expect(typeof result.text).toBe('string');
            parser(result.text);
          } catch (error) {
            refused.responses += 1;
            expect(error, String(error)).toBeInstanceOf(ModelCallError);
          }
          expect(Date.now() - started).toBeLessThan(10_000);
        }),
        settings(300),
      );
    } finally {
      await model.close?.();
    }
  });
});

describe('fuzz: a whole run', () => {
  it('a run against a server answering hostile bodies ends with exit 0 and its failures recorded, no stack', async () => {
    const bodies = fc.sample(
      fc.oneof(
        fc.constantFrom('{"choices": [', '', '\u0000\u0001', '{"choices":[{"message":{"content":"\u202e[talk] x"}}]}'),
        nastyString.map((text) =>
          JSON.stringify({
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: text } }],
          }),
        ),
      ),
      64,
    );
    let served = 0;
    const hostile = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(bodies[served++ % bodies.length]);
      });
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/v1`;
      const study = join(directory, 'hostile.yaml');
      writeFileSync(
        study,
        `name: hostile\ntitle: Hostile\nseed: 5\nlanguages: [en]\nagents: 3\nturns: 2\ndesign:\n  dose: { intervention: alignment, levels: [0, 3] }\nreplicates: 2\nmodels: ["openai-compatible:${url}#m"]\nmodelOptions:\n  "openai-compatible:${url}#m": { timeoutMs: 5000 }\nanalysis:\n  hypotheses:\n    - { id: H, kind: contrast, metric: cpi, high: 3, low: 0 }\n`,
      );
      const result = await runInProcess(['run', study, '--out', join(directory, 'hostile-run'), '--quiet']);
      casesRun.runs += 1;
      expect([0, 2], result.stderr).toContain(result.status);
      expect(looksLikeACrash(result.stderr + result.stdout), result.stderr).toBe(false);
      expect(served).toBeGreaterThan(0);
    } finally {
      await new Promise<void>((resolve) => hostile.close(() => resolve()));
    }
  });
});
