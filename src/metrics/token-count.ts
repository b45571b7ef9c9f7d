import { createRequire } from 'node:module';

/**
 * o200k_base token counts (gpt-tokenizer), loaded on first use: the encoder's tables take about
 * 150 ms to load, which commands that never count tokens (validate, --help, view) should not pay.
 * The package ships a CommonJS build, so it can be required synchronously when first needed.
 */
type Tokenizer = typeof import('gpt-tokenizer/encoding/o200k_base');

const require = createRequire(import.meta.url);
let tokenizer: Tokenizer | undefined;

export function countO200kTokens(text: string): number {
  tokenizer ??= require('gpt-tokenizer/encoding/o200k_base') as Tokenizer;
  return tokenizer.countTokens(text);
}
