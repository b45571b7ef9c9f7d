/**
 * Calibrates the surrogate on expectation, not on one seed (docs/surrogate-calibration.md).
 *
 * For each of the paper's Studies 1-3 it runs `backfire power <study> --simulations N
 * --write-expectation` (the same code: seeded simulations of the whole design on the surrogate,
 * scored and analysed exactly as `run` does), which stores the design's expectation under
 * studies/expectations/<study>.json. It then prints the headline effects (mean, SD, quantiles and
 * power over the seeds, beside the paper's figure) and regenerates docs/surrogate-calibration.md
 * from every stored expectation, marking one whose key no longer matches the current study,
 * parameters, packs or lexicons as stale.
 *
 * Usage:
 *   npx tsx scripts/calibrate-surrogate.ts                         # Studies 1-3 (50 / 20 / 50 seeds)
 *   npx tsx scripts/calibrate-surrogate.ts --studies study1 --simulations 50
 *   npx tsx scripts/calibrate-surrogate.ts --studies study1 --plant @try.json  # tuning: writes nothing
 *   npx tsx scripts/calibrate-surrogate.ts --doc-only              # regenerate the doc from the stored files
 * Study 2 is 1,200 runs per simulation (about 30 s each on a quiet 2-core machine), hence its own
 * count (--study2-simulations).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runPower } from '../src/cli/commands/power.js';
import { type ExpectationRow, type SurrogateExpectation, SurrogateExpectationSchema } from '../src/contracts/index.js';
import { DEFAULT_SURROGATE_PARAMETERS } from '../src/models/index.js';
import { expectationKey, loadStudyFile, type SimulatedPowerRow } from '../src/runner/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const STUDIES = ['study1', 'study2', 'study3'] as const;
type StudyName = (typeof STUDIES)[number];
const DOC = join(ROOT, 'docs', 'surrogate-calibration.md');

/** The paper's headline effects and how each is judged against the surrogate's mean. */
interface Headline {
  study: StudyName;
  hypothesis: string;
  label: string;
  claim: string;
  paper: string;
  /** Pass rule on the mean over seeds (and, for a level, on the rows' power). */
  check: (row: Pick<ExpectationRow, 'meanEstimate' | 'power'>) => boolean;
  rule: string;
}

const HEADLINES: Headline[] = [
  {
    study: 'study1',
    hypothesis: 'H1-cpi',
    label: 'en',
    claim: "Study 1 CPI, Hedges' g 10/10 vs 0/10, English",
    paper: '-1.844',
    check: (row) => row.meanEstimate !== null && Math.abs(row.meanEstimate - -1.844) <= 0.25,
    rule: 'mean within 0.25 of -1.844',
  },
  {
    study: 'study1',
    hypothesis: 'H1-cpi',
    label: 'ja',
    claim: "Study 1 CPI, Hedges' g 10/10 vs 0/10, Japanese",
    paper: '+0.771',
    check: (row) => row.meanEstimate !== null && Math.abs(row.meanEstimate - 0.771) <= 0.25,
    rule: 'mean within 0.25 of +0.771',
  },
  {
    study: 'study2',
    hypothesis: 'H1-di-model',
    label: 'k',
    claim: 'Study 2 DI slope per aligned agent (LMM, 16 languages)',
    paper: '+0.0667',
    check: (row) => row.meanEstimate !== null && row.meanEstimate > 0.0667 / 2 && row.meanEstimate < 0.0667 * 2,
    rule: 'positive, within a factor of 2 of 0.0667',
  },
  {
    study: 'study2',
    hypothesis: 'H2-cpi-model',
    label: 'k:pdi_c',
    claim: 'Study 2 CPI: k x power distance interaction',
    paper: 'positive (beta = 0.0684 on the paper\u2019s own scale)',
    check: (row) => row.meanEstimate !== null && row.meanEstimate > 0,
    rule: 'positive',
  },
  // Study 3's level is tested per language (studies/study3.yaml says why); the paper gives one
  // figure for the study, not one per language.
  ...(['en', 'ja'] as const).map(
    (language): Headline => ({
      study: 'study3',
      hypothesis: 'H3-conformity-level',
      // The row of a one-sided test against a level is labelled with the level.
      label: `language${language} > 0.84`,
      claim: `Study 3 conformity share of protective speech, ${language === 'en' ? 'English' : 'Japanese'}`,
      paper: 'above 0.84 (not reported by language)',
      check: (row) => row.meanEstimate !== null && row.meanEstimate > 0.84,
      rule: 'mean above 0.84',
    }),
  ),
];

