import { describe, expect, it } from 'vitest';
import { ModelCallError } from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import { testRequest, testResult } from '../test-support.js';
import { withTimeout } from './timeout.js';

describe('withTimeout', () => {
  it('turns a slow call into a retryable timeout even when the model ignores the signal', async () => {
    let sawAbort = false;
    const slow: ChatModel = {
      ref: 'slow',
      surrogate: false,
      generate: (request) => {
        request.signal?.addEventListener('abort', () => {
          sawAbort = true;
        });
        return new Promise((resolve) => setTimeout(() => resolve(testResult()), 1000));
      },
    };
    const error = await withTimeout(slow, { timeoutMs: 30 })
      .generate(testRequest())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(sawAbort).toBe(true);
  });

  it('returns a fast answer untouched', async () => {
    const fast: ChatModel = { ref: 'fast', surrogate: false, generate: async () => testResult({ text: 'quick' }) };
    expect((await withTimeout(fast, { timeoutMs: 1000 }).generate(testRequest())).text).toBe('quick');
  });

  it('forwards an abort by the caller as that abort, not as a timeout', async () => {
    const hanging: ChatModel = {
      ref: 'hang',
      surrogate: false,
      generate: (request) =>
        new Promise((_resolve, reject) =>
          request.signal?.addEventListener('abort', () => reject(request.signal?.reason)),
        ),
    };
    const controller = new AbortController();
    const call = withTimeout(hanging, { timeoutMs: 5000 }).generate(testRequest({ signal: controller.signal }));
    controller.abort(new Error('user pressed ctrl-c'));
    await expect(call).rejects.toThrow('user pressed ctrl-c');
  });
});
