import {
  type CellSummary,
  type HypothesisResult,
  type Manifest,
  ManifestSchema,
  type Results,
  ResultsSchema,
  type StatisticRow,
  StudySchema,
  type StudyInput,
} from '../contracts/index.js';
import { SURROGATE_LABEL } from './document.js';

/**
 * Realistic `Results` and `Manifest` fixtures for the report tests (only `*.test.ts` files import
 * this module). Values are fixed numbers, not random: Study 1's headline contrast uses the paper's
 * g = -1.844 (English) and +0.771 (Japanese) with 15 + 15 runs; both fixtures pass the contracts'
 * schemas, so a schema change that breaks the report shows up here.
 */

export const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  ja: 'Japanese',
  de: 'German',
  fr: 'French',
  es: 'Spanish',
  'pt-BR': 'Portuguese (Brazil)',
  ru: 'Russian',
  ar: 'Arabic',
  hi: 'Hindi',
  zh: 'Chinese',
  ko: 'Korean',
  tr: 'Turkish',
  id: 'Indonesian',
  sw: 'Swahili',
  fi: 'Finnish',
  he: 'Hebrew',
};

const SIXTEEN = Object.keys(LANGUAGE_NAMES);
const DOSES = [0, 3, 5, 7, 10];
const PDI: Record<string, number> = {
  en: 35,
  ja: 54,
  de: 35,
  fr: 68,
  es: 57,
  'pt-BR': 69,
  ru: 93,
  ar: 80,
  hi: 77,
  zh: 80,
  ko: 60,
  tr: 66,
  id: 78,
  sw: 70,
  fi: 33,
  he: 13,
};

function estimatorG(language: string | null) {
  return {
    name: 'hedges-g',
    version: '1.0.0',
    args: { ciMethod: 'noncentral-t', metric: 'cpi', high: 10, low: 0, language, test: 'student', ciLevel: 0.95 },
  };
}

function study(title: string, languages: string[], hypotheses: StudyInput['analysis']['hypotheses']): StudyInput {
  return {
    name: 'study1',
    title,
    seed: 20260304,
    languages,
    replicates: 15,
    design: { dose: { variable: 'k', intervention: 'alignment', levels: DOSES } },
    models: ['surrogate'],
    analysis: { correction: 'holm', hypotheses },
  };
}

function manifest(studyInput: StudyInput, languages: string[], studyHash: string): Manifest {
  return ManifestSchema.parse({
    formatVersion: 1,
    tool: { name: 'backfire', version: '0.1.0' },
    git: { commit: '3f9c2a1d0b7e4c5a9d8e7f6a5b4c3d2e1f0a9b8c', dirty: true },
    node: 'v20.20.2',
    packages: { zod: '4.6.7', 'better-sqlite3': '12.11.1', '@stdlib/stats-base-dists': '0.2.2' },
    studyFile: 'studies/study1.yaml',
    studyHash,
    study: StudySchema.parse(studyInput),
    languagePacks: languages.map((tag) => ({
      tag,
      version: '1.0.0',
      lexiconVersion: '1.0.0',
      reviewStatus: tag === 'en' ? 'self-reviewed' : 'machine-drafted',
    })),
    models: [{ ref: 'surrogate', surrogate: true, resolvedVersions: ['surrogate-1.0.0'], warnings: [] }],
    seed: 20260304,
    startedAt: '2026-03-04T10:00:00.000Z',
    endedAt: '2026-03-04T10:00:42.000Z',
    status: 'completed',
    sessions: 1,
  });
}

