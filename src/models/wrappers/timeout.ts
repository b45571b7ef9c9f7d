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
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          const error = new ModelCallError('timeout', `no answer within ${timeoutMs} ms`);
          controller.abort(error);
          reject(error);
        }, timeoutMs);
      });
      const call = inner.generate({ ...request, signal: controller.signal });
      // The losing promise must not surface as an unhandled rejection.
      call.catch(() => undefined);
      return Promise.race([call, deadline]).finally(() => {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', forwardAbort);
      });
    },
  };
}
