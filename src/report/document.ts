import type { Alignment, Block } from './blocks.js';
import {
  canonicalJson,
  type CellSummary,
  type EstimatorRecord,
  type ExpectationRow,
  type HypothesisResult,
  type StatisticRow,
} from '../contracts/index.js';
import { formatDose, type ReportContext, rowDisplayLabel } from './context.js';
import { doseResponseFiguresForContext, type FigureOutput, forestPlotsForContext, slug } from './figures.js';
import { measurementValiditySection } from './measurement-section.js';
import { trajectoryFiguresForContext } from './trajectory-figure.js';
import {
  decimalsFor,
  formatCorrelation,
  formatCorrelationInterval,
  formatCount,
  formatDegreesOfFreedom,
  formatEstimate,
  formatInterval,
  formatLevel,
  formatPCell,
  formatPercent,
  sharedDecimals,
} from './format.js';
import { describeHypothesis, isCorrelationQuantity, isSignificant, type Sentence } from './sentences.js';

/**
 * The report as format-neutral blocks. HTML and Markdown render the same blocks, so the two files
 * cannot drift apart: a section added here appears in both.
 */

export const SURROGATE_LABEL =
  'Produced by the built-in surrogate model \u2014 a documented stochastic model of agent behaviour, not a ' +
  'language model. These numbers test the pipeline; they are not findings about any LLM.';

export type { Alignment, Block } from './blocks.js';

export interface ReportDocument {
  title: string;
  surrogate: boolean;
  blocks: Block[];
  footer: Sentence[];
}

export function buildReportDocument(context: ReportContext): ReportDocument {
  const { results } = context;
  const blocks: Block[] = [];
  blocks.push({ type: 'heading', level: 1, content: [{ untrusted: results.studyTitle }], anchor: 'top' });
  if (results.surrogate) {
    blocks.push({ type: 'banner', content: [SURROGATE_LABEL] });
  }
  blocks.push({
    type: 'paragraph',
    tone: 'muted',
    content: [
      'Study ',
      { code: results.study },
      ' \u00B7 study hash ',
      { code: shortHash(results.studyHash) },
      ` \u00B7 results format ${results.formatVersion}`,
    ],
  });
  if (results.label !== '' && results.label !== SURROGATE_LABEL) {
    blocks.push({ type: 'paragraph', content: ['Label: ', { untrusted: results.label }] });
  }
  blocks.push(...overviewSection(context));
  blocks.push(...modelsSection(context));
  blocks.push(...designSection(context));
  blocks.push(...figuresSection(context));
  blocks.push(...trajectoriesSection(context));
  blocks.push(...cellsSection(context));
  blocks.push(...hypothesesSection(context));
  blocks.push(...measurementValiditySection(context));
  blocks.push(...preregisteredVersusObservedSection(context));
  blocks.push(...deviationsSection(context));
  blocks.push(...indicesSection(context));
  blocks.push(...instrumentSection(context));
  blocks.push(...covariatesSection(context));
  blocks.push(...reproducibilitySection(context));
  const footer: Sentence[] = [];
  if (results.surrogate) {
    footer.push([SURROGATE_LABEL]);
  }
  footer.push([
    `Report written by backfire ${context.manifest.tool.version} from the stored results of study `,
    { code: results.study },
    ' (hash ',
    { code: shortHash(results.studyHash) },
    '). It holds no timestamps: the same results and manifest give the same file.',
  ]);
  return { title: results.studyTitle, surrogate: results.surrogate, blocks, footer };
}

function shortHash(hash: string): string {
  return hash.length > 16 ? hash.slice(0, 16) : hash;
}

function heading(level: 2 | 3, title: string, anchor: string): Block {
  return { type: 'heading', level, content: [title], anchor };
}

function languageList(context: ReportContext): string {
  return context.results.languages.map((tag) => `${context.languageName(tag)} (${tag})`).join(', ');
}

/** Analysed runs as results.json states them (older results: completed minus excluded). */
function analysedRuns(cell: CellSummary): number {
  return cell.analysedRuns ?? cell.completedRuns - cell.excludedRuns;
}

function overviewSection(context: ReportContext): Block[] {
  const { results } = context;
  const analysed = results.cells.reduce((total, cell) => total + analysedRuns(cell), 0);
  const planned = results.cells.reduce((total, cell) => total + cell.runs, 0);
  const excluded = results.cells.reduce((total, cell) => total + cell.excludedRuns, 0);
  const blocks: Block[] = [heading(2, 'Overview', 'overview')];
  blocks.push({
    type: 'paragraph',
    content: [
      `${formatCount(analysed)} of ${formatCount(planned)} runs analysed (${formatCount(excluded)} excluded) in `,
      `${formatCount(results.cells.length)} cells: `,
      { untrusted: `${results.languages.length} ${results.languages.length === 1 ? 'language' : 'languages'}` },
      ` \u00D7 ${context.doseLevels.length} levels of ${results.doseVariable} \u00D7 ${results.models.length} `,
      results.models.length === 1 ? 'model.' : 'models.',
    ],
  });
  const items: Sentence[] = results.hypotheses.map((hypothesis) => {
    const estimated = hypothesis.rows.filter((row) => row.estimate !== null);
    const significant = estimated.filter((row) => isSignificant(context, row) === true).length;
    const adjusted = estimated.some((row) => row.pAdjusted !== null && row.pAdjusted !== undefined);
    return [
      { strong: hypothesis.id },
      ` (${hypothesis.confirmatory ? 'confirmatory' : 'exploratory'}, `,
      { untrusted: hypothesis.kind },
      ', ',
      { untrusted: context.metricLabel(hypothesis.metric) },
      `): ${significant} of ${estimated.length} ${estimated.length === 1 ? 'estimate' : 'estimates'} significant at `,
      { italic: '\u03B1' },
      ` = ${alphaText(context.alpha)}`,
      adjusted && results.correction !== 'none' ? ` after ${context.correctionName} correction.` : '.',
    ];
  });
  if (items.length > 0) {
    blocks.push({ type: 'list', items });
  }
  const problems = results.hypotheses.flatMap((hypothesis) =>
    (hypothesis.problems ?? []).map((problem): Sentence => [{ strong: hypothesis.id }, ': ', { untrusted: problem }]),
  );
  if (problems.length > 0) {
    blocks.push({ type: 'paragraph', tone: 'warning', content: [`Problems (${problems.length}):`] });
    blocks.push({ type: 'list', items: problems, className: 'warnings' });
  }
  return blocks;
}