const { values } = parseArgs({
  options: {
    studies: { type: 'string', default: STUDIES.join(',') },
    simulations: { type: 'string', default: '50' },
    'study2-simulations': { type: 'string', default: '20' },
    plant: { type: 'string' },
    'doc-only': { type: 'boolean', default: false },
  },
});

const studies = values.studies.split(',').map((name) => {
  if (!(STUDIES as readonly string[]).includes(name)) throw new Error(`--studies: unknown study ${name}`);
  return name as StudyName;
});
const plant = values.plant;
const tuning = plant !== undefined;

if (!values['doc-only']) {
  for (const study of studies) {
    const simulations = Number(study === 'study2' ? values['study2-simulations'] : values.simulations);
    const file = studyFile(study);
    const started = performance.now();
    const output = await runPower(file, {
      simulations,
      ...(plant !== undefined ? { plant } : { writeExpectation: expectationFile(study) }),
    });
    const simulated = output.simulated;
    if (simulated === null) continue;
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `\n${study}: ${simulated.simulations} seeds (base seed ${simulated.seed}), ${seconds.toFixed(0)} s` +
        `${tuning ? `, planted ${values.plant}` : ''}\n`,
    );
    process.stdout.write(`${rowsTable(study, simulated.rows)}\n`);
    if (simulated.stopped) process.exit(130);
  }
}
if (!tuning) {
  writeFileSync(DOC, calibrationDocument());
  process.stdout.write(`\nwrote ${DOC}\n`);
}

function studyFile(study: StudyName): string {
  return join(ROOT, 'studies', `${study}.yaml`);
}

function expectationFile(study: StudyName): string {
  return join(ROOT, 'studies', 'expectations', `${study}.json`);
}

/** The headline rows, then every test row of the study, as a plain-text table. */
function rowsTable(study: StudyName, rows: readonly (SimulatedPowerRow | ExpectationRow)[]): string {
  const lines = [pad(['hypothesis', 'row', 'mean', 'SD', 'MCSE', 'q05', 'q50', 'q95', 'power', 'headline'])];
  for (const row of rows) {
    const headline = HEADLINES.find(
      (entry) => entry.study === study && entry.hypothesis === row.hypothesis && entry.label === row.label,
    );
    lines.push(
      pad([
        row.hypothesis,
        row.label,
        number(row.meanEstimate),
        number(row.sdEstimate),
        number(row.estimateMcse),
        number(row.quantiles?.q05 ?? null),
        number(row.quantiles?.q50 ?? null),
        number(row.quantiles?.q95 ?? null),
        row.power.toFixed(2),
        headline === undefined ? '' : `${headline.check(row) ? 'ok' : 'OUT'} (${headline.rule})`,
      ]),
    );
  }
  return lines.join('\n');
}

function pad(cells: readonly string[]): string {
  const widths = [22, 16, 8, 8, 8, 8, 8, 8, 6, 0];
  return cells
    .map((cell, index) => cell.padEnd(widths[index] ?? 0))
    .join(' ')
    .trimEnd();
}

function number(value: number | null): string {
  if (value === null) return '-';
  return Math.abs(value) < 0.1 && value !== 0 ? value.toFixed(4) : value.toFixed(3);
}

// ---------------------------------------------------------------------------------------------
// docs/surrogate-calibration.md: a pure function of the stored expectations and the current state.

function readStored(study: StudyName): { expectation: SurrogateExpectation; current: boolean } | null {
  const file = expectationFile(study);
  if (!existsSync(file)) return null;
  const expectation = SurrogateExpectationSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const { key } = expectationKey(loadStudyFile(studyFile(study)));
  return { expectation, current: key === expectation.key };
}

