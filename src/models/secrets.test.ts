import { describe, expect, it } from 'vitest';
import { defaultRedactor, Redactor } from './secrets.js';

describe('Redactor', () => {
  it('removes known secret values wherever they appear', () => {
    const redactor = new Redactor(['my-own-token-value-1234']);
    expect(redactor.redact('401: bad key my-own-token-value-1234 given')).toBe('401: bad key [redacted] given');
  });

  it('removes key-shaped strings and credentials in headers even when the value is unknown', () => {
    expect(defaultRedactor.redact('Incorrect API key provided: sk-proj-abcdefghij1234.')).toBe(
      'Incorrect API key provided: [redacted].',
    );
    expect(defaultRedactor.redact('sent Authorization: Bearer abcdef123456')).toBe(
      'sent Authorization: Bearer [redacted]',
    );
    expect(defaultRedactor.redact('{"api_key":"abcdefgh99"}')).toBe('{"api_key":"[redacted]"}');
    expect(defaultRedactor.redact('x-api-key=zzzzzzzzzz&a=1')).toBe('x-api-key=[redacted]&a=1');
  });

  it('leaves ordinary text alone and ignores too-short secrets', () => {
    const redactor = new Redactor(['abc', undefined]);
    expect(redactor.redact('the abc of rate limits: 429 Too Many Requests')).toBe(
      'the abc of rate limits: 429 Too Many Requests',
    );
  });

  it('extends with more secrets', () => {
    expect(new Redactor().with(['second-secret-42']).redact('x second-secret-42 y')).toBe('x [redacted] y');
  });
});