function alphaText(alpha: number): string {
  return String(alpha).replace(/^0\./, '.');
}

function modelsSection(context: ReportContext): Block[] {
  const manifestModels = context.manifest.models;
  const rows: Sentence[][] =
    manifestModels.length > 0
      ? manifestModels.map((model) => [
          [{ code: model.ref }],
          [model.surrogate ? 'built-in surrogate (not a language model)' : 'language model'],
          [{ untrusted: model.resolvedVersions.length > 0 ? model.resolvedVersions.join(', ') : 'not reported' }],
          [{ untrusted: model.warnings.length > 0 ? model.warnings.join('; ') : 'none' }],
        ])
      : context.results.models.map((model) => [[{ code: model }], ['not recorded'], ['not recorded'], ['none']]);
  return [
    heading(2, 'Models', 'models'),
    {
      type: 'table',
      header: [['Model'], ['Kind'], ['Resolved versions'], ['Warnings']],
      rows,
      align: ['left', 'left', 'left', 'left'],
    },
  ];
}

function designSection(context: ReportContext): Block[] {
  const { results, study } = context;
  const planned = results.cells.reduce((total, cell) => total + cell.runs, 0);
  const rows: Sentence[][] = [
    [['Languages'], [{ untrusted: languageList(context) }]],
    [
      ['Dose'],
      study
        ? [
            { code: study.design.dose.variable },
            ' = number of agents receiving the ',
            { code: study.design.dose.intervention },
            ` intervention (placement: ${study.design.placement})`,
          ]
        : [{ code: results.doseVariable }],
    ],
    [
      ['Dose levels'],
      [
        context.doseLevels.map((dose) => formatDose(context, dose)).join(', '),
        ` (${context.doseLevels.length} ${context.doseLevels.length === 1 ? 'level' : 'levels'})`,
      ],
    ],
  ];
  if (study && study.design.background.length > 0) {
    rows.push([['Background interventions (all agents)'], [{ untrusted: study.design.background.join(', ') }]]);
  }
  rows.push(
    [['Replicates per cell'], [study ? formatCount(study.replicates) : `up to ${formatCount(maxRuns(results.cells))}`]],
    [['Agents per group'], [study ? formatCount(study.agents) : 'not recorded']],
    [['Turns'], [study ? formatCount(study.turns) : 'not recorded']],
    [['Models'], results.models.flatMap((model, index) => (index === 0 ? [{ code: model }] : [', ', { code: model }]))],
    [['Cells'], [`${formatCount(results.cells.length)} (${formatCount(planned)} runs planned)`]],
  );
  if (study) {
    rows.push(
      [
        ['Sampling'],
        [
          `temperature ${study.sampling.temperature}, max tokens ${formatCount(study.sampling.maxTokens)}`,
          study.sampling.topP === undefined ? '' : `, top-p ${study.sampling.topP}`,
        ],
      ],
      [['Turn policy'], [study.turnPolicy]],
      [['Memory'], [study.memory.window === null ? 'full history' : `last ${study.memory.window} turns`]],
      [
        ['Exclusion rule'],
        [
          `a run is excluded when more than ${formatPercent(study.exclusions.maxFailedActionShare, 0)} of its actions failed`,
          study.exclusions.minIntendedLanguageShare === null
            ? ' (language share reported, not used to exclude)'
            : ` or less than ${formatPercent(study.exclusions.minIntendedLanguageShare, 0)} were in the intended language`,
        ],
      ],
    );
  }
  rows.push(
    [['Multiplicity correction'], [context.correctionName]],
    [['Confidence level'], [formatLevel(context.ciLevel)]],
  );
  return [
    heading(2, 'Design', 'design'),
    { type: 'table', header: [['Setting'], ['Value']], rows, align: ['left', 'left'] },
  ];
}

function maxRuns(cells: readonly CellSummary[]): number {
  return cells.reduce((maximum, cell) => Math.max(maximum, cell.runs), 0);
}

function figuresSection(context: ReportContext): Block[] {
  const figures = doseResponseFiguresForContext(context);
  if (figures.length === 0) {
    return [];
  }
  return [
    heading(2, 'Dose-response figures', 'figures'),
    ...figures.map((figure): Block => ({ type: 'figure', figure })),
  ];
}

/** Per-turn trajectories of the figure metrics (absent in results written before they existed). */
function trajectoriesSection(context: ReportContext): Block[] {
  const figures = trajectoryFiguresForContext(context);
  if (figures.length === 0) return [];
  return [heading(2, 'Trajectories', 'trajectories'), ...figures.map((figure): Block => ({ type: 'figure', figure }))];
}

/** Metric keys present in any cell, figure metrics first, then in first-seen order. */
function cellMetrics(context: ReportContext): string[] {
  const seen = new Set<string>(context.figureMetrics);
  for (const cell of context.results.cells) {
    for (const metric of Object.keys(cell.means)) {
      seen.add(metric);
    }
  }
  return [...seen];
}

