import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { userInputErrorOf } from '../../test/support/user-input-error.js';
import type { ScenarioPhaseDeclaration, TranscriptEvent } from '../contracts/index.js';
import { parseLanguagePack } from '../languages/index.js';
import { createSurrogateModel, resolveSurrogateParameters } from '../models/index.js';
import { type RunSpec, simulateRun } from './simulation.js';

/**
 * Scenario phases are pack data: a scenario with its own phase names and turn count validates, runs
 * on the surrogate (which reads each phase's kind, never its name) and records its names in the
 * events; bad phase data is one error naming the file, the path and the fix.
 */

const FILE = 'custom/en/pack.json';
const englishRaw = JSON.parse(readFileSync(new URL('../languages/en/pack.json', import.meta.url), 'utf8')) as Record<
  string,
  unknown
> & { scenario: { turns: { turn: number; phase?: string; text: string }[] } };

const PHASES: ScenarioPhaseDeclaration[] = [
  { name: 'briefing', firstTurn: 1, lastTurn: 2, kind: 'rules' },
  { name: 'lockdown', firstTurn: 3, lastTurn: 3, kind: 'coercion' },
  { name: 'vote', firstTurn: 4, lastTurn: 6, kind: 'exclusion' },
];

/** The English pack with a six-turn scenario whose phases are declared (its turns name none). */
function customRaw(phases: unknown, turnPhase: (turn: number) => string | undefined = () => undefined): unknown {
  const source = englishRaw.scenario.turns;
  const turns = [source[0]!, source[1]!, source[4]!, source[9]!, source[12]!, source[14]!].map((turn, index) => {
    const { phase: _dropped, ...rest } = turn;
    const phase = turnPhase(index + 1);
    return { ...rest, turn: index + 1, ...(phase === undefined ? {} : { phase }) };
  });
  return { ...englishRaw, scenario: { ...englishRaw.scenario, turns, phases } };
}

function packWith(phases: unknown) {
  return parseLanguagePack(customRaw(phases), { file: FILE, folderTag: 'en' });
}

async function run(pack: ReturnType<typeof packWith>): Promise<TranscriptEvent[]> {
  const model = createSurrogateModel({
    packs: new Map([['en', pack]]),
    parameters: resolveSurrogateParameters(undefined),
    covariates: {},
    scoreText: () => ({}),
  });
  const spec: RunSpec = {
    runId: 'phases-1',
    cellId: 'en.k3',
    pack,
    modelRef: model.ref,
    model,
    agents: 6,
    turns: 6,
    dose: 3,
    doseIntervention: 'alignment',
    background: [],
    placement: 'random',
    seed: 5,
    replicate: 0,
    sampling: { temperature: 1, maxTokens: 256 },
    memoryWindow: null,
    turnPolicy: 'sequential-shuffled',
  };
  const events: TranscriptEvent[] = [];
  await simulateRun(spec, { commitTurn: (batch) => events.push(...batch.events) });
  return events;
}

describe('scenario phases as pack data', () => {
  it('runs a scenario with its own phase names and turn count on the surrogate, recording the names', async () => {
    const events = await run(packWith(PHASES));
    const injected = events.filter((event) => event.type === 'event-injected');
    expect(injected.map((event) => event.phase)).toEqual(['briefing', 'briefing', 'lockdown', 'vote', 'vote', 'vote']);
    expect(events.filter((event) => event.type === 'action').length).toBe(36);
  });

  it('keys the surrogate by the phase kind: the same names with other kinds give other behaviour', async () => {
    const asDeclared = await run(packWith(PHASES));
    const allRules = await run(packWith(PHASES.map((phase) => ({ ...phase, kind: 'rules' }))));
    const texts = (events: TranscriptEvent[]) =>
      events.flatMap((event) => (event.type === 'action' ? [`${event.channel} ${event.text}`] : []));
    // Turns 1-2 are of kind rules in both, so they match; the later turns are not all the same.
    expect(texts(allRules).slice(0, 12)).toEqual(texts(asDeclared).slice(0, 12));
    expect(texts(allRules).slice(12)).not.toEqual(texts(asDeclared).slice(12));
  });

  it('refuses phases that leave a gap, naming the file, the path and the fix', () => {
    const error = userInputErrorOf(() =>
      packWith([PHASES[0], { ...PHASES[1], firstTurn: 4, lastTurn: 4 }, { ...PHASES[2], firstTurn: 5 }]),
    );
    expect(error.file).toBe(FILE);
    expect(error.path).toBe('scenario.phases[1].firstTurn');
    expect(error.message).toMatch(/is 4 but must be 3/);
    expect(error.fix).toMatch(/set firstTurn to 3/);
  });

  it('refuses phases that do not reach the last turn, and an unknown kind', () => {
    const short = userInputErrorOf(() => packWith([PHASES[0], PHASES[1], { ...PHASES[2], lastTurn: 5 }]));
    expect(short.path).toBe('scenario.phases[2].lastTurn');
    expect(short.fix).toMatch(/set it to 6/);
    const unknownKind = userInputErrorOf(() => packWith([PHASES[0], PHASES[1], { ...PHASES[2], kind: 'vote' }]));
    expect(unknownKind.file).toBe(FILE);
    expect(unknownKind.path).toBe('scenario.phases[2].kind');
    expect(unknownKind.message).toMatch(/exclusion/);
  });

  it('without a declaration, refuses a turn whose phase name is not a kind, saying how to declare it', () => {
    const raw = customRaw(undefined, (turn) => (turn <= 2 ? 'briefing' : 'exclusion'));
    const error = userInputErrorOf(() => parseLanguagePack(raw, { file: FILE, folderTag: 'en' }));
    expect(error.file).toBe(FILE);
    expect(error.path).toBe('scenario.turns[0].phase');
    expect(error.fix).toMatch(/scenario\.phases/);
    // A turn that names a phase other than the declared one is refused too.
    const disagreeing = customRaw(PHASES, (turn) => (turn === 3 ? 'briefing' : undefined));
    expect(userInputErrorOf(() => parseLanguagePack(disagreeing, { file: FILE, folderTag: 'en' })).path).toBe(
      'scenario.turns[2].phase',
    );
  });
});
