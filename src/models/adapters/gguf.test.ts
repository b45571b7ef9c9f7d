import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../contracts/index.js';
import { testRequest } from '../test-support.js';
import {
  GgufAdapter,
  identifyGgufFile,
  importNodeLlamaCpp,
  NODE_LLAMA_CPP_INSTALL,
  renderPlainPrompt,
} from './gguf.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL_RELATIVE = 'test/fixtures/models/llama-2-tiny-random.gguf';
// The model is committed (test/fixtures/models/README.md); the runtime is an optional peer, so these
// tests run wherever node-llama-cpp is installed (`.ci/run` installs it) and say so when it is not.
const modelAvailable = existsSync(join(repositoryRoot, MODEL_RELATIVE));
const runtimeInstalled = existsSync(join(repositoryRoot, 'node_modules', 'node-llama-cpp', 'package.json'));
if (!runtimeInstalled) {
  console.warn(
    'gguf tests skipped: the optional peer node-llama-cpp is not installed (npm install node-llama-cpp@3.21.1)',
  );
}

it('commits the tiny test model the gguf tests load', () => {
  expect(modelAvailable).toBe(true);
});

describe('renderPlainPrompt', () => {
  it('renders the documented plain format and ends with an open assistant turn', () => {
    expect(
      renderPlainPrompt([
        { role: 'system', content: 'Be Aiko.' },
        { role: 'user', content: 'Hello?' },
        { role: 'assistant', content: '[talk] Hi.' },
        { role: 'user', content: 'Decide.' },
      ]),
    ).toBe('System: Be Aiko.\n\nUser: Hello?\n\nAssistant: [talk] Hi.\n\nUser: Decide.\n\nAssistant:');
  });
});

