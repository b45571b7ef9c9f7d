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
