import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../src/contracts/index.js';
import { createModel } from '../src/models/backends-index.js';
import { REPO_ROOT } from './support/cli.js';
import { NO_NETWORK_CODE } from './support/network-guard.js';

/**
 * `npm test` with a provider key in the shell makes no network request: the live tests are not in the
 * default suite, and every worker of the default suite refuses sockets to anything but this machine.
 */

const VITEST = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');

function listedTestFiles(config: string): string[] {
  const result = spawnSync(process.execPath, [VITEST, 'list', '--filesOnly', '--json', '--config', config], {
    cwd: REPO_ROOT,
    env: { ...process.env, OPENAI_API_KEY: 'sk-test-not-a-real-key', ANTHROPIC_API_KEY: 'sk-ant-test' },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { file: string }[]).map((entry) => entry.file);
}

describe('npm test with OPENAI_API_KEY set', () => {
  it('does not collect the live tests; `npm run test:live` does', () => {
    const defaultFiles = listedTestFiles('vitest.config.ts');
    expect(defaultFiles.length).toBeGreaterThan(10);
    expect(defaultFiles.filter((file) => file.includes(`${join('test', 'live')}`))).toEqual([]);
    const liveFiles = listedTestFiles('vitest.live.config.ts');
    expect(liveFiles).toEqual([join(REPO_ROOT, 'test', 'live', 'providers.live.test.ts')]);
  });

  it('refuses a socket to a provider before any DNS lookup, and allows loopback', async () => {
    const outside = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = connect({ host: 'api.openai.com', port: 443 });
      socket.on('error', resolve);
    });
    expect(outside.code).toBe(NO_NETWORK_CODE);
    const loopback = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: 9 });
      socket.on('error', resolve);
      socket.on('connect', () => resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' })));
    });
    expect(loopback.code).not.toBe(NO_NETWORK_CODE);
  });

  it('a real provider model with a key set fails fast instead of calling out', async () => {
    const model = await createModel('openai:gpt-4o-mini', {
      env: { OPENAI_API_KEY: 'sk-test-not-a-real-key' },
      retry: { maxAttempts: 1 },
    });
    try {
      const error = await model
        .generate({
          messages: [{ role: 'user', content: 'hello' }],
          temperature: 0,
          maxTokens: 4,
          seed: 1,
          metadata: { runId: 'r', cellId: 'c', agentId: 'a', turn: 1, language: 'en', replicate: 0, participants: [] },
        })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ModelCallError);
      expect((error as ModelCallError).kind).toBe('network');
    } finally {
      await model.close?.();
    }
  });
});
