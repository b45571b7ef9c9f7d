/**
 * Contracts: zod schemas and the types inferred from them, shared by every stage. A leaf layer:
 * it imports zod (and node:crypto for hashing) only. There is no second definition of a study, an
 * event or a result anywhere else.
 */
export * from './bundle.js';
export * from './canonical-json.js';
export * from './errors.js';
export * from './events.js';
export * from './expectation.js';
export * from './features.js';
export * from './language-pack.js';
export * from './manifest.js';
export * from './model-call.js';
export * from './preregistration.js';
export * from './results.js';
export * from './scenario-phases.js';
export * from './seeded-random.js';
export * from './study.js';
export * from './surrogate-parameters.js';
export * from './text-input.js';
export * from './zod-errors.js';
