import type { Command } from 'commander';

/**
 * Every top-level command: its name, the one-line summary `backfire --help` lists, and how to load
 * its registration. A command's module (and with it statistics, SDKs, the store, the tokenizer) is
 * imported only when that command runs or its own help is asked for, so `backfire --version` and
 * `--help` start about as fast as Node. `main.test.ts` checks that each summary equals the loaded
 * command's description, so this table cannot drift from the commands.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<(program: Command) => void>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'simulate, score, analyse and report a study (resumes an interrupted run in the same folder)',
    load: async () => (await import('./run.js')).registerRun,
  },
  {
    name: 'validate',
    summary: 'check study files and the language packs they use, without any model call (no study: check every pack)',
    load: async () => (await import('./validate.js')).registerValidate,
  },
  {
    name: 'simulate',
    summary: 'run (or resume) the simulations of a study into its run folder; no scoring',
    load: async () => (await import('./simulate.js')).registerSimulate,
  },
  {
    name: 'score',
    summary: "score a run folder's stored transcripts with the installed lexicons (never re-simulates)",
    load: async () => (await import('./score.js')).registerScore,
  },
  {
    name: 'analyze',
    summary: "run the study's analysis plan on a scored run folder; writes results.json",
    load: async () => (await import('./analyze.js')).registerAnalyze,
  },
  {
    name: 'report',
    summary: "write report.html and report.md from a run folder's results",
    load: async () => (await import('./report.js')).registerReport,
  },
  {
    name: 'schema',
    summary: 'print (or write) the JSON Schema of study files, for editors',
    load: async () => (await import('./schema.js')).registerSchema,
  },
  {
    name: 'languages',
    summary:
      'the installed language packs side by side: lexicon sizes, scenario length, held-out lexicon validation (locked gold test parts) beside in-sample scores, review status',
    load: async () => (await import('./languages.js')).registerLanguages,
  },
  {
    name: 'lexicon',
    summary:
      "match a language pack's lexicon against a text (argument or stdin) and print the matches as JSON; `lexicon validate` scores it against labelled data",
    load: async () => (await import('./lexicon.js')).registerLexicon,
  },
  {
    name: 'plan',
    summary: 'cells, calls, a token estimate and the projected cost of a study; with --budget, refuse when over it',
    load: async () => (await import('./plan.js')).registerPlan,
  },
  {
    name: 'mock-server',
    summary: 'start the loopback OpenAI-compatible mock server (fault injection, prefix measurement) until Ctrl-C',
    load: async () => (await import('./mock-server.js')).registerMockServer,
  },
  {
    name: 'power',
    summary:
      "power of a study's planned tests: analytic (noncentral t) for its contrasts, and simulated on the surrogate with its planted effects",
    load: async () => (await import('./power.js')).registerPower,
  },
  {
    name: 'stats',
    summary:
      'run the statistics engine on any CSV file: lmm, ols, glmm, glm, lrt, contrast, ttest, g, pearson, spearman, permutation, bf-ttest, bf-cor, power',
    load: async () => (await import('./stats/index.js')).registerStats,
  },
  {
    name: 'prereg',
    summary:
      'freeze a study, its packs, lexicons, estimators and seeds into a hash-locked preregistration (no model call)',
    load: async () => (await import('./prereg.js')).registerPrereg,
  },
  {
    name: 'doctor',
    summary:
      'check a run folder without changing it: store integrity, orphan events, incomplete turns, manifest/store agreement (exit 0 healthy, 4 problems found, 2 not a run folder)',
    load: async () => (await import('./doctor.js')).registerDoctor,
  },
  {
    name: 'view',
    summary: 'open a local web viewer on a run folder (read-only; follows a running simulation)',
    load: async () => (await import('./view.js')).registerView,
  },
  {
    name: 'export',
    summary: 'export runs, agents, actions, calls, turns and results as CSV, JSON Lines or Parquet',
    load: async () => (await import('./export.js')).registerExport,
  },
  {
    name: 'bundle',
    summary: 'write a replication bundle of a run folder (.tar.gz) that `reproduce` re-analyses with zero model calls',
    load: async () => (await import('./bundle.js')).registerBundle,
  },
  {
    name: 'reproduce',
    summary: 're-derive every number of a replication bundle with zero model calls and compare it byte for byte',
    load: async () => (await import('./reproduce.js')).registerReproduce,
  },
  {
    name: 'worker',
    summary: "simulate runs from a queue (a coordinator's `backfire run --queue`), with this host's models",
    load: async () => (await import('./worker.js')).registerWorker,
  },
  {
    name: 'queue',
    summary: 'inspect the queue that `run --queue` and `worker` share',
    load: async () => (await import('./queue.js')).registerQueue,
  },
];
