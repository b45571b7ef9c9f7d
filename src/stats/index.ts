/**
 * Statistics: pure numerics. Tests, effect sizes, correlations, Bayes factors, power
 * (tests-index.ts) and formulas, OLS and linear mixed models (models-index.ts). Imports contracts,
 * @stdlib distributions and ml-matrix only.
 */
export * from './models-index.js';
export * from './tests-index.js';