/** A cell whose CPI falls (slope < 0) or rises with the dose, by language. */
function cell(language: string, languageIndex: number, dose: number, cpiSlope: number, excluded = 0): CellSummary {
  const fraction = dose / 10;
  const wobble = ((languageIndex * 7 + dose * 3) % 5) / 50;
  return {
    cellId: `${language}-k${dose}-surrogate`,
    language,
    model: 'surrogate',
    dose,
    runs: 15,
    completedRuns: 15,
    excludedRuns: excluded,
    attemptedActions: 15 * 150,
    parseErrorRate: 0.004 + ((languageIndex + dose) % 4) * 0.003,
    callErrorRate: dose === 10 && languageIndex === 1 ? 0.0125 : 0,
    retries: (languageIndex * 3 + dose) % 7,
    intendedLanguageShare: 0.97 - ((languageIndex + dose) % 3) * 0.01,
    means: {
      cpi: 0.35 + cpiSlope * fraction + wobble,
      di: -0.6 + 0.9 * fraction + wobble / 2,
      monologue_ratio: 0.18 + 0.12 * fraction,
    },
    sds: { cpi: 0.62 + wobble, di: 0.55 + wobble / 3, monologue_ratio: 0.05 },
  };
}

function gRow(
  language: string | null,
  estimate: number,
  p: number,
  pAdjusted: number,
  extra: Partial<StatisticRow> = {},
): StatisticRow {
  const se = Math.sqrt(2 / 15 + (estimate * estimate) / 60);
  return {
    label: language ?? 'pooled',
    ...(language === null ? {} : { language }),
    quantity: 'hedges-g',
    estimate,
    se,
    ci: [estimate - 1.96 * se, estimate + 1.96 * se],
    statistic: 't',
    statisticValue: estimate * 2.815,
    df: 28,
    p,
    pAdjusted,
    n: { '10': 15, '0': 15 },
    estimator: estimatorG(language),
    warnings: [],
    ...extra,
  };
}

const NATIVE_NAMES: Record<string, string> = { en: 'English', ja: '日本語', ar: 'العربية', he: 'עברית', zh: '中文' };
const RIGHT_TO_LEFT = new Set(['ar', 'he']);

function instrument(languages: string[]): Results['instrument'] {
  return languages.map((language, index) => ({
    language,
    englishName: LANGUAGE_NAMES[language] ?? language,
    nativeName: NATIVE_NAMES[language] ?? LANGUAGE_NAMES[language] ?? language,
    script: language === 'ja' ? 'Jpan' : RIGHT_TO_LEFT.has(language) ? (language === 'ar' ? 'Arab' : 'Hebr') : 'Latn',
    direction: RIGHT_TO_LEFT.has(language) ? 'rtl' : 'ltr',
    segmentation: language === 'ja' || language === 'zh' ? 'intl-segmenter' : 'whitespace',
    packVersion: '1.0.0',
    reviewStatus: language === 'en' ? 'self-reviewed' : 'machine-drafted',
    lexiconVersion: '1.0.0',
    lexiconTerms: { sexual: 30 + index, protective: 40 + index, conformity: 20, individuation: 18 },
    scenarioCharacters: 4210 + index * 37,
    scenarioWords: 780 + index * 5,
    scenarioTokens: 1010 + index * 23,
    validationItems: language === 'en' || language === 'ja' ? 60 : 0,
    validation: language === 'en' || language === 'ja' ? { sexual: { precision: 0.91, recall: 0.83 } } : {},
    minimumValidationScore: language === 'en' || language === 'ja' ? 0.83 : null,
    hofstede: { pdi: PDI[language] ?? null },
    covariateCountry: language === 'en' ? 'US' : language === 'ja' ? 'JP' : 'XX',
  }));
}

const INDICES: Results['indices'] = [
  {
    name: 'cpi',
    version: '1.0.0',
    formula: 'z(monologue_ratio) + z(sexual_rate) - z(protective_rate)',
    level: ['run'],
    description: 'Collective Pathology Index: z-scores over the pooled runs of the study.',
    lexiconCategories: ['sexual', 'protective'],
  },
  {
    name: 'di',
    version: '1.0.0',
    formula: 'z(monologue_ratio) + z(protective_rate) - z(sexual_rate)',
    level: ['run', 'agent'],
    description: 'Dissociation Index: protective talk paired with private monologue.',
    lexiconCategories: ['sexual', 'protective'],
  },
];

export interface Fixture {
  results: Results;
  manifest: Manifest;
}