function cellsSection(context: ReportContext): Block[] {
  const { results } = context;
  const multipleModels = results.models.length > 1;
  const identity = (cell: CellSummary): Sentence[] => [
    [{ untrusted: context.languageName(cell.language) }],
    ...(multipleModels ? [[{ code: cell.model }] as Sentence] : []),
    [formatDose(context, cell.dose)],
  ];
  const identityHeader: Sentence[] = [
    ['Language'],
    ...(multipleModels ? [['Model'] as Sentence] : []),
    [results.doseVariable],
  ];
  const identityAlign: Alignment[] = ['left', ...(multipleModels ? ['left' as const] : []), 'right'];
  const cells = orderedCells(context);

  const failureRows = cells.map((cell) => [
    ...identity(cell),
    [formatCount(cell.runs)],
    [formatCount(cell.completedRuns)],
    [formatCount(cell.excludedRuns)],
    [formatCount(analysedRuns(cell))],
    [formatCount(cell.attemptedActions)],
    [formatPercent(cell.parseErrorRate)],
    [formatPercent(cell.callErrorRate)],
    [formatCount(cell.retries)],
    [formatPercent(cell.intendedLanguageShare)],
  ]);
  const attempted = cells.reduce((total, cell) => total + cell.attemptedActions, 0);
  const weightedRate = (pick: (cell: CellSummary) => number | null): string => {
    const known = cells.filter((cell) => pick(cell) !== null);
    const denominator = known.reduce((total, cell) => total + cell.attemptedActions, 0);
    if (known.length === 0 || denominator === 0) {
      return formatPercent(null);
    }
    return formatPercent(
      known.reduce((total, cell) => total + (pick(cell) ?? 0) * cell.attemptedActions, 0) / denominator,
    );
  };
  const sum = (pick: (cell: CellSummary) => number) =>
    formatCount(cells.reduce((total, cell) => total + pick(cell), 0));
  const failureFooter: Sentence[] = [
    ['All cells'],
    ...(multipleModels ? [[''] as Sentence] : []),
    [''],
    [sum((cell) => cell.runs)],
    [sum((cell) => cell.completedRuns)],
    [sum((cell) => cell.excludedRuns)],
    [sum(analysedRuns)],
    [formatCount(attempted)],
    [weightedRate((cell) => cell.parseErrorRate)],
    [weightedRate((cell) => cell.callErrorRate)],
    [sum((cell) => cell.retries)],
    [weightedRate((cell) => cell.intendedLanguageShare)],
  ];

  // Figure metrics get mean, SD and interval; the others share a second table so neither is too wide.
  const allMetrics = cellMetrics(context);
  const meanTable = (metrics: readonly string[], withIntervals: boolean): Block => {
    const header: Sentence[] = [...identityHeader, ['n']];
    const align: Alignment[] = [...identityAlign, 'right'];
    for (const metric of metrics) {
      header.push([{ untrusted: context.metricLabel(metric) }, ' ', { italic: 'M' }, ' (', { italic: 'SD' }, ')']);
      align.push('right');
      if (withIntervals) {
        header.push([{ untrusted: context.metricLabel(metric) }, ` ${formatLevel(context.ciLevel)} CI`]);
        align.push('right');
      }
    }
    const decimalsByMetric = new Map(
      metrics.map((metric) => [
        metric,
        {
          mean: sharedDecimals(cells.map((cell) => cell.means[metric])),
          sd: sharedDecimals(cells.map((cell) => cell.sds[metric])),
        },
      ]),
    );
    const rows = cells.map((cell) => {
      const row: Sentence[] = [...identity(cell), [formatCount(analysedRuns(cell))]];
      for (const metric of metrics) {
        const decimals = decimalsByMetric.get(metric) ?? { mean: 2, sd: 2 };
        const mean = cell.means[metric] ?? null;
        const sd = cell.sds[metric] ?? null;
        row.push([
          mean === null ? 'n/a' : `${formatEstimate(mean, decimals.mean)} (${formatEstimate(sd, decimals.sd)})`,
        ]);
        if (withIntervals) {
          const interval = context.cellInterval(cell, metric);
          row.push([interval?.interval ? formatInterval(interval.interval, decimals.mean) : 'n/a']);
        }
      }
      return row;
    });
    return { type: 'table', header, rows, align };
  };
  const figureMetrics = allMetrics.filter((metric) => context.figureMetrics.includes(metric));
  const otherMetrics = allMetrics.filter((metric) => !context.figureMetrics.includes(metric));
  const meanTables: Block[] = [
    ...(figureMetrics.length > 0 ? [meanTable(figureMetrics, true)] : []),
    ...(otherMetrics.length > 0 ? [meanTable(otherMetrics, false)] : []),
  ];

  return [
    heading(2, 'Cells: runs and failures', 'cells'),
    {
      type: 'paragraph',
      content: [
        'Failure rates are results: parse errors are model answers the action parser could not read, call ',
        'errors are calls that failed after retries; both are shares of attempted agent actions. Analysed ',
        '= completed minus excluded runs. In language: mean share of actions the language detector assigned ',
        'to the intended language (totals weighted by attempted actions).',
      ],
    },
    {
      type: 'table',
      header: [
        ...identityHeader,
        ['Runs'],
        ['Completed'],
        ['Excluded'],
        ['Analysed'],
        ['Actions attempted'],
        ['Parse errors'],
        ['Call errors'],
        ['Retries'],
        ['In language'],
      ],
      rows: failureRows,
      footer: failureFooter,
      align: [...identityAlign, 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    },
    heading(2, 'Cell means', 'cell-means'),
    {
      type: 'paragraph',
      content: [
        `Means and SDs over analysed runs, as stored by the analysis stage; intervals are ${formatLevel(context.ciLevel)} `,
        { italic: 't' },
        ' intervals of the mean.',
      ],
    },
    ...meanTables,
  ];
}

/** Cells in the order of the study's languages, then model, then dose. */
function orderedCells(context: ReportContext): CellSummary[] {
  const languageOrder = new Map(context.results.languages.map((language, index) => [language, index]));
  const modelOrder = new Map(context.results.models.map((model, index) => [model, index]));
  return [...context.results.cells].sort(
    (left, right) =>
      (languageOrder.get(left.language) ?? Number.MAX_SAFE_INTEGER) -
        (languageOrder.get(right.language) ?? Number.MAX_SAFE_INTEGER) ||
      (modelOrder.get(left.model) ?? 0) - (modelOrder.get(right.model) ?? 0) ||
      left.dose - right.dose,
  );
}

function hypothesesSection(context: ReportContext): Block[] {
  const { results } = context;
  const blocks: Block[] = [heading(2, 'Hypotheses', 'hypotheses')];
  const confirmatoryCount = results.hypotheses.filter((hypothesis) => hypothesis.confirmatory).length;
  blocks.push({
    type: 'paragraph',
    content:
      results.correction === 'none'
        ? [
            `${confirmatoryCount} confirmatory hypotheses; p values are not corrected for multiplicity (correction: none).`,
          ]
        : [
            `Multiplicity correction: ${context.correctionName}, applied by the analysis stage across the tests of the `,
            `${confirmatoryCount} confirmatory ${confirmatoryCount === 1 ? 'hypothesis' : 'hypotheses'}; `,
            'exploratory hypotheses are labelled and are not part of that family. Wording (raised, lowered, ',
            `not significant) follows the adjusted p where there is one, at \u03B1 = ${alphaText(context.alpha)}.`,
          ],
  });
  blocks.push(...expectationParagraph(context));
  const forests = new Map(forestPlotsForContext(context).map((plot) => [plot.hypothesisId, plot]));
  for (const hypothesis of results.hypotheses) {
    blocks.push(...hypothesisBlocks(context, hypothesis, forests.get(hypothesis.id) ?? null));
  }
  return blocks;
}

function hypothesisBlocks(context: ReportContext, hypothesis: HypothesisResult, forest: FigureOutput | null): Block[] {
  const blocks: Block[] = [
    {
      type: 'heading',
      level: 3,
      content: [
        { untrusted: hypothesis.id },
        ' \u2014 ',
        { untrusted: hypothesis.kind },
        ' on ',
        { untrusted: context.metricLabel(hypothesis.metric) },
      ],
      anchor: `hypothesis-${slug(hypothesis.id)}`,
      badge: hypothesis.confirmatory ? 'confirmatory' : 'exploratory',
    },
  ];
  if (hypothesis.description !== '') {
    blocks.push({ type: 'paragraph', content: [{ untrusted: hypothesis.description }] });
  }
  if (hypothesis.qualifiedBy !== undefined && hypothesis.qualifiedBy.length > 0) {
    blocks.push({
      type: 'paragraph',
      tone: 'warning',
      content: [
        'Qualified: the manipulation check',
        hypothesis.qualifiedBy.length === 1 ? ' ' : 's ',
        { untrusted: hypothesis.qualifiedBy.join(', ') },
        ' failed, so this result may not reflect the intended manipulation.',
      ],
    });
  }
  if (hypothesis.problems !== undefined && hypothesis.problems.length > 0) {
    blocks.push({ type: 'paragraph', tone: 'warning', content: [`Problems (${hypothesis.problems.length}):`] });
    blocks.push({
      type: 'list',
      items: hypothesis.problems.map((problem): Sentence => [{ untrusted: problem }]),
      className: 'warnings',
    });
  }
  const spec = context.hypothesisSpec(hypothesis.id);
  if (spec?.kind === 'model') {
    blocks.push({
      type: 'paragraph',
      tone: 'muted',
      content: ['Model: ', { code: spec.formula }, ` (${spec.estimator}, ${spec.level} level)`],
    });
  }
  const adjusted = hypothesis.rows.some((row) => row.pAdjusted !== null && row.pAdjusted !== undefined);
  blocks.push({
    type: 'paragraph',
    tone: 'muted',
    content: hypothesis.confirmatory
      ? [
          'Confirmatory. ',
          context.results.correction === 'none'
            ? 'No multiplicity correction.'
            : `p adjusted by ${context.correctionName} correction${adjusted ? '' : ' (no adjusted p reported for these rows)'}.`,
        ]
      : [
          'Exploratory: not part of the confirmatory family',
          adjusted ? `; adjusted p shown as reported (${context.correctionName}).` : '; p values are unadjusted.',
        ],
  });
  if (forest) {
    blocks.push({ type: 'figure', figure: forest });
  }
  const sentences = describeHypothesis(context, hypothesis);
  if (sentences.length > 0) {
    blocks.push({ type: 'list', items: sentences, className: 'sentences' });
  }
  blocks.push(statisticsTable(context, hypothesis));
  if (hypothesis.summary && Object.keys(hypothesis.summary).length > 0) {
    blocks.push({
      type: 'table',
      caption: ['Summary'],
      header: [['Quantity'], ['Value']],
      rows: Object.entries(hypothesis.summary).map(([key, value]) => [
        [{ untrusted: key }],
        [
          typeof value === 'number'
            ? formatEstimate(value, Number.isInteger(value) ? 0 : decimalsFor(value))
            : { untrusted: value ?? 'n/a' },
        ],
      ]),
      align: ['left', 'right'],
    });
  }
  const warnings = hypothesis.rows.flatMap((row) =>
    row.warnings.map((warning): Sentence => [{ strong: rowLabel(context, row) }, ': ', { untrusted: warning }]),
  );
  if (warnings.length > 0) {
    blocks.push({ type: 'paragraph', tone: 'warning', content: [`Warnings (${warnings.length}):`] });
    blocks.push({ type: 'list', items: warnings, className: 'warnings' });
  }
  blocks.push(...estimatorDetails(context, hypothesis));
  return blocks;
}

/**
 * One line on the surrogate's expectation: what the two extra columns of the tables are (and that
 * they describe the surrogate's assumptions, not a model), or that no stored expectation matches
 * this design and how to make one. Nothing for results written before expectations existed.
 */
function expectationParagraph(context: ReportContext): Block[] {
  const expectation = context.results.expectation;
  if (expectation === undefined) return [];
  if (expectation.status === 'none' || expectation.expectation === null) {
    return [
      {
        type: 'paragraph',
        tone: 'muted',
        content: [
          'No stored surrogate expectation matches this design (study, surrogate parameters, language packs, index versions), ',
          'so no expected values or power are shown beside the effects. To add them: ',
          { code: `backfire power ${context.manifest.studyFile} --simulations 50 --write-expectation` },
          ', then analyze and report again.',
        ],
      },
    ];
  }
  const stored = expectation.expectation;
  return [
    {
      type: 'paragraph',
      tone: 'muted',
      content: [
        'Beside each observed effect: the ',
        { strong: 'surrogate\u2019s expectation' },
        ` (mean \u00B1 SD of the estimate over ${formatCount(stored.simulations)} seeded simulations of this design on the built-in surrogate) `,
        `and the design\u2019s power against the surrogate\u2019s planted effects (share of those simulations with `,
        `${stored.correction === 'none' ? '' : 'adjusted '}`,
        { italic: 'p' },
        ` < ${alphaText(stored.alpha)}). They describe the surrogate\u2019s assumptions, not any language model `,
        `(surrogate parameters ${stored.keyInputs.surrogateParametersVersion}; stored expectation `,
        { untrusted: expectation.source ?? 'unknown' },
        ').',
      ],
    },
  ];
}

/** The stored expectation of one row of a hypothesis, when the results carry a matching one. */
function expectedRow(context: ReportContext, hypothesis: HypothesisResult, row: StatisticRow): ExpectationRow | null {
  const stored = context.results.expectation?.expectation;
  if (stored === null || stored === undefined) return null;
  return (
    stored.rows.find((candidate) => candidate.hypothesis === hypothesis.id && candidate.label === row.label) ?? null
  );
}

function rowLabel(context: ReportContext, row: StatisticRow): string {
  return rowDisplayLabel(row, context.languageName);
}

const QUANTITY_HEADERS: Record<string, Sentence> = {
  'hedges-g': ['Hedges\u2019 ', { italic: 'g' }],
  slope: [{ italic: 'b' }],
  beta: ['\u03B2'],
  r: [{ italic: 'r' }],
  'pearson-r': [{ italic: 'r' }],
  count: ['Count'],
};

function statisticsTable(context: ReportContext, hypothesis: HypothesisResult): Block {
  const quantities = [...new Set(hypothesis.rows.map((row) => row.quantity))];
  const mixed = quantities.length > 1;
  const estimateHeader: Sentence =
    !mixed && quantities[0] !== undefined
      ? (QUANTITY_HEADERS[quantities[0]] ?? [{ untrusted: quantities[0] }])
      : ['Estimate'];
  const hasSe = hypothesis.rows.some((row) => row.se !== null && row.se !== undefined);
  const hasN = hypothesis.rows.some((row) => row.n !== undefined && Object.keys(row.n).length > 0);
  const expected = hypothesis.rows.map((row) => expectedRow(context, hypothesis, row));
  const hasExpectation = expected.some((row) => row !== null);
  const header: Sentence[] = [
    ['Row'],
    ...(mixed ? [['Quantity'] as Sentence] : []),
    estimateHeader,
    ...(hasSe ? [[{ italic: 'SE' }] as Sentence] : []),
    [`${formatLevel(context.ciLevel)} CI`],
    ['Test'],
    [{ italic: 'p' }],
    [{ italic: 'p' }, ' adj.'],
    ...(hasN ? [[{ italic: 'n' }] as Sentence] : []),
    ...(hasExpectation
      ? [['Surrogate expectation (mean \u00B1 SD)'] as Sentence, ['Surrogate power'] as Sentence]
      : []),
  ];
  const align: Alignment[] = [
    'left',
    ...(mixed ? ['left' as const] : []),
    'right',
    ...(hasSe ? ['right' as const] : []),
    'right',
    'right',
    'right',
    'right',
    ...(hasN ? ['left' as const] : []),
    ...(hasExpectation ? ['right' as const, 'right' as const] : []),
  ];
  // Coefficients of one model differ in scale by design, so each keeps its own decimals; a column
  // of per-language effects or slopes shares one.
  const estimateDecimals = sharedDecimals(hypothesis.rows.map((row) => row.estimate));
  const seDecimals = sharedDecimals(hypothesis.rows.map((row) => row.se));
  const rows = hypothesis.rows.map((row, index): Sentence[] => {
    const expectation = expected[index] ?? null;
    const isCorrelation = isCorrelationQuantity(row.quantity);
    const perRow = row.quantity === 'beta';
    const decimals = perRow ? decimalsFor(row.estimate) : estimateDecimals;
    const estimateText = isCorrelation
      ? formatCorrelation(row.estimate)
      : row.quantity === 'count'
        ? formatCount(row.estimate)
        : formatEstimate(row.estimate, decimals);
    const interval = isCorrelation ? formatCorrelationInterval(row.ci) : formatInterval(row.ci, decimals);
    const test: Sentence =
      row.statistic && row.statisticValue !== null && row.statisticValue !== undefined
        ? [
            row.statistic.length <= 2 ? { italic: row.statistic } : { untrusted: row.statistic },
            row.df === null || row.df === undefined ? '' : `(${formatDegreesOfFreedom(row.df)})`,
            ` = ${formatEstimate(row.statisticValue, 2)}`,
          ]
        : ['n/a'];
    return [
      [{ untrusted: rowLabel(context, row) }, ...(row.warnings.length > 0 ? [' \u26A0'] : [])],
      ...(mixed ? [[{ untrusted: row.quantity }] as Sentence] : []),
      [estimateText],
      ...(hasSe ? [[formatEstimate(row.se, perRow ? decimalsFor(row.se) : seDecimals)] as Sentence] : []),
      [interval],
      test,
      [formatPCell(row.p)],
      [formatPCell(row.pAdjusted)],
      ...(hasN ? [[{ untrusted: formatGroupSizes(context, row.n ?? {}) }] as Sentence] : []),
      ...(hasExpectation ? expectationCells(expectation, row, decimals) : []),
    ];
  });
  return { type: 'table', header, rows, align };
}

/** The expectation's two cells of a row: mean \u00B1 SD in the row's format, and the power. */
function expectationCells(expectation: ExpectationRow | null, row: StatisticRow, decimals: number): Sentence[] {
  if (expectation === null || expectation.meanEstimate === null) return [['n/a'], ['n/a']];
  const format = (value: number) =>
    isCorrelationQuantity(row.quantity) ? formatCorrelation(value) : formatEstimate(value, decimals);
  const mean = format(expectation.meanEstimate);
  const spread = expectation.sdEstimate === null ? '' : ` \u00B1 ${formatEstimate(expectation.sdEstimate, decimals)}`;
  return [[`${mean}${spread}`], [formatEstimate(expectation.power, 2)]];
}

/** Group sizes; numeric keys are dose levels ("k = 10: 15"). */
function formatGroupSizes(context: ReportContext, sizes: Record<string, number>): string {
  return Object.entries(sizes)
    .map(
      ([key, value]) =>
        `${/^\d+$/.test(key) ? `${context.results.doseVariable} = ${key}` : key}: ${formatCount(value)}`,
    )
    .join(', ');
}

/**
 * One collapsible record per hypothesis: the estimator(s) with their arguments, once when every row
 * used the same call, otherwise per row.
 */
function estimatorDetails(context: ReportContext, hypothesis: HypothesisResult): Block[] {
  if (hypothesis.rows.length === 0) {
    return [];
  }
  const identical = new Set(hypothesis.rows.map((row) => canonicalJson(row.estimator))).size === 1;
  const names = [...new Set(hypothesis.rows.map((row) => `${row.estimator.name} ${row.estimator.version}`))];
  const record = (estimator: EstimatorRecord) => ({
    name: estimator.name,
    version: estimator.version,
    args: estimator.args,
  });
  const first = hypothesis.rows[0];
  const code =
    identical && first
      ? prettyJson(record(first.estimator))
      : prettyJson(hypothesis.rows.map((row) => ({ row: rowLabel(context, row), estimator: record(row.estimator) })));
  return [
    {
      type: 'details',
      summary: [
        names.length === 1 ? 'Estimator ' : 'Estimators ',
        ...names.flatMap((name, index): Sentence => (index === 0 ? [{ code: name }] : [', ', { code: name }])),
        identical ? ': name, version and arguments' : ': name, version and arguments per row',
      ],
      code,
    },
  ];
}

/** Indented JSON with keys sorted, so the same record always prints the same way. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2);
}

function indicesSection(context: ReportContext): Block[] {
  if (context.results.indices.length === 0) {
    return [];
  }
  const reference = context.study?.indices?.reference ?? 'pooled';
  const scale =
    reference === 'pooled'
      ? "CPI and DI components are z-scored over this study's pooled analysed runs (the paper's choice): their scale differs between studies, so CPI values of two studies are not comparable."
      : 'norms' in reference
        ? 'CPI and DI components are z-scored on stored norms (indices.reference.norms), a scale shared by every study that uses them.'
        : `CPI and DI components are z-scored on the runs of a reference arm (${context.results.doseVariable} = ${reference.arm.dose}${reference.arm.language === undefined ? '' : `, ${reference.arm.language}`}${reference.arm.model === undefined ? '' : `, ${reference.arm.model}`}).`;
  return [
    heading(2, 'Index definitions', 'indices'),
    { type: 'paragraph', content: [scale] },
    {
      type: 'table',
      header: [['Index'], ['Key'], ['Version'], ['Level'], ['Formula'], ['Description']],
      rows: context.results.indices.map((index) => [
        [{ untrusted: context.metricLabel(index.name) }],
        [{ code: index.name }],
        [{ untrusted: index.version }],
        [index.level.join(', ')],
        [{ code: index.formula }],
        [{ untrusted: index.description }],
      ]),
      align: ['left', 'left', 'left', 'left', 'left', 'left'],
    },
  ];
}

/**
 * The measurement instrument per language (the parity table): whether languages were measured
 * comparably is part of every cross-language claim, so it is shown beside the results.
 */
function instrumentSection(context: ReportContext): Block[] {
  const rows = context.results.instrument;
  if (rows.length === 0) {
    return [];
  }
  // One terms column: "total: a / b / c" with the categories named once in the header when every
  // pack has the same categories (the usual case), else "name count" pairs per row.
  const categorySets = new Set(rows.map((row) => Object.keys(row.lexiconTerms).join('\u0000')));
  const sharedCategories = categorySets.size === 1 ? Object.keys(rows[0]?.lexiconTerms ?? {}) : null;
  const header: Sentence[] = [
    ['Language'],
    ['Script, segmentation'],
    ['Review'],
    sharedCategories ? ['Lexicon terms: total (', { untrusted: sharedCategories.join(' / ') }, ')'] : ['Lexicon terms'],
    ['Scenario chars'],
    ['words'],
    ['tokens'],
    ['In-sample items, lowest P/R (not validation)'],
    ['Covariates'],
  ];
  const align: Alignment[] = ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'left', 'left'];
  return [
    heading(2, 'Measurement instruments', 'instruments'),
    {
      type: 'paragraph',
      content: [
        'Each language\u2019s pack side by side, so a reader can judge whether languages were measured ',
        'comparably: lexicon terms per category; scenario length in characters, words (by the pack\u2019s ',
        'own segmentation) and o200k_base tokens; the lowest precision or recall of the lexicon on the ',
        'pack\u2019s own labelled items, which are in-sample (the lexicon was tuned on them) and so are not ',
        'a validation of the instrument: they overstate its accuracy on new text; the country the cultural ',
        'covariates come from. Pack and lexicon versions are listed under Reproducibility.',
      ],
    },
    {
      type: 'table',
      header,
      rows: rows.map((row) => [
        row.nativeName === row.englishName
          ? [{ untrusted: row.englishName }]
          : [{ untrusted: row.englishName }, ' (', { isolate: row.nativeName }, ')'],
        [{ untrusted: `${row.script}${row.direction === 'rtl' ? ' (rtl)' : ''}, ${row.segmentation}` }],
        [{ untrusted: row.reviewStatus }],
        sharedCategories
          ? [
              `${formatCount(Object.values(row.lexiconTerms).reduce((sum, value) => sum + value, 0))} (`,
              sharedCategories.map((category) => formatCount(row.lexiconTerms[category] ?? null)).join(' / '),
              ')',
            ]
          : [
              {
                untrusted: Object.entries(row.lexiconTerms)
                  .map(([name, value]) => `${name} ${formatCount(value)}`)
                  .join(', '),
              },
            ],
        [formatCount(row.scenarioCharacters)],
        [formatCount(row.scenarioWords)],
        [formatCount(row.scenarioTokens)],
        [
          row.validationItems === 0
            ? 'none'
            : `${formatCount(row.validationItems)}, ${
                row.minimumValidationScore === null ? 'n/a' : formatCorrelation(row.minimumValidationScore)
              }`,
        ],
        [{ untrusted: row.covariateCountry }],
      ]),
      align,
    },
  ];
}

