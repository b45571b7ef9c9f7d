/**
 * The layer rules of DESIGN.md ("Layout"): each folder may import only the folders listed for it.
 * Run by `npm run check` (and so by `npm test`). Node built-ins and npm packages are not restricted
 * here, except that contracts may use zod only.
 */
const layers = {
  contracts: [],
  languages: ['contracts'],
  models: ['contracts'],
  engine: ['contracts', 'languages', 'models'],
  store: ['contracts'],
  metrics: ['contracts', 'languages'],
  stats: ['contracts'],
  analysis: ['contracts', 'stats'],
  runner: ['contracts', 'languages', 'models', 'engine', 'store', 'metrics', 'stats', 'analysis', 'report'],
  report: ['contracts', 'stats', 'analysis'],
  viewer: ['contracts', 'store'],
  queue: ['contracts', 'models', 'engine', 'store'],
  cli: null, // composition root: may import everything
  bench: null,
};

const forbidden = [];
for (const [layer, allowed] of Object.entries(layers)) {
  if (allowed === null) continue;
  const permitted = [layer, ...allowed].join('|');
  forbidden.push({
    name: `layer-${layer}`,
    comment: `src/${layer} may import only: ${allowed.length > 0 ? allowed.join(', ') : 'nothing inside src'}`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: '^src/', pathNot: `^src/(${permitted})/` },
  });
}
forbidden.push({
  name: 'contracts-zod-only',
  comment: 'src/contracts is a leaf: zod and node built-ins only',
  severity: 'error',
  from: { path: '^src/contracts/' },
  to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'], pathNot: 'node_modules/zod/' },
});
// Optional peer dependencies (src/models/optional-peers.ts) must not load with the modules that
// every command imports: a user without them would see a crash instead of the install command.
const QUEUE_RUNTIME = '^src/queue/(runtime|redis-client|coordinator|worker|status)\\.ts$';
forbidden.push({
  name: 'optional-peers-loaded-lazily',
  comment: 'bullmq, ioredis, @anthropic-ai/sdk and node-llama-cpp are imported statically only by the queue runtime; elsewhere by import() or as types',
  severity: 'error',
  from: { pathNot: QUEUE_RUNTIME },
  to: {
    path: 'node_modules/(@anthropic-ai/sdk|bullmq|ioredis|node-llama-cpp)/',
    dynamic: false,
    dependencyTypesNot: ['type-only', 'type-import'],
  },
});
forbidden.push({
  name: 'queue-runtime-loaded-lazily',
  comment: "the queue's BullMQ/ioredis modules are reached only through loadQueueRuntime() (src/queue/index.ts)",
  severity: 'error',
  from: { pathNot: QUEUE_RUNTIME },
  to: { path: QUEUE_RUNTIME, dynamic: false, dependencyTypesNot: ['type-only', 'type-import'] },
});
// Start-up: `backfire validate` (< 1 s) reads and plans a study; the pipeline's stages are most of
// a second of module loading, so it reaches them through no static import.
forbidden.push({
  name: 'validate-loads-no-stage',
  comment: 'src/cli/commands/validate.ts imports the runner through src/runner/study-entry.ts only',
  severity: 'error',
  from: { path: '^src/cli/commands/validate\\.ts$' },
  to: {
    path: '^src/(store|stats|metrics|analysis|report|models|engine|queue|viewer)/|^src/runner/index\\.ts$|node_modules/(better-sqlite3|@stdlib|openai)/',
    reachable: true,
  },
});
forbidden.push({
  name: 'no-circular',
  severity: 'error',
  from: {},
  to: { circular: true },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