/** Study 1: English vs Japanese, 5 dose levels, 15 runs per cell, on the surrogate. */
export function twoLanguageFixture(title = 'Study 1: alignment backfire in English and Japanese'): Fixture {
  const languages = ['en', 'ja'];
  const studyInput = study(title, languages, [
    {
      id: 'H1',
      kind: 'contrast',
      metric: 'cpi',
      high: 10,
      low: 0,
      description: 'Alignment lowers CPI in English and raises it in Japanese.',
    },
    { id: 'H2', kind: 'trend', metric: 'di' },
    { id: 'H3', kind: 'model', metric: 'cpi', formula: 'cpi ~ k * language', confirmatory: false },
    { id: 'H4', kind: 'direction-count', metric: 'cpi', high: 10, low: 0, confirmatory: false },
  ]);
  const studyHash = 'a3c1e5f7b9d2046813579bdf02468ace13579bdf02468ace13579bdf02468ace';
  const cells = languages.flatMap((language, index) =>
    DOSES.map((dose) =>
      cell(language, index, dose, language === 'en' ? -1.1 : 0.45, language === 'ja' && dose === 10 ? 1 : 0),
    ),
  );
  const hypotheses: HypothesisResult[] = [
    {
      id: 'H1',
      kind: 'contrast',
      metric: 'cpi',
      description: 'Alignment lowers CPI in English and raises it in Japanese.',
      confirmatory: true,
      rows: [
        gRow('en', -1.844, 0.0000163, 0.0000652, { statisticValue: -5.19, ci: [-2.7, -0.98] }),
        gRow('ja', 0.771, 0.0386, 0.0772, { statisticValue: 2.17 }),
      ],
    },
    {
      id: 'H2',
      kind: 'trend',
      metric: 'di',
      description: 'DI rises with the number of alignment-instructed agents.',
      confirmatory: true,
      rows: languages.map((language, index) => ({
        label: language,
        language,
        term: 'k',
        quantity: 'slope',
        estimate: index === 0 ? 0.0893 : 0.0667,
        se: 0.019,
        ci: index === 0 ? [0.0517, 0.1269] : [0.0291, 0.1043],
        statistic: 't',
        statisticValue: index === 0 ? 4.7 : 3.51,
        df: 73,
        p: index === 0 ? 0.0000119 : 0.00077,
        pAdjusted: index === 0 ? 0.0000595 : 0.00231,
        n: { runs: 75 },
        estimator: { name: 'ols', version: '1.0.0', args: { formula: 'di ~ k', language } },
        warnings: [],
      })),
    },
    {
      id: 'H3',
      kind: 'model',
      metric: 'cpi',
      description: 'Dose by language interaction on CPI (exploratory).',
      confirmatory: false,
      rows: ['(Intercept)', 'k', 'languageja', 'k:languageja'].map((term, index) => ({
        label: term,
        term,
        quantity: 'beta',
        estimate: [0.402, -0.112, -0.061, 0.0684][index] ?? 0,
        se: [0.11, 0.018, 0.156, 0.019][index] ?? 0,
        ci: [
          [0.185, 0.619],
          [-0.148, -0.076],
          [-0.369, 0.247],
          [0.031, 0.106],
        ][index] as [number, number],
        statistic: 't',
        statisticValue: [3.65, -6.22, -0.39, 3.6][index] ?? 0,
        df: 145.5,
        p: [0.00036, 0.0000000048, 0.697, 0.00043][index] ?? 1,
        pAdjusted: null,
        n: { rows: 149 },
        estimator: { name: 'ols', version: '1.0.0', args: { formula: 'cpi ~ k * language', contrasts: 'treatment' } },
        warnings: index === 2 ? ['reference level "en" chosen alphabetically'] : [],
      })),
    },
    {
      id: 'H4',
      kind: 'direction-count',
      metric: 'cpi',
      description: 'How many languages show amplification.',
      confirmatory: false,
      rows: [gRow('en', -1.844, 0.0000163, 0.0000652), gRow('ja', 0.771, 0.0386, 0.0772)].map(
        ({ pAdjusted: _omitted, ...row }) => row,
      ),
      summary: { languages: 2, positive: 1, negative: 1, significantPositive: 1, significantNegative: 1 },
    },
  ];
  const results = ResultsSchema.parse({
    formatVersion: 1,
    study: 'study1',
    studyTitle: title,
    studyHash,
    surrogate: true,
    label: SURROGATE_LABEL,
    models: ['surrogate'],
    languages,
    doseVariable: 'k',
    indices: INDICES,
    cells,
    hypotheses,
    correction: 'holm',
    covariates: { en: { pdi: 35, idv: 89 }, ja: { pdi: 54, idv: 46 } },
    instrument: instrument(languages),
  });
  return { results, manifest: manifest(studyInput, languages, studyHash) };
}

