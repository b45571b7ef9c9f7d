import type { EqualRecall } from '../contracts/index.js';
import type { Block } from './blocks.js';
import type { ReportContext } from './context.js';
import { formatCorrelation, formatPCell } from './format.js';
import type { Sentence } from './sentences.js';

/**
 * "Measurement validity": the instrument's held-out precision and recall in the study's languages
 * (locked gold test parts, never tuned on), how alike it measures them (recall of the same meanings
 * in every language), and the warnings of results.json where a comparison of languages rests on
 * categories the instrument detects unequally. Every number comes from results.json.
 */
export function measurementValiditySection(context: ReportContext): Block[] {
  const measurement = context.results.measurement;
  if (measurement === undefined) return [];
  const value = (number: number | null | undefined) =>
    number === null || number === undefined ? 'n/a' : formatCorrelation(number);
  const categories = measurement.invariance.map((row) => row.category);
  const blocks: Block[] = [
    { type: 'heading', level: 2, content: ['Measurement validity'], anchor: 'measurement-validity' },
    {
      type: 'paragraph',
      content: [
        'Every index here is a function of the lexicons. These are their held-out figures: precision and ',
        'recall on gold sets written from the codebook by annotators who had not seen the lexicons, on test ',
        'parts locked before any tuning',
        measurement.goldLock === null ? '' : ` (lock ${measurement.goldLock.slice(0, 12)})`,
        '; and recall on a parallel set of the same meanings in every language, whose spread shows how ',
        `alike the instrument measures the languages compared (tolerance ${measurement.tolerance}).`,
      ],
    },
  ];
  blocks.push({
    type: 'table',
    header: [
      ['Language'],
      ['Lexicon'],
      ...categories.map((category): Sentence => [{ untrusted: category }, ' P / R']),
      ['Parallel recall (', { untrusted: categories.join(' / ') }, ')'],
    ],
    rows: measurement.languages.map((row) => [
      [{ untrusted: context.languageName(row.language) }],
      [{ untrusted: `${row.lexiconVersion}${row.status === 'current' ? '' : ` (${row.status})`}` }],
      ...categories.map((category): Sentence => {
        const figures = row.heldOut?.[category];
        return [figures === undefined ? 'n/a' : `${value(figures.precision)} / ${value(figures.recall)}`];
      }),
      [categories.map((category) => value(row.parallelRecall?.[category] ?? null)).join(' / ')],
    ]),
    align: ['left', 'left', ...categories.map((): 'right' => 'right'), 'right'],
  });
  // Whether a spread exceeds sampling noise: the test of equal recall over the study's languages
  // (absent when a language has no current figures, and in results written before it existed).
  const tested = measurement.invariance.some((row) => row.equalRecall !== undefined && row.equalRecall !== null);
  blocks.push({
    type: 'table',
    header: [
      ['Category'],
      ['Lowest parallel recall'],
      ['Highest'],
      ['Spread'],
      ...(tested
        ? [
            ["Equal recall: Cochran's Q p (meanings)"] as Sentence,
            ['Spread if invariant: median / 95th pct.'] as Sentence,
          ]
        : []),
    ],
    rows: measurement.invariance.map((row) => [
      [{ untrusted: row.category }],
      [row.lowest === null ? 'n/a' : `${value(row.lowest.recall)} (${context.languageName(row.lowest.language)})`],
      [row.highest === null ? 'n/a' : `${value(row.highest.recall)} (${context.languageName(row.highest.language)})`],
      [value(row.spread)],
      ...(tested ? equalRecallCells(row.equalRecall ?? null) : []),
    ]),
    align: ['left', 'right', 'right', 'right', ...(tested ? (['right', 'right'] as const) : [])],
  });
  if (tested) {
    blocks.push({
      type: 'paragraph',
      tone: 'muted',
      content: [
        "Cochran's Q tests equal recall across the study's languages with the parallel meanings as blocks; ",
        'the spread if invariant is what an instrument detecting each meaning alike in every language would ',
        "show with these meanings (each meaning's outcomes shuffled across the languages, seeded).",
      ],
    });
  }
  if (measurement.warnings.length > 0) {
    blocks.push({
      type: 'list',
      className: 'warnings',
      items: measurement.warnings.map((warning): Sentence => ['Warning: ', { untrusted: warning.message }]),
    });
  } else {
    blocks.push({
      type: 'paragraph',
      tone: 'muted',
      content: ['No comparison of languages in this study rests on categories the instrument detects unequally.'],
    });
  }
  return blocks;
}

function equalRecallCells(test: EqualRecall | null): Sentence[] {
  if (test === null) return [['n/a'], ['n/a']];
  return [
    [`${formatPCell(test.cochranQ.pValue)} (${test.meanings})`],
    [
      `${formatCorrelation(test.spreadUnderInvariance.median)} / ${formatCorrelation(test.spreadUnderInvariance.quantile95)}`,
    ],
  ];
}