function covariatesSection(context: ReportContext): Block[] {
  const table = covariateTable(context);
  if (table === null) {
    return [];
  }
  return [
    heading(2, 'Covariates', 'covariates'),
    { type: 'paragraph', content: ['Per-language covariates as used by the analysis (study overrides applied).'] },
    {
      type: 'table',
      header: [['Language'], ...table.covariates.map((name): Sentence => [{ untrusted: name.toUpperCase() }])],
      rows: table.rows.map(({ language, values }) => [
        [{ untrusted: context.languageName(language) }],
        ...values.map(
          (value): Sentence => [
            value === null ? 'n/a' : formatEstimate(value, Number.isInteger(value) ? 0 : decimalsFor(value)),
          ],
        ),
      ]),
      align: ['left', ...table.covariates.map((): Alignment => 'right')],
    },
  ];
}

/**
 * Covariates arrive keyed language -> covariate -> value (as in the study file); a table keyed the
 * other way round is transposed, recognised by its inner keys being the study's languages.
 */
function covariateTable(
  context: ReportContext,
): { covariates: string[]; rows: Array<{ language: string; values: Array<number | null> }> } | null {
  const raw = context.results.covariates;
  const outerKeys = Object.keys(raw);
  if (outerKeys.length === 0) {
    return null;
  }
  const languages = new Set(context.results.languages);
  const languageMajor = outerKeys.some((key) => languages.has(key));
  const byLanguage = new Map<string, Map<string, number | null>>();
  for (const [outer, inner] of Object.entries(raw)) {
    for (const [innerKey, value] of Object.entries(inner)) {
      const language = languageMajor ? outer : innerKey;
      const covariate = languageMajor ? innerKey : outer;
      const entry = byLanguage.get(language) ?? new Map<string, number | null>();
      entry.set(covariate, value);
      byLanguage.set(language, entry);
    }
  }
  const covariates = [...new Set([...byLanguage.values()].flatMap((entry) => [...entry.keys()]))];
  const order = [
    ...context.results.languages.filter((language) => byLanguage.has(language)),
    ...[...byLanguage.keys()].filter((language) => !languages.has(language)),
  ];
  return {
    covariates,
    rows: order.map((language) => ({
      language,
      values: covariates.map((covariate) => byLanguage.get(language)?.get(covariate) ?? null),
    })),
  };
}