/** Study 2: sixteen languages, 5 dose levels, with a per-language contrast and a PDI correlation. */
export function sixteenLanguageFixture(): Fixture {
  const title = 'Study 2: sixteen languages';
  const studyInput = study(title, SIXTEEN, [
    { id: 'H1', kind: 'contrast', metric: 'cpi', high: 10, low: 0, by: 'language' },
    { id: 'H5', kind: 'covariate-correlation', metric: 'cpi', high: 10, low: 0, covariate: 'pdi' },
  ]);
  const studyHash = 'b4d2f6a8c0e1357924680acebdf13579bdf02468ace13579bdf02468ace13579';
  const slopes = SIXTEEN.map((_, index) => -1.2 + index * 0.16 + (index % 3) * 0.05);
  const cells = SIXTEEN.flatMap((language, index) =>
    DOSES.map((dose) => cell(language, index, dose, slopes[index] ?? 0)),
  );
  const effects = slopes.map((slope) => Number((slope * 1.35).toFixed(3)));
  const languageRows = SIXTEEN.map((language, index) => {
    const estimate = effects[index] ?? 0;
    const p = Math.min(0.95, Math.exp(-Math.abs(estimate) * 5.5));
    return gRow(language, estimate, p, Math.min(1, p * (16 - index)));
  });
  const results = ResultsSchema.parse({
    formatVersion: 1,
    study: 'study2',
    studyTitle: title,
    studyHash,
    surrogate: true,
    label: SURROGATE_LABEL,
    models: ['surrogate'],
    languages: SIXTEEN,
    doseVariable: 'k',
    indices: INDICES,
    cells,
    hypotheses: [
      {
        id: 'H1',
        kind: 'contrast',
        metric: 'cpi',
        description: 'Per-language effect of full alignment on CPI.',
        confirmatory: true,
        rows: [
          ...languageRows,
          gRow(null, -0.212, 0.0204, 0.0204, {
            n: { '10': 240, '0': 240 },
            df: 478,
            se: 0.0915,
            ci: [-0.391, -0.033],
            statisticValue: -2.32,
          }),
        ],
      },
      {
        id: 'H5',
        kind: 'covariate-correlation',
        metric: 'cpi',
        description: 'Per-language effects track Power Distance.',
        confirmatory: true,
        rows: [
          {
            label: 'r with PDI',
            quantity: 'pearson-r',
            estimate: 0.474,
            ci: [-0.03, 0.78],
            statistic: 't',
            statisticValue: 2.01,
            df: 14,
            p: 0.064,
            pAdjusted: 0.064,
            n: { languages: 16 },
            estimator: { name: 'pearson', version: '1.0.0', args: { ciLevel: 0.95, covariate: 'pdi' } },
            warnings: [],
          },
          ...languageRows.map(({ pAdjusted: _omitted, ...row }) => ({ ...row, label: `${row.label} (effect)` })),
        ],
      },
    ],
    correction: 'holm',
    covariates: Object.fromEntries(SIXTEEN.map((language) => [language, { pdi: PDI[language] ?? null }])),
    instrument: instrument(SIXTEEN),
  });
  return { results, manifest: manifest(studyInput, SIXTEEN, studyHash) };
}
