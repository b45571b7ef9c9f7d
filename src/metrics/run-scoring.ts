import type {
  ActionFeatures,
  AgentFeatures,
  HitCounts,
  LanguagePack,
  PhaseFeatures,
  RunFeatures,
  Study,
  TranscriptEvent,
  TurnFeatures,
} from '../contracts/index.js';
import { createLanguageDetector } from './language-check.js';
import { type CompiledLexicon, compileLexicon } from './lexicon.js';
import { scoreSegments } from './segments.js';

/**
 * The part of the score stage that depends on one run alone: lexicon hits per action, the
 * output-language check, monologue ratio, hit rates and conformity rate per agent and for the run,
 * the run's exclusion, and its turns and phases. Every index (CPI, DI) is left null: those are
 * z-scores over the whole study, set by `poolRunScores` (scoring.ts) once every run is scored.
 * Split out so that runs can be scored in any thread and in any order, then pooled in run order
 * (src/runner/score-in-threads.ts); `scoreRuns` is the two parts in one thread.
 */

export interface RunToScore
  extends Pick<RunFeatures, 'runId' | 'cellId' | 'language' | 'model' | 'dose' | 'replicate'> {
  /** True when the run reached its run-end event. */
  complete: boolean;
  events: readonly TranscriptEvent[];
}

/** One run's features, its indices not yet set (null). `Action` is a serialised row in the threaded stage. */
export interface RunScore<Action = ActionFeatures> {
  actions: Action[];
  agents: AgentFeatures[];
  run: RunFeatures;
  turns: TurnFeatures[];
  phases: PhaseFeatures[];
  /** The version of the lexicon that scored it. */
  lexiconVersion: string;
}

export type ScoringSettings = Pick<Study, 'metrics' | 'exclusions'> & { indices?: Study['indices'] };

export interface RunScorer {
  score(run: RunToScore): RunScore;
}

