/**
 * Metrics: segmentation, lexicon matching, features per action / agent / run, and the index
 * registry (CPI, DI, conformity rate, ...). Imports contracts and languages only.
 */
export * from './lexicon.js';
export * from './segmentation.js';
