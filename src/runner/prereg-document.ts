import type { Hypothesis, PreregLock, Study } from '../contracts/index.js';
import { INDEX_DEFINITIONS } from '../metrics/index.js';
import { isSurrogateRef } from '../models/index.js';
import { planStudy } from './plan.js';
import type { AnalyticPowerReport, SimulatedPowerReport } from './power.js';
import { describePlannedTest, LOCK_FILE } from './preregistration.js';
import type { LoadedStudy } from './study-file.js';

/**
 * The human-readable preregistration `backfire prereg` writes beside its lock, in the section order
 * of the common templates (AsPredicted; OSF Preregistration): hypotheses, design, sampling and
 * stopping rule, variables and indices, exclusion rules, analysis, confirmatory vs exploratory,
 * power. Every value is read from the lock or the power report; the lock hash heads the document so
 * the two can be checked against each other. No clock except the lock's own `lockedAt`.
 */

export interface PreregistrationDocumentInput {
  loaded: LoadedStudy;
  lock: PreregLock;
  analyticPower: AnalyticPowerReport;
  simulatedPower?: SimulatedPowerReport | null;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.map(escapeCell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ];
}

function fixed(value: number | null, decimals: number): string {
  return value === null ? '-' : value.toFixed(decimals);
}

function short(hash: string): string {
  return hash.slice(0, 16);
}

function hypothesisLine(hypothesis: Hypothesis, study: Study): string {
  const description = hypothesis.description === undefined ? '' : ` ${hypothesis.description}.`;
  return `- **${hypothesis.id}** (${hypothesis.confirmatory ? 'confirmatory' : 'exploratory'}, ${hypothesis.kind} on \`${hypothesis.metric}\`).${description} Test: ${describePlannedTest(hypothesis, study)}.`;
}

