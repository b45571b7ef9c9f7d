/**
 * Analysis: a study's hypotheses turned into statistics calls over stored features; confirmatory vs
 * exploratory; multiplicity correction. Imports contracts and stats only.
 */
export { type AnalysisInput, type AnalysisOutput, analyseStudy } from './analyse.js';
export { agentMetricValue, agentTable, runMetricValue, runTable, type TableRow } from './tables.js';
export { type TrajectoryInput, summariseTrajectories, TRAJECTORY_METRICS } from './trajectories.js';
