import { describe, expect, it } from 'vitest';
import { createModel, MemoryCallRecording } from '../../src/models/backends-index.js';

/**
 * Live tests against real providers. Each block runs only when its key variable is set, so the
 * default suite never touches the internet. One short call per provider (a fraction of a cent).
 * The model can be changed with BACKFIRE_LIVE_<PROVIDER>_MODEL.
 */

const providers = [
  { name: 'openai', keyVariable: 'OPENAI_API_KEY', model: 'gpt-4o-mini', priced: true },
  { name: 'groq', keyVariable: 'GROQ_API_KEY', model: 'llama-3.1-8b-instant', priced: true },
  { name: 'anthropic', keyVariable: 'ANTHROPIC_API_KEY', model: 'claude-haiku-4-5', priced: true },
  { name: 'openrouter', keyVariable: 'OPENROUTER_API_KEY', model: 'meta-llama/llama-3.3-70b-instruct', priced: false },
  { name: 'together', keyVariable: 'TOGETHER_API_KEY', model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', priced: true },
] as const;

for (const provider of providers) {
  const key = process.env[provider.keyVariable];
  describe.skipIf(key === undefined || key === '')(`live: ${provider.name} (${provider.keyVariable} is set)`, () => {
    it('answers one call with usage, a resolved version and no key anywhere in the record', async () => {
      const model = process.env[`BACKFIRE_LIVE_${provider.name.toUpperCase()}_MODEL`] ?? provider.model;
      const recording = new MemoryCallRecording();
      const chat = await createModel(`${provider.name}:${model}`, {
        env: process.env,
        recorder: recording,
        retry: { maxAttempts: 3 },
      });
      try {
        const result = await chat.generate({
          messages: [
            {
              role: 'system',
              content: 'You are a member of a small group. Answer in the form "[talk] <one short sentence>".',
            },
            { role: 'user', content: 'The group asks you to introduce yourself.' },
          ],
          temperature: 0.7,
          maxTokens: 40,
          seed: 1,
          metadata: {
            runId: 'live-test',
            cellId: 'live',
            agentId: 'a1',
            turn: 1,
            language: 'en',
            replicate: 0,
            participants: [],
          },
        });
        expect(result.text.length).toBeGreaterThan(0);
        expect(result.usage.promptTokens).toBeGreaterThan(0);
        expect(result.usage.completionTokens).toBeGreaterThan(0);
        expect(result.modelVersion.length).toBeGreaterThan(0);
        if (provider.priced && process.env[`BACKFIRE_LIVE_${provider.name.toUpperCase()}_MODEL`] === undefined) {
          expect(result.costUsd).toBeGreaterThan(0);
        }
        const stored = JSON.stringify({
          result,
          records: recording.records,
          warnings: chat.warnings,
          identity: chat.identity,
        });
        expect(stored).not.toContain(key);
      } finally {
        await chat.close?.();
      }
    });
  });
}