export function renderPreregistrationDocument(input: PreregistrationDocumentInput): string {
  const { loaded, lock } = input;
  const study = loaded.study;
  const plan = planStudy(study);
  const dose = study.design.dose;
  const surrogateModels = study.models.filter(isSurrogateRef);
  const confirmatory = study.analysis.hypotheses.filter((hypothesis) => hypothesis.confirmatory);
  const exploratory = study.analysis.hypotheses.filter((hypothesis) => !hypothesis.confirmatory);
  const lines: string[] = [];

  lines.push(`# Preregistration: ${study.title}`, '');
  lines.push(
    `Study \`${study.name}\` \u00B7 lock \`${lock.hash}\` \u00B7 locked ${lock.lockedAt} \u00B7 backfire ${lock.createdWith.version}` +
      (lock.createdWith.git === null
        ? ''
        : ` (commit ${lock.createdWith.git.commit.slice(0, 12)}${lock.createdWith.git.dirty ? ', uncommitted changes' : ''})`),
    '',
    `The machine-readable lock is \`${LOCK_FILE}\` beside this file. Its hash is the SHA-256 of the canonical JSON of its`,
    '`content` (the resolved study, the language packs and lexicons by content hash, the index and estimator',
    "versions, every run's seed). `backfire run <study> --prereg " +
      LOCK_FILE +
      '` checks a run against it before the first model call and refuses any difference that is not stated with `--deviation "<reason>"`.',
    '',
  );
  if (surrogateModels.length > 0) {
    lines.push(
      `> **Surrogate.** ${surrogateModels.map((model) => `\`${model}\``).join(', ')} ${surrogateModels.length === 1 ? 'is' : 'are'} the built-in surrogate, a documented stochastic model of agent behaviour, not a language model. Results produced with it test the pipeline; they are not findings about any LLM.`,
      '',
    );
  }
  if (study.description !== undefined) lines.push(study.description, '');

  lines.push('## 1. Hypotheses', '');
  for (const hypothesis of study.analysis.hypotheses) lines.push(hypothesisLine(hypothesis, study));
  lines.push('');

  lines.push('## 2. Design', '');
  lines.push(
    ...table(
      ['Setting', 'Value'],
      [
        ['Study type', 'Simulation experiment: multi-agent groups of language-model agents under a scripted scenario'],
        [
          'Languages',
          study.languages.map((tag) => `${loaded.packs.get(tag)?.meta.englishName ?? tag} (${tag})`).join(', '),
        ],
        [
          'Manipulated factor',
          `\`${dose.variable}\` = number of the ${study.agents} agents receiving the \`${dose.intervention}\` intervention, levels ${dose.levels.join(', ')}`,
        ],
        [
          'Background interventions',
          study.design.background.length === 0 ? 'none' : study.design.background.join(', '),
        ],
        [
          'Assignment',
          study.design.placement === 'random'
            ? 'a seeded random subset of agents receives the intervention in each run'
            : `the first ${dose.variable} personas receive the intervention`,
        ],
        ['Models', study.models.join(', ')],
        ['Group', `${study.agents} agents, ${study.turns} turns, turn policy ${study.turnPolicy}`],
        ['Memory', study.memory.window === null ? 'full history' : `last ${study.memory.window} turns`],
        [
          'Sampling settings',
          `temperature ${study.sampling.temperature}, max tokens ${study.sampling.maxTokens}${study.sampling.topP === undefined ? '' : `, top-p ${study.sampling.topP}`}`,
        ],
        [
          'Cells',
          `${plan.cells.length} (${study.languages.length} languages x ${dose.levels.length} levels x ${study.models.length} models)`,
        ],
      ],
    ),
    '',
  );

  lines.push('## 3. Sampling plan and stopping rule', '');
  lines.push(
    `- **Sample size:** ${study.replicates} runs per cell, ${plan.runs.length} runs, ${plan.agentTurns.toLocaleString('en-US')} agent turns (one model call each).`,
    '- **Stopping rule:** data collection ends when every planned run has completed all its turns. There is no interim analysis and no optional stopping; an interrupted study is resumed to completion (every completed turn is kept).',
    `- **Seeds:** study seed ${study.seed}; ${lock.content.seeds.derivation}; every run's id and seed are hashed in the lock (\`${short(lock.content.seeds.runSeedsHash)}\`).`,
    `- **Failures:** a failed or unparsable model call is recorded as an event, never dropped; failure rates are reported per cell.${study.budget === undefined ? '' : ` A budget of ${study.budget.usd} USD stops the study cleanly when spent (reported as a deviation if the study is not completed).`}`,
    '',
  );

  lines.push('## 4. Variables and indices', '');
  lines.push(
    `- **Manipulated:** \`${dose.variable}\` (${dose.levels.join(', ')}), per run.`,
    `- **Measured:** keyword indices over each action (one agent utterance) of the channels ${study.metrics.scoredChannels.join(', ')}, ${study.metrics.normalization === 'per-action' ? 'as rates per scored action' : 'as raw counts'}.`,
    '',
  );
  lines.push(
    ...table(
      ['Index', 'Version', 'Definition', 'Formula'],
      Object.values(INDEX_DEFINITIONS).map((index) => [index.name, index.version, index.description, index.formula]),
    ),
    '',
    'CPI and DI are sums of z-scores over the pooled non-excluded runs of the study.',
    '',
  );
  lines.push(
    ...table(
      [
        'Language',
        'Pack version',
        'Pack hash',
        'Lexicon version',
        'Lexicon hash',
        'Terms per category',
        'Validation set',
      ],
      study.languages.map((tag) => {
        const locked = lock.content.languagePacks[tag]!;
        const pack = loaded.packs.get(tag)!;
        const terms = Object.entries(pack.lexicon.categories)
          .map(([name, category]) => `${name} ${category.terms.length}`)
          .join(', ');
        return [
          tag,
          locked.version,
          `\`${short(locked.packHash)}\``,
          locked.lexicon.version,
          `\`${short(locked.lexicon.hash)}\``,
          terms,
          locked.validation === null
            ? 'none'
            : `${locked.validation.items} items, \`${short(locked.validation.hash)}\``,
        ];
      }),
    ),
    '',
    'The lexicons are held in full in the lock; a changed term is named when a run is checked against it.',
    '',
  );
  const covariates = Object.keys(study.covariates);
  lines.push(
    `- **Covariates:** Hofstede dimensions from each pack${covariates.length === 0 ? '' : `, overridden for ${covariates.join(', ')} by the study`}.`,
    '',
  );

  lines.push('## 5. Exclusion rules', '');
  lines.push(
    `- A run is excluded when more than ${(study.exclusions.maxFailedActionShare * 100).toFixed(0)}% of its attempted actions are unparsable or failed calls.`,
    study.exclusions.minIntendedLanguageShare === null
      ? '- The share of actions detected in the intended language is reported; it excludes nothing.'
      : `- A run is excluded when less than ${(study.exclusions.minIntendedLanguageShare * 100).toFixed(0)}% of its actions are detected in the intended language.`,
    '- Incomplete runs (fewer turns than planned) are not analysed.',
    '',
  );

  lines.push('## 6. Analysis plan', '');
  lines.push(
    ...table(
      ['Hypothesis', 'Test', 'Estimator'],
      study.analysis.hypotheses.map((hypothesis) => [
        hypothesis.id,
        describePlannedTest(hypothesis, study),
        lock.content.estimators.hypotheses[hypothesis.id] ?? '',
      ]),
    ),
    '',
    `- **Estimator versions:** ${Object.entries(lock.content.estimators.engines)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    `- **Inference:** two-sided tests at alpha = ${Number((1 - study.analysis.ciLevel).toPrecision(6))}; ${study.analysis.ciLevel * 100}% intervals.`,
    `- **Correction family:** ${study.analysis.correction === 'none' ? 'no multiplicity correction' : `${study.analysis.correction === 'holm' ? 'Holm' : 'Benjamini-Hochberg'} over every test of the confirmatory hypotheses (${confirmatory.map((hypothesis) => hypothesis.id).join(', ') || 'none'})`}; a direction count is a summary outside the family.`,
    '',
  );

  lines.push('## 7. Confirmatory vs exploratory', '');
  lines.push(
    `- **Confirmatory:** ${confirmatory.map((hypothesis) => hypothesis.id).join(', ') || 'none'}. A confirmatory hypothesis counts as confirmed when every one of its tests rejects its null at alpha after correction.`,
    `- **Exploratory:** ${exploratory.map((hypothesis) => hypothesis.id).join(', ') || 'none'}; reported with unadjusted p and labelled.`,
    '- **Deviations:** any departure from this plan is recorded with its reason, time and whether data existed. A change after data exist to what a confirmatory test depends on moves that hypothesis (or, for a shared setting, every confirmatory hypothesis) to exploratory.',
    '',
  );

  lines.push('## 8. Power', '');
  const power = input.analyticPower;
  lines.push(
    `Analytic power (${power.method}), assumed effect d = ${power.effect.d} (${power.effect.source}), alpha = ${power.alpha}.`,
    '',
    power.correctionNote,
    '',
  );
  if (power.rows.length > 0) {
    const bonferroni = power.bonferroniAlpha;
    lines.push(
      ...table(
        [
          'Hypothesis',
          'Rows',
          'n per group',
          `Power at ${power.alpha}`,
          `Replicates for ${power.targetPower * 100}%`,
          ...(bonferroni === null
            ? []
            : [`Power at ${Number(bonferroni.toPrecision(3))}`, `Replicates for ${power.targetPower * 100}%`]),
        ],
        power.rows.map((row) => [
          row.hypothesis,
          row.labels.join(', '),
          String(row.perGroup),
          fixed(row.atAlpha.power, 3),
          String(row.atAlpha.requiredReplicates),
          ...(row.atBonferroni === null
            ? []
            : [fixed(row.atBonferroni.power, 3), String(row.atBonferroni.requiredReplicates)]),
        ]),
      ),
      '',
    );
  }
  for (const note of [...power.notes, power.caveat]) lines.push(`- ${note}`);
  lines.push('');
  const simulated = input.simulatedPower ?? null;
  if (simulated !== null) {
    lines.push(
      `Simulated power: ${simulated.simulations} simulations of the whole design on the surrogate (seed ${simulated.seed}, ${simulated.replicates} replicates per cell, alpha = ${simulated.alpha}, ${simulated.correction} correction).`,
      '',
      ...table(
        ['Hypothesis', 'Row', 'p', 'Power', 'MCSE', 'Mean estimate'],
        simulated.rows.map((row) => [
          row.hypothesis,
          row.label,
          row.adjusted ? 'adjusted' : 'raw',
          fixed(row.power, 2),
          fixed(row.powerMcse, 2),
          fixed(row.meanEstimate, 3),
        ]),
      ),
      '',
      `- ${simulated.caveat}`,
      '',
    );
  } else {
    lines.push(
      'Simulated power of every planned test: `backfire power <study>` (or `backfire prereg --simulations <n>` to include it here).',
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
