import { describe, expect, it } from 'vitest';
import { createLanguageDetector } from './language-check.js';

const detector = createLanguageDetector(['eng', 'jpn', 'spa', 'por', 'deu']);

describe('the output-language check', () => {
  it('tags the language and whether it is the intended one', () => {
    expect(detector.classify('We must stay together and protect each other through this winter.', 'eng')).toEqual({
      detected: 'eng',
      intended: true,
    });
    expect(detector.classify('We must stay together and protect each other through this winter.', 'jpn')).toMatchObject(
      {
        intended: false,
      },
    );
    expect(detector.classify('私たちは一緒にいて、お互いを守らなければなりません。', 'jpn')).toEqual({
      detected: 'jpn',
      intended: true,
    });
  });

  it('leaves very short texts undetermined', () => {
    expect(detector.classify('Yes.', 'eng')).toEqual({ detected: 'und', intended: null });
  });
});