/** A scorer holding each language's compiled lexicon (compiled on first use) and one detector memo. */
export function createRunScorer(packs: ReadonlyMap<string, LanguagePack>, settings: ScoringSettings): RunScorer {
  const lexicons = new Map<string, CompiledLexicon>();
  const lexiconOf = (language: string): CompiledLexicon => {
    let lexicon = lexicons.get(language);
    if (lexicon === undefined) {
      const pack = packs.get(language);
      if (pack === undefined) throw new Error(`no language pack loaded for "${language}"`);
      lexicon = compileLexicon(pack);
      lexicons.set(language, lexicon);
    }
    return lexicon;
  };
  const detector = createLanguageDetector([...packs.values()].map((pack) => pack.capabilities.detectorCode));
  const scored = new Set(settings.metrics.scoredChannels);
  const perAction = settings.metrics.normalization === 'per-action';

  const score = (run: RunToScore): RunScore => {
    const actions: ActionFeatures[] = [];
    const agents: AgentFeatures[] = [];
    const pack = packs.get(run.language);
    const lexicon = lexiconOf(run.language);
    const intendedCode = pack?.capabilities.detectorCode ?? 'und';
    const start = run.events[0];
    const agentSetups = start?.type === 'run-start' ? start.agents : [];
    const perAgent = new Map(
      agentSetups.map((agent) => [
        agent.id,
        {
          interventions: agent.interventions,
          actions: 0,
          monologues: 0,
          scoredActions: 0,
          detected: 0,
          intended: 0,
          hits: emptyCounts(lexicon.categories),
        },
      ]),
    );
    const runHits = emptyCounts(lexicon.categories);
    let actionCount = 0;
    let monologues = 0;
    let scoredActions = 0;
    let parseErrors = 0;
    let callErrors = 0;
    let detected = 0;
    let intended = 0;

    for (const event of run.events) {
      if (event.type === 'parse-error') parseErrors += 1;
      if (event.type === 'call-error') callErrors += 1;
      if (event.type !== 'action') continue;
      actionCount += 1;
      const agent = perAgent.get(event.agent);
      if (agent !== undefined) agent.actions += 1;
      if (event.channel === 'monologue') {
        monologues += 1;
        if (agent !== undefined) agent.monologues += 1;
      }
      const language = detector.classify(event.text, intendedCode);
      const detectedLanguage = language.detected;
      if (language.intended !== null) {
        detected += 1;
        if (agent !== undefined) agent.detected += 1;
        if (language.intended) {
          intended += 1;
          if (agent !== undefined) agent.intended += 1;
        }
      }
      if (!scored.has(event.channel)) continue;
      const analysis = lexicon.analyse(event.text);
      scoredActions += 1;
      if (agent !== undefined) agent.scoredActions += 1;
      addInto(runHits, analysis.counts);
      if (agent !== undefined) addInto(agent.hits, analysis.counts);
      actions.push({
        runId: run.runId,
        seq: event.seq,
        turn: event.turn,
        agent: event.agent,
        channel: event.channel,
        words: analysis.words,
        hits: analysis.counts,
        detectedLanguage,
        matches: analysis.matches.map(({ category, term, start, end }) => ({ category, term, start, end })),
      });
    }

    for (const [agentId, agent] of perAgent) {
      agents.push({
        runId: run.runId,
        agent: agentId,
        language: run.language,
        dose: run.dose,
        interventions: [...agent.interventions],
        actions: agent.actions,
        monologues: agent.monologues,
        monologueRatio: agent.actions > 0 ? agent.monologues / agent.actions : null,
        intendedLanguageShare: agent.detected > 0 ? agent.intended / agent.detected : null,
        hits: agent.hits,
        rates: rates(agent.hits, agent.scoredActions, perAction),
        conformityRate: conformityRate(agent.hits),
        di: null,
      });
    }

    const attempted = actionCount + parseErrors + callErrors;
    const failedShare = attempted > 0 ? (parseErrors + callErrors) / attempted : 1;
    const intendedLanguageShare = detected > 0 ? intended / detected : null;
    const minimumShare = settings.exclusions.minIntendedLanguageShare;
    let exclusionReason: string | null = null;
    if (!run.complete) exclusionReason = 'incomplete run';
    else if (failedShare > settings.exclusions.maxFailedActionShare) {
      exclusionReason = `${Math.round(failedShare * 100)}% of agent turns failed (limit ${Math.round(settings.exclusions.maxFailedActionShare * 100)}%)`;
    } else if (actionCount === 0) exclusionReason = 'no actions';
    else if (minimumShare !== null && intendedLanguageShare !== null && intendedLanguageShare < minimumShare) {
      exclusionReason = `${Math.round(intendedLanguageShare * 100)}% of actions in the intended language (minimum ${Math.round(minimumShare * 100)}%)`;
    }

    const runFeatures: RunFeatures = {
      runId: run.runId,
      cellId: run.cellId,
      language: run.language,
      model: run.model,
      dose: run.dose,
      replicate: run.replicate,
      attempted,
      actions: actionCount,
      parseErrors,
      callErrors,
      intendedLanguageShare,
      monologueRatio: actionCount > 0 ? monologues / actionCount : null,
      hits: runHits,
      rates: rates(runHits, scoredActions, perAction),
      conformityRate: conformityRate(runHits),
      cpi: null,
      di: null,
      excluded: exclusionReason !== null,
      exclusionReason,
    };
    // No scales: the turns' and phases' indices are set when the study's runs are pooled.
    const segments = scoreSegments([run], actions, [runFeatures], () => lexicon.categories, null, perAction);
    return { actions, agents, run: runFeatures, ...segments, lexiconVersion: lexicon.version };
  };
  return { score };
}

function emptyCounts(categories: readonly string[]): HitCounts {
  const counts: HitCounts = {};
  for (const category of categories) counts[category] = 0;
  return counts;
}

function addInto(target: HitCounts, source: Readonly<Record<string, number>>): void {
  for (const [category, count] of Object.entries(source)) target[category] = (target[category] ?? 0) + count;
}

function rates(hits: HitCounts, scoredActions: number, perAction: boolean): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [category, count] of Object.entries(hits)) {
    result[category] = perAction ? (scoredActions > 0 ? count / scoredActions : 0) : count;
  }
  return result;
}

function conformityRate(hits: HitCounts): number | null {
  const conformity = hits.conformity ?? 0;
  const individuation = hits.individuation ?? 0;
  return conformity + individuation > 0 ? conformity / (conformity + individuation) : null;
}
