import { createRequire } from 'node:module';
import { UserInputError } from '../contracts/index.js';

/**
 * Packages a user installs only for the feature that needs them: optional peer dependencies in
 * package.json, so that `npm install backfire` brings what the core path uses (the surrogate, the
 * OpenAI-compatible adapter, the store, statistics, reports, the viewer) and nothing else
 * (docs/decisions/2026-12-07-optional-peers.md). A clone has them all as devDependencies, so the
 * test suite exercises them for real. Each is imported lazily by the one module that uses it; a
 * command that needs a missing one stops before its first model call or write with one message
 * that names the install command. A test checks these versions equal package.json's.
 */
export const OPTIONAL_PEERS = {
  'node-llama-cpp': { version: '3.21.1', feature: 'gguf models', size: 'about 700 MB with its prebuilt binaries' },
  '@anthropic-ai/sdk': { version: '1.14.0', feature: 'anthropic models', size: 'about 29 MB' },
  bullmq: { version: '5.81.5', feature: 'the distributed queue', size: 'about 16 MB with its dependencies' },
  ioredis: { version: '5.11.1', feature: 'the distributed queue', size: 'a few MB' },
} as const;

export type OptionalPeerName = keyof typeof OPTIONAL_PEERS;

const require = createRequire(import.meta.url);

/** `npm install a@1 b@2`: the exact command that adds the named peers at the tested versions. */
export function optionalPeerInstallCommand(names: readonly OptionalPeerName[]): string {
  return `npm install ${names.map((name) => `${name}@${OPTIONAL_PEERS[name].version}`).join(' ')}`;
}

/** Whether an import failed because the package is not installed (not because it is broken). */
export function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * The named peers that cannot be found from here, checked synchronously (no module is loaded), so a
 * command can refuse before it starts work. A package that resolves but hides its entry from
 * `require` (ESM-only exports) counts as installed; the later import decides.
 */
export function missingOptionalPeers(
  names: readonly OptionalPeerName[],
  resolve: (name: string) => string = require.resolve,
): OptionalPeerName[] {
  return names.filter((name) => {
    try {
      resolve(name);
      return false;
    } catch (error) {
      return isModuleNotFound(error);
    }
  });
}

/** The one error for a feature whose optional packages are not installed. */
export function optionalPeersMissingError(names: readonly OptionalPeerName[], path: string): UserInputError {
  const feature = OPTIONAL_PEERS[names[0]!].feature;
  const plural = names.length > 1;
  return new UserInputError(
    `${feature}: the optional package${plural ? 's' : ''} ${names.join(' and ')} ${plural ? 'are' : 'is'} not installed`,
    {
      path,
      fix: `run \`${optionalPeerInstallCommand(names)}\` in the project (${names.map((name) => OPTIONAL_PEERS[name].size).join(', ')})`,
    },
  );
}

/** Throws `optionalPeersMissingError` when any of the named peers is missing. */
export function requireOptionalPeers(
  names: readonly OptionalPeerName[],
  path: string,
  resolve?: (name: string) => string,
): void {
  const missing = missingOptionalPeers(names, resolve);
  if (missing.length > 0) throw optionalPeersMissingError(missing, path);
}

/**
 * Imports an optional peer, or explains in one message how to add it. `importer` is the caller's own
 * `import(...)` (so bundlers and type checkers see the specifier where it is used).
 */
export async function importOptionalPeer<Module>(
  name: OptionalPeerName,
  path: string,
  importer: () => Promise<unknown>,
): Promise<Module> {
  try {
    return (await importer()) as Module;
  } catch (error) {
    if (isModuleNotFound(error)) throw optionalPeersMissingError([name], path);
    throw error;
  }
}
