import type { GenerateRequest, GenerateResult } from '../../contracts/index.js';
import type { ChatModel } from '../chat-model.js';
import type { LimitedModel } from './adaptive-concurrency.js';

/**
 * Spreads calls over several endpoints serving the same model (`openai-compatible:<url>,<url>#m`,
 * or `VLLM_BASE_URL=http://a/v1,http://b/v1`). Each endpoint keeps its own adaptive limiter, and a
 * call goes to the endpoint with the lowest load (in flight + queued, over its current limit), ties
 * broken round-robin. Under the retry wrapper, so a retried call may land on another endpoint.
 */
export function withLoadBalancing(ref: string, endpoints: readonly LimitedModel[]): ChatModel {
  if (endpoints.length === 0) {
    throw new Error('withLoadBalancing needs at least one endpoint');
  }
  if (endpoints.length === 1) {
    return endpoints[0]!;
  }
  let next = 0;
  return {
    ref,
    surrogate: false,
    async close(): Promise<void> {
      await Promise.all(endpoints.map((endpoint) => endpoint.close?.()));
    },
    generate(request: GenerateRequest): Promise<GenerateResult> {
      let best = next % endpoints.length;
      let bestLoad = Number.POSITIVE_INFINITY;
      for (let offset = 0; offset < endpoints.length; offset += 1) {
        const index = (next + offset) % endpoints.length;
        const load = endpoints[index]!.limiter.load();
        if (load < bestLoad) {
          best = index;
          bestLoad = load;
        }
      }
      next = (best + 1) % endpoints.length;
      return endpoints[best]!.generate(request);
    },
  };
}
