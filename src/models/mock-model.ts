import { type GenerateRequest, type GenerateResult, ModelCallError } from '../contracts/index.js';
import type { ChatModel } from './chat-model.js';

/**
 * A scripted model for unit tests and `mock:<script>` refs. A script is a function from the request
 * (and the call's index) to the answer text, or an error to throw.
 */
export type MockScript = (request: GenerateRequest, callIndex: number) => string | Error;

export function createMockModel(
  script: MockScript,
  ref = 'mock:custom',
): ChatModel & { readonly requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  return {
    ref,
    surrogate: false,
    requests,
    async generate(request: GenerateRequest): Promise<GenerateResult> {
      const index = requests.length;
      requests.push(request);
      const answer = script(request, index);
      if (answer instanceof Error) throw answer;
      return {
        text: answer,
        usage: {
          promptTokens: request.messages.reduce((total, message) => total + Math.ceil(message.content.length / 4), 0),
          completionTokens: Math.ceil(answer.length / 4),
        },
        finishReason: 'stop',
        modelVersion: `${ref}@1`,
        warnings: [],
      };
    },
  };
}

/** Named scripts usable from the command line as `mock:<name>`. */
export const MOCK_SCRIPTS: Readonly<Record<string, MockScript>> = {
  /** Everyone talks, politely. */
  talk: (request) => `[talk] I hear you. (turn ${request.metadata.turn})`,
  /** Channels in rotation, whispering to the first other member. */
  cycle: (request, index) => {
    const first = request.metadata.participants[0]?.name ?? 'nobody';
    const forms = [
      `[talk] We should stay together.`,
      `[whisper -> ${first}] Are you all right?`,
      `[monologue] I am afraid.`,
    ];
    return forms[index % forms.length]!;
  },
  /** Never follows the format: every call becomes a parse error. */
  garbage: () => 'lorem ipsum dolor sit amet',
  /** Every third call fails with a server error (after any retries). */
  flaky: (request, index) =>
    index % 3 === 2
      ? new ModelCallError('server', 'scripted server error', { status: 500 })
      : `[talk] turn ${request.metadata.turn}`,
};

export function createNamedMockModel(ref: string): ChatModel | undefined {
  const name = ref.startsWith('mock:') ? ref.slice('mock:'.length) : undefined;
  const script = name === undefined ? undefined : MOCK_SCRIPTS[name];
  return script === undefined ? undefined : createMockModel(script, ref);
}