describe('optional dependency', () => {
  it('says how to install node-llama-cpp when it is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'node-llama-cpp'"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await importNodeLlamaCpp(() => Promise.reject(missing)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).fix).toContain(NODE_LLAMA_CPP_INSTALL);
    expect(NODE_LLAMA_CPP_INSTALL).toBe('npm install node-llama-cpp@3.21.1');
  });

  it('does not hide other import failures', async () => {
    await expect(importNodeLlamaCpp(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('refuses a missing file before loading anything', async () => {
    await expect(identifyGgufFile('no/such/model.gguf', repositoryRoot, 'gguf:no/such/model.gguf')).rejects.toThrow(
      UserInputError,
    );
  });
});

// One thread: llama.cpp's worker threads spin while they wait, which on a busy 2-core machine makes
// each generation take seconds instead of milliseconds.
const testOptions = { threads: 1, contextSize: 512 };

describe.skipIf(!runtimeInstalled)('GgufAdapter with the tiny test model', () => {
  let plain: GgufAdapter;
  let templated: GgufAdapter;
  let directory: string;

  beforeAll(async () => {
    const identified = await identifyGgufFile(MODEL_RELATIVE, repositoryRoot, `gguf:${MODEL_RELATIVE}`);
    expect(identified.sha256).toBe('81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb');
    plain = await GgufAdapter.load({ ref: `gguf:${MODEL_RELATIVE}`, ...identified, providerOptions: testOptions });
    directory = mkdtempSync(join(tmpdir(), 'backfire-gguf-'));
    const withTemplate = join(directory, 'with-template.gguf');
    writeGgufWithStringMetadata(
      identified.file,
      withTemplate,
      'tokenizer.chat_template',
      "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '</s>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}",
    );
    templated = await GgufAdapter.load({
      ref: 'gguf:with-template.gguf',
      ...(await identifyGgufFile(withTemplate, directory, 'x')),
      providerOptions: testOptions,
    });
  });

  afterAll(async () => {
    await plain?.close();
    await templated?.close();
    if (directory !== undefined) {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('runs on the CPU and identifies the weights by their hash', () => {
    expect(plain.gpu).toBe(false);
    expect(plain.modelVersion).toBe(
      'llama-2-tiny-random.gguf@sha256:81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb',
    );
  });

  it('generates tokens from a model without a chat template, in the plain format, with a warning', async () => {
    expect(plain.usesChatTemplate).toBe(false);
    const result = await plain.generate(testRequest({ maxTokens: 5, seed: 3 }));
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeLessThanOrEqual(5);
    expect(result.usage.promptTokens).toBeGreaterThan(20);
    expect(['length', 'stop']).toContain(result.finishReason);
    expect(result.warnings).toEqual([expect.stringContaining('no chat template')]);
    expect(result.modelVersion).toBe(plain.modelVersion);
  });

  it('is reproducible by seed', async () => {
    const first = await plain.generate(testRequest({ maxTokens: 6, seed: 11, temperature: 0.9 }));
    const again = await plain.generate(testRequest({ maxTokens: 6, seed: 11, temperature: 0.9 }));
    expect(again.text).toBe(first.text);
  });

  it('uses the chat template when the file has one', async () => {
    expect(templated.usesChatTemplate).toBe(true);
    const result = await templated.generate(testRequest({ maxTokens: 4, seed: 5 }));
    expect(result.warnings).toEqual([]);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(result.usage.promptTokens).toBeGreaterThan(20);
  });

  it('serialises calls beyond its sequences and honours an abort', async () => {
    const [left, right] = await Promise.all([
      plain.generate(testRequest({ maxTokens: 3, seed: 1 })),
      plain.generate(testRequest({ maxTokens: 3, seed: 2 })),
    ]);
    expect(left.usage.completionTokens).toBeGreaterThan(0);
    expect(right.usage.completionTokens).toBeGreaterThan(0);
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(plain.generate(testRequest({ signal: controller.signal }))).rejects.toThrow('stop now');
  });
});

/**
 * Test support: writes a copy of a GGUF file with one extra string metadata entry (e.g.
 * `tokenizer.chat_template`), so the chat-template path of the gguf adapter can be tested for real
 * with the tiny test model, which has no template. GGUF v2/v3 layout: magic, version, tensor count,
 * metadata count, metadata entries, tensor infos, padding to `general.alignment`, tensor data
 * (tensor offsets are relative to the data section, so they survive the insertion).
 */
function writeGgufWithStringMetadata(source: string, target: string, key: string, value: string): void {
  const input = readFileSync(source);
  let offset = 0;
  const readU32 = (): number => {
    const result = input.readUInt32LE(offset);
    offset += 4;
    return result;
  };
  const readU64 = (): bigint => {
    const result = input.readBigUInt64LE(offset);
    offset += 8;
    return result;
  };
  const skipString = (): string => {
    const length = Number(readU64());
    const text = input.toString('utf8', offset, offset + length);
    offset += length;
    return text;
  };
  const scalarSizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  let alignment = 32;
  const skipValue = (type: number): number | undefined => {
    if (type === 8) {
      skipString();
      return undefined;
    }
    if (type === 9) {
      const itemType = readU32();
      const count = Number(readU64());
      for (let index = 0; index < count; index += 1) {
        skipValue(itemType);
      }
      return undefined;
    }
    const size = scalarSizes[type];
    if (size === undefined) {
      throw new Error(`unknown GGUF value type ${type}`);
    }
    const scalar = type === 4 ? input.readUInt32LE(offset) : undefined;
    offset += size;
    return scalar;
  };
  if (input.toString('latin1', 0, 4) !== 'GGUF') {
    throw new Error('not a GGUF file');
  }
  offset = 4;
  readU32();
  const tensorCount = readU64();
  const metadataCount = readU64();
  for (let index = 0n; index < metadataCount; index += 1n) {
    const name = skipString();
    const type = readU32();
    const scalar = skipValue(type);
    if (name === 'general.alignment' && scalar !== undefined) {
      alignment = scalar;
    }
  }
  const metadataEnd = offset;
  for (let index = 0n; index < tensorCount; index += 1n) {
    skipString();
    const dimensions = readU32();
    offset += dimensions * 8 + 4 + 8;
  }
  const tensorInfoEnd = offset;
  const dataStart = Math.ceil(tensorInfoEnd / alignment) * alignment;

  const encodeString = (text: string): Buffer => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(bytes.length));
    return Buffer.concat([length, bytes]);
  };
  const type = Buffer.alloc(4);
  type.writeUInt32LE(8);
  const entry = Buffer.concat([encodeString(key), type, encodeString(value)]);
  const header = Buffer.from(input.subarray(0, 24));
  header.writeBigUInt64LE(metadataCount + 1n, 16);
  const body = Buffer.concat([
    header,
    input.subarray(24, metadataEnd),
    entry,
    input.subarray(metadataEnd, tensorInfoEnd),
  ]);
  const padding = Buffer.alloc((alignment - (body.length % alignment)) % alignment);
  writeFileSync(target, Buffer.concat([body, padding, input.subarray(dataStart)]));
}
