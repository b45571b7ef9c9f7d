import { type GenerateRequest, type GenerateResult, ModelCallError } from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';

/**
 * Per-attempt timeout. It sits inside the retry wrapper, so each attempt gets the full budget and a
 * timeout is a retryable `ModelCallError('timeout')`. The inner model is told through an AbortSignal
 * (the SDKs then drop the socket); the race guarantees the deadline even if an adapter ignores it.
 * An abort by the caller is passed through unchanged: shutdown is not a provider fault.
 */
export function withTimeout(inner: ChatModel, options: { timeoutMs: number }): ChatModel {
  const { timeoutMs } = options;
  return {
    ref: inner.ref,
    surrogate: inner.surrogate,
    ...(inner.close === undefined ? {} : { close: () => inner.close!() }),
    generate(request: GenerateRequest): Promise<GenerateResult> {
      const controller = new AbortController();
      const callerSignal = request.signal;
      const forwardAbort = (): void => controller.abort(callerSignal?.reason);
      if (callerSignal?.aborted === true) {
        controller.abort(callerSignal.reason);
      } else {
        callerSignal?.addEventListener('abort', forwardAbort, { once: true });
      }
      // One promise settled by whichever comes first, the answer or the deadline (a race of two
      // promises and a `finally` cost three more promises per call, at hundreds of calls a second).
      return new Promise<GenerateResult>((resolve, reject) => {
        const settle = (): void => {
          clearTimeout(timer);
          callerSignal?.removeEventListener('abort', forwardAbort);
        };
        const timer = setTimeout(() => {
          const error = new ModelCallError('timeout', `no answer within ${timeoutMs} ms`);
          controller.abort(error);
          settle();
          reject(error);
        }, timeoutMs);
        try {
          inner.generate({ ...request, signal: controller.signal }).then(
            (result) => {
              settle();
              resolve(result);
            },
            (error: unknown) => {
              settle();
              reject(error);
            },
          );
        } catch (error) {
          settle();
          reject(error);
        }
      });
    },
  };
}
