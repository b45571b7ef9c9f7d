import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../contracts/index.js';
import {
  importOptionalPeer,
  missingOptionalPeers,
  OPTIONAL_PEERS,
  type OptionalPeerName,
  optionalPeerInstallCommand,
  requireOptionalPeers,
} from './optional-peers.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

function notFound(name: string): Error {
  return Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
}

describe('optional peer dependencies', () => {
  it('are the optional peers of package.json, at the same versions, never plain dependencies', () => {
    const names = Object.keys(OPTIONAL_PEERS) as OptionalPeerName[];
    expect(Object.keys(packageJson.peerDependencies).sort()).toEqual([...names].sort());
    for (const name of names) {
      expect(packageJson.peerDependencies[name]).toBe(OPTIONAL_PEERS[name].version);
      expect(packageJson.peerDependenciesMeta[name]?.optional).toBe(true);
      expect(packageJson.dependencies[name]).toBeUndefined();
    }
  });

  it('are dev dependencies of a clone (except node-llama-cpp, installed by .ci/run), so the tests use them for real', () => {
    for (const name of ['@anthropic-ai/sdk', 'bullmq', 'ioredis'] as const) {
      expect(packageJson.devDependencies[name]).toBe(OPTIONAL_PEERS[name].version);
    }
    expect(missingOptionalPeers(['@anthropic-ai/sdk', 'bullmq', 'ioredis'])).toEqual([]);
  });

  it('names every missing package and the exact install command, in one user error', () => {
    const resolve = (name: string) => {
      throw notFound(name);
    };
    expect(missingOptionalPeers(['bullmq', 'ioredis'], resolve)).toEqual(['bullmq', 'ioredis']);
    let caught: unknown;
    try {
      requireOptionalPeers(['bullmq', 'ioredis'], '--queue', resolve);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserInputError);
    const error = caught as UserInputError;
    expect(error.message).toBe('the distributed queue: the optional packages bullmq and ioredis are not installed');
    expect(error.path).toBe('--queue');
    expect(error.fix).toContain('`npm install bullmq@5.81.5 ioredis@5.11.1`');
    expect(optionalPeerInstallCommand(['@anthropic-ai/sdk'])).toBe('npm install @anthropic-ai/sdk@1.14.0');
  });

  it('counts a package that resolves but refuses require() as installed (the import decides)', () => {
    const resolve = () => {
      throw Object.assign(new Error('No "exports" main defined'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
    };
    expect(missingOptionalPeers(['node-llama-cpp'], resolve)).toEqual([]);
  });

  it('turns a failed import of a missing peer into the user error, and passes other failures through', async () => {
    await expect(
      importOptionalPeer('@anthropic-ai/sdk', 'models', () => Promise.reject(notFound('@anthropic-ai/sdk'))),
    ).rejects.toThrow(UserInputError);
    await expect(importOptionalPeer('bullmq', '--queue', () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
  });
});