function reproducibilitySection(context: ReportContext): Block[] {
  const { manifest, results } = context;
  const rows: Sentence[][] = [
    [['Tool'], [{ code: `${manifest.tool.name} ${manifest.tool.version}` }]],
    [
      ['Git commit'],
      manifest.git === null
        ? ['not a git checkout']
        : [{ code: manifest.git.commit }, manifest.git.dirty ? ' (working tree had uncommitted changes)' : ' (clean)'],
    ],
    [['Node.js'], [{ code: manifest.node }]],
    [['Study file'], [{ code: manifest.studyFile }]],
    [['Study hash'], [{ code: results.studyHash }]],
    [['Seed'], [String(manifest.seed)]],
    [['Run status'], [`${manifest.status}; ${manifest.sessions} ${manifest.sessions === 1 ? 'session' : 'sessions'}`]],
    [
      ['Model versions'],
      manifest.models.length === 0
        ? ['not recorded']
        : manifest.models.flatMap(
            (model, index): Sentence => [
              ...(index === 0 ? [] : ['; ']),
              { code: model.ref },
              ': ',
              { untrusted: model.resolvedVersions.length > 0 ? model.resolvedVersions.join(', ') : 'not reported' },
            ],
          ),
    ],
  ];
  const blocks: Block[] = [
    heading(2, 'Reproducibility', 'reproducibility'),
    { type: 'table', header: [['Item'], ['Value']], rows, align: ['left', 'left'] },
  ];
  if (manifest.studyHash !== results.studyHash) {
    blocks.push({
      type: 'paragraph',
      tone: 'warning',
      content: [
        'The manifest\u2019s study hash (',
        { code: manifest.studyHash },
        ') differs from the results\u2019 study hash: these results may not belong to this run folder.',
      ],
    });
  }
  if (manifest.languagePacks.length > 0) {
    blocks.push({
      type: 'table',
      caption: ['Language packs'],
      header: [['Language'], ['Pack version'], ['Lexicon version'], ['Review status']],
      rows: manifest.languagePacks.map((pack) => [
        [{ untrusted: `${context.languageName(pack.tag)} (${pack.tag})` }],
        [{ code: pack.version }],
        [{ code: pack.lexiconVersion }],
        [{ untrusted: pack.reviewStatus }],
      ]),
      align: ['left', 'left', 'left', 'left'],
    });
  }
  const packages = Object.entries(manifest.packages);
  if (packages.length > 0) {
    blocks.push({
      type: 'table',
      caption: ['Package versions'],
      header: [['Package'], ['Version']],
      rows: packages.map(([name, version]) => [[{ code: name }], [{ code: version }]]),
      align: ['left', 'left'],
    });
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Preregistration (read from results.preregistration; see src/runner/preregistration.ts)

const VERDICT_TEXT: Record<string, string> = {
  confirmed: 'confirmed',
  'partly-confirmed': 'partly confirmed',
  'not-confirmed': 'not confirmed',
  'not-estimable': 'not estimable',
  exploratory: 'exploratory (no claim)',
  descriptive: 'descriptive (no test)',
  'not-analysed': 'not analysed',
};

const STATUS_TEXT: Record<string, string> = {
  'as-planned': 'as planned',
  changed: 'changed',
  added: 'added after the lock',
  removed: 'dropped',
};

const QUANTITY_SYMBOLS: Record<string, string> = {
  'hedges-g': 'g',
  slope: 'b',
  beta: '\u03B2',
  'pearson-r': 'r',
  r: 'r',
};

/** The test rows of a hypothesis, each as "label: estimate, p" (adjusted p where there is one). */
function observedText(context: ReportContext, hypothesis: HypothesisResult | undefined): Sentence {
  if (hypothesis === undefined) return ['not analysed'];
  const rows = hypothesis.kind === 'covariate-correlation' ? hypothesis.rows.slice(0, 1) : hypothesis.rows;
  if (hypothesis.kind === 'direction-count' && hypothesis.summary !== undefined) {
    return [
      {
        untrusted: Object.entries(hypothesis.summary)
          .map(([key, value]) => `${key} ${value ?? 'n/a'}`)
          .join(', '),
      },
    ];
  }
  const parts = rows.map((row) => {
    const adjusted = row.pAdjusted !== null && row.pAdjusted !== undefined;
    const p = adjusted ? row.pAdjusted : row.p;
    return `${rowLabel(context, row)}: ${QUANTITY_SYMBOLS[row.quantity] ?? row.quantity} = ${formatEstimate(row.estimate, decimalsFor(row.estimate))}, ${adjusted ? 'p adj.' : 'p'} ${formatPCell(p)}`;
  });
  return [{ untrusted: parts.length > 0 ? parts.join('; ') : 'no estimate' }];
}

function preregisteredVersusObservedSection(context: ReportContext): Block[] {
  const prereg = context.results.preregistration;
  const blocks: Block[] = [heading(2, 'Preregistered vs observed', 'preregistered-vs-observed')];
  if (prereg === undefined) {
    blocks.push({
      type: 'paragraph',
      tone: 'muted',
      content: [
        'This run was not preregistered: it was not checked against a lock (',
        { code: 'backfire prereg' },
        ', then ',
        { code: 'backfire run --prereg' },
        '). Confirmatory labels come from the study file alone, with nothing to show that the plan preceded the data.',
      ],
    });
    return blocks;
  }
  blocks.push({
    type: 'paragraph',
    content: [
      'Preregistration lock ',
      { code: shortHash(prereg.lockHash) },
      ', locked ',
      { untrusted: prereg.lockedAt },
      `. A confirmatory hypothesis is confirmed when every one of its preregistered tests rejects its null at \u03B1 = ${alphaText(prereg.alpha)}`,
      context.results.correction === 'none' ? '' : ` after ${context.correctionName} correction`,
      '; the direction of each effect is in its estimate (the study format states no directional prediction). ',
      'A hypothesis changed after data existed was moved to exploratory automatically.',
    ],
  });
  const byId = new Map(context.results.hypotheses.map((hypothesis) => [hypothesis.id, hypothesis]));
  blocks.push({
    type: 'table',
    header: [['Hypothesis'], ['Planned test'], ['Status'], ['Analysed as'], ['Observed'], ['Verdict']],
    rows: prereg.hypotheses.map((row) => [
      [{ strong: row.id }],
      [{ untrusted: row.plannedTest ?? 'not preregistered' }],
      [STATUS_TEXT[row.status] ?? row.status],
      [row.analysedAs.replace('-', ' ')],
      observedText(context, byId.get(row.id)),
      [
        { strong: VERDICT_TEXT[row.verdict] ?? row.verdict },
        row.note === '' ? '' : ' \u2014 ',
        { untrusted: row.note },
      ],
    ]),
    align: ['left', 'left', 'left', 'left', 'left', 'left'],
  });
  return blocks;
}

function deviationsSection(context: ReportContext): Block[] {
  const prereg = context.results.preregistration;
  const blocks: Block[] = [heading(2, 'Deviations', 'deviations')];
  if (prereg === undefined) {
    blocks.push({ type: 'paragraph', tone: 'muted', content: ['Not applicable: the run has no preregistration.'] });
    return blocks;
  }
  if (prereg.deviations.length === 0) {
    blocks.push({
      type: 'paragraph',
      content: ['None. The run was checked against its lock before the first model call and matched it.'],
    });
    return blocks;
  }
  blocks.push({
    type: 'paragraph',
    content: [
      `${prereg.deviations.length} ${prereg.deviations.length === 1 ? 'deviation' : 'deviations'} from the preregistration, `,
      'each stated by the researcher (',
      { code: '--deviation' },
      ') when backfire found the run differing from its lock, and recorded before the run went on.',
    ],
  });
  blocks.push({
    type: 'table',
    header: [['ID'], ['Recorded'], ['When'], ['Reason'], ['What changed'], ['Moved to exploratory']],
    rows: prereg.deviations.map((deviation) => [
      [{ strong: deviation.id }],
      [{ untrusted: deviation.recordedAt }],
      [
        deviation.phase === 'after-data' ? 'after data existed' : 'before any data',
        ...(deviation.dataSeen.length > 0 ? [' (', { untrusted: deviation.dataSeen.join('; ') }, ')'] : []),
      ],
      [{ untrusted: deviation.reason }],
      deviation.changes.length === 0
        ? ['nothing backfire can see (declared by the researcher)']
        : [
            {
              untrusted: deviation.changes
                .map((change) => `${change.field}: ${change.preregistered} \u2192 ${change.observed}`)
                .join('; '),
            },
          ],
      [{ untrusted: deviation.exploratory.length > 0 ? deviation.exploratory.join(', ') : 'none' }],
    ]),
    align: ['left', 'left', 'left', 'left', 'left', 'left'],
  });
  return blocks;
}