function calibrationDocument(): string {
  const stored = new Map(STUDIES.map((study) => [study, readStored(study)]));
  const today = new Date().toISOString().slice(0, 10);
  const lines: string[] = [
    '# Surrogate calibration (generated)',
    '',
    '<!-- Generated by scripts/calibrate-surrogate.ts from studies/expectations/*.json; do not edit by hand. -->',
    '',
    `Generated ${today} with surrogate parameters ${DEFAULT_SURROGATE_PARAMETERS.version} ` +
      '(`src/models/surrogate/parameters.ts`). Re-run: `npx tsx scripts/calibrate-surrogate.ts`.',
    '',
    'The surrogate is calibrated **on expectation**: each study is simulated many times with different seeds ' +
      '(simulation *i* uses the seed derived from the study seed and *i*), scored and analysed exactly as `run` does ' +
      '(`backfire power <study> --simulations N --write-expectation`), and its default parameters are tuned so that ' +
      "the **mean** over the seeds is of the paper's order. One seed's result is one draw from the spread shown " +
      'here, not a calibration. These are properties of an assumed model of agent behaviour, **not findings about ' +
      'any language model**.',
    '',
    '## Headline effects',
    '',
    '| claim | paper | surrogate mean | SD over seeds | 5%-95% of seeds | power | seeds | rule | holds |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const headline of HEADLINES) {
    const entry = stored.get(headline.study);
    const row = entry?.expectation.rows.find(
      (candidate) => candidate.hypothesis === headline.hypothesis && candidate.label === headline.label,
    );
    if (entry === null || entry === undefined || row === undefined) {
      lines.push(`| ${headline.claim} | ${headline.paper} | not simulated | | | | | ${headline.rule} | |`);
      continue;
    }
    lines.push(
      `| ${headline.claim} | ${headline.paper} | ${number(row.meanEstimate)} (MCSE ${number(row.estimateMcse)}) | ` +
        `${number(row.sdEstimate)} | ${number(row.quantiles?.q05 ?? null)} to ${number(row.quantiles?.q95 ?? null)} | ` +
        `${row.power.toFixed(2)} | ${entry.expectation.simulations} | ${headline.rule} | ` +
        `${headline.check(row) ? 'yes' : '**no**'}${entry.current ? '' : ' (stale)'} |`,
    );
  }
  const study2 = stored.get('study2');
  if (study2 !== null && study2 !== undefined) {
    const perLanguage = study2.expectation.rows.filter((row) => row.hypothesis === 'E2-di-by-language');
    const rising = perLanguage.filter((row) => (row.meanEstimate ?? 0) > 0).length;
    const cpiByLanguage = study2.expectation.rows.filter((row) => row.hypothesis === 'E1-cpi-by-language');
    const amplifying = cpiByLanguage.filter((row) => (row.meanEstimate ?? 0) > 0).length;
    lines.push(
      '',
      `Study 2, by language: the surrogate's mean DI g (10/10 vs 0/10) is positive in ${rising} of ${perLanguage.length} ` +
        `languages (paper: DI rose in 15 of 16); its mean CPI g is positive (amplification) in ${amplifying} of ` +
        `${cpiByLanguage.length} (paper: 8 amplify).`,
    );
  }
  lines.push(
    '',
    'History: parameters 1.0.0 had been tuned on one seed of Study 1 (CPI g -2.27 / +0.94); over 50 seeds they gave ' +
      'en -1.62 (SD 0.43) and ja +0.28 (SD 0.34), power after Holm 0.90 and 0.04. 1.1.0 re-tuned the English and ' +
      'Japanese profiles on the mean over seeds (Studies 1 and 3) and the default profile on Study 2\u2019s DI slope ' +
      '(1.0.0: about 0.19 per aligned agent over 3 seeds).',
    '',
    'power: share of the seeded simulations in which the test rejects at alpha = .05 (Holm-adjusted p for a ' +
      'confirmatory test); for Study 3 the test is one-sided against 0.84. MCSE: Monte-Carlo standard error of the mean.',
    '',
  );
  for (const study of STUDIES) {
    const entry = stored.get(study);
    lines.push(`## ${study}`, '');
    if (entry === null || entry === undefined) {
      lines.push('Not simulated yet.', '');
      continue;
    }
    const { expectation } = entry;
    lines.push(
      `${expectation.simulations} seeds (base seed ${expectation.seed}), ${expectation.keyInputs.replicates} replicates per cell, ` +
        `alpha ${expectation.alpha}, ${expectation.correction} correction; surrogate parameters ` +
        `${expectation.keyInputs.surrogateParametersVersion}; stored as \`studies/expectations/${study}.json\` ` +
        `(key \`${expectation.key.slice(0, 16)}\`)${entry.current ? '' : ' \u2014 **stale: the study, parameters, packs or lexicons changed since; re-run the script**'}.`,
      '',
      `Lexicon versions: ${Object.entries(expectation.keyInputs.lexiconVersions)
        .map(([language, version]) => `${language} ${version}`)
        .join(', ')}. Pack versions: ${Object.entries(expectation.keyInputs.packVersions)
        .map(([language, version]) => `${language} ${version}`)
        .join(', ')}. Index versions: ${Object.entries(expectation.keyInputs.indexVersions)
        .map(([name, version]) => `${name} ${version}`)
        .join(', ')}.`,
      '',
      '| hypothesis | row | quantity | mean | SD | 5% | 50% | 95% | power | no p |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const row of expectation.rows) {
      lines.push(
        `| ${row.hypothesis} | ${row.label} | ${row.quantity} | ${number(row.meanEstimate)} | ${number(row.sdEstimate)} | ` +
          `${number(row.quantiles?.q05 ?? null)} | ${number(row.quantiles?.q50 ?? null)} | ${number(row.quantiles?.q95 ?? null)} | ` +
          `${row.power.toFixed(2)} | ${row.failed} |`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
