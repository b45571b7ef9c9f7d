/**
 * Metrics: segmentation, lexicon matching, the output-language check, features per action / agent /
 * run, and the index registry (CPI, DI, conformity rate, ...). Imports contracts and languages only.
 */
export * from './indices.js';
export * from './language-check.js';
export * from './lexicon.js';
export * from './parity.js';
export * from './run-scoring.js';
export * from './scoring.js';
export * from './segmentation.js';
export * from './segments.js';
export * from './validation.js';
export * from './agreement.js';
export * from './held-out.js';
export * from './token-count.js';
