import { describe, expect, it } from 'vitest';
import { UserInputError } from '../contracts/index.js';
import { baseUrlVariable, PRESETS, parseModelRef, resolveModelRef } from './model-ref.js';

describe('parseModelRef', () => {
  it('recognises built-in references', () => {
    expect(parseModelRef('surrogate')).toEqual({ kind: 'builtin', ref: 'surrogate' });
    expect(parseModelRef('mock:always-talk')).toEqual({ kind: 'builtin', ref: 'mock:always-talk' });
  });

  it('splits a preset from a model name that itself contains colons and slashes', () => {
    expect(parseModelRef('ollama:llama3.2:1b')).toMatchObject({
      kind: 'openai-compatible',
      preset: 'ollama',
      model: 'llama3.2:1b',
    });
    expect(parseModelRef('openrouter:meta-llama/llama-3.3-70b-instruct:free')).toMatchObject({
      preset: 'openrouter',
      model: 'meta-llama/llama-3.3-70b-instruct:free',
    });
  });

  it('parses openai-compatible references with one or several base URLs', () => {
    expect(parseModelRef('openai-compatible:https://api.groq.com/openai/v1#llama-3.3-70b-versatile')).toEqual({
      kind: 'openai-compatible',
      ref: 'openai-compatible:https://api.groq.com/openai/v1#llama-3.3-70b-versatile',
      preset: null,
      model: 'llama-3.3-70b-versatile',
      baseUrls: ['https://api.groq.com/openai/v1'],
    });
    const balanced = parseModelRef('openai-compatible:http://10.0.0.1:8000/v1/, http://10.0.0.2:8000/v1#Qwen/Qwen3');
    expect(balanced).toMatchObject({
      baseUrls: ['http://10.0.0.1:8000/v1', 'http://10.0.0.2:8000/v1'],
      model: 'Qwen/Qwen3',
    });
  });

  it('parses anthropic and gguf references', () => {
    expect(parseModelRef('anthropic:claude-haiku-4-5')).toEqual({
      kind: 'anthropic',
      ref: 'anthropic:claude-haiku-4-5',
      model: 'claude-haiku-4-5',
    });
    expect(parseModelRef('gguf:../models/a b.gguf')).toEqual({
      kind: 'gguf',
      ref: 'gguf:../models/a b.gguf',
      path: '../models/a b.gguf',
    });
  });

  it.each([
    ['', /empty/],
    ['llama', /no provider prefix/],
    ['nosuch:model', /unknown provider "nosuch"/],
    ['groq:', /nothing after/],
    ['openai-compatible:http://127.0.0.1:8000/v1', /missing "#<model>"/],
    ['openai-compatible:ftp://host/v1#m', /unsupported protocol/],
    ['openai-compatible:not a url#m', /is not a URL/],
  ])('rejects %j with a UserInputError', (ref, message) => {
    expect(() => parseModelRef(ref)).toThrow(UserInputError);
    expect(() => parseModelRef(ref)).toThrow(message);
  });

  it('refuses credentials in a base URL without echoing them', () => {
    let error: unknown;
    try {
      parseModelRef('openai-compatible:https://user:sk-secret-value@host/v1#m');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).message).toMatch(/contains credentials/);
    expect((error as UserInputError).format()).toContain('key in the API-key variable');
    expect((error as UserInputError).format()).not.toContain('sk-secret-value');
    expect((error as UserInputError).message).toContain('https://[redacted]@host/v1');
    expect(() => parseModelRef('openai-compatible:https://host/v1?api_key=abcdef#m')).toThrow(
      /credential-like query parameter/,
    );
    expect(() => parseModelRef('openai-compatible:https://host/v1?api_key=abcdef#m')).not.toThrow(/abcdef/);
  });
});

describe('resolveModelRef', () => {
  it('fills a preset base URL and key variable', () => {
    const resolved = resolveModelRef('groq:llama-3.3-70b-versatile', {});
    expect(resolved).toMatchObject({
      kind: 'openai-compatible',
      baseUrls: ['https://api.groq.com/openai/v1'],
      apiKeyVariable: 'GROQ_API_KEY',
      apiKeyRequired: true,
      maxTokensField: 'max_tokens',
      priceProvider: 'groq',
    });
    expect(resolveModelRef('openai:gpt-4o-mini', {})).toMatchObject({ maxTokensField: 'max_completion_tokens' });
  });

  it('lets <PRESET>_BASE_URL override the URL, and an explicit override beat both', () => {
    expect(baseUrlVariable('vllm')).toBe('VLLM_BASE_URL');
    const env = { VLLM_BASE_URL: 'http://gpu-a:8000/v1,http://gpu-b:8000/v1' };
    expect(resolveModelRef('vllm:m', env)).toMatchObject({
      baseUrls: ['http://gpu-a:8000/v1', 'http://gpu-b:8000/v1'],
    });
    expect(resolveModelRef('vllm:m', env, { baseUrl: 'http://other:1/v1' })).toMatchObject({
      baseUrls: ['http://other:1/v1'],
    });
    expect(resolveModelRef('vllm:m', env, { apiKeyVariable: 'MY_KEY' })).toMatchObject({ apiKeyVariable: 'MY_KEY' });
  });

  it('prices an openai-compatible URL equal to a preset like the preset, others by host', () => {
    expect(resolveModelRef('openai-compatible:https://api.groq.com/openai/v1#m', {})).toMatchObject({
      priceProvider: 'groq',
    });
    expect(resolveModelRef('openai-compatible:http://127.0.0.1:9999/v1#m', {})).toMatchObject({
      priceProvider: '127.0.0.1:9999',
      apiKeyVariable: 'OPENAI_COMPATIBLE_API_KEY',
      apiKeyRequired: false,
    });
  });

  it('resolves anthropic with ANTHROPIC_BASE_URL', () => {
    expect(resolveModelRef('anthropic:claude-haiku-4-5', {})).toMatchObject({
      baseUrl: 'https://api.anthropic.com',
      apiKeyVariable: 'ANTHROPIC_API_KEY',
    });
    expect(resolveModelRef('anthropic:m', { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' })).toMatchObject({
      baseUrl: 'http://127.0.0.1:1',
    });
  });

  it('has hosted presets that require keys and local ones that do not', () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      const local = preset.baseUrl.startsWith('http://127.0.0.1');
      expect(preset.apiKeyRequired, name).toBe(!local);
      expect(preset.apiKeyVariable, name).toMatch(/^[A-Z0-9_]+_API_KEY$/);
    }
  });
});
