import { z } from 'zod';

/**
 * Scenario phases are the scenario's own data: a pack names its phases and says which turns each
 * covers. What the contracts fix is only the small vocabulary of phase *kinds* the surrogate's
 * behaviour is keyed by (its pressure and echo per kind, and the exclusion kind singling out the
 * target): every phase declares one. Events, features and results record the phase's name.
 *
 * A scenario either declares its phases (`scenario.phases`: name, first and last turn, kind, in
 * order, covering turns 1..T), or declares none and names a phase on every turn
 * (`scenario.turns[i].phase`); then consecutive turns with the same name form one phase whose kind
 * is its name, which must therefore be one of the kinds (the default mapping every reference pack
 * uses: rules, political, coercion, dilemma, exclusion).
 */

/** The kinds of phase the surrogate model has parameters for. */
export const PHASE_KINDS = ['rules', 'political', 'coercion', 'dilemma', 'exclusion'] as const;
export const PhaseKindSchema = z.enum(PHASE_KINDS);
export type PhaseKind = z.infer<typeof PhaseKindSchema>;

/** A phase's name, as events, features, results and reports show it. */
export const PhaseNameSchema = z.string().min(1).max(40);
export type PhaseName = z.infer<typeof PhaseNameSchema>;

export const ScenarioPhaseDeclarationSchema = z
  .object({
    name: PhaseNameSchema,
    firstTurn: z.number().int().min(1),
    lastTurn: z.number().int().min(1),
    /** Which of the surrogate's phase parameters apply in this phase. */
    kind: PhaseKindSchema,
  })
  .strict();
export type ScenarioPhaseDeclaration = z.infer<typeof ScenarioPhaseDeclarationSchema>;

/** A phase of a scenario, declared or derived from its turns by the default mapping. */
export interface ScenarioPhase {
  name: PhaseName;
  kind: PhaseKind;
  firstTurn: number;
  lastTurn: number;
}

/** The part of a scenario the phases are read from (structural, so this file imports no other contract). */
export interface PhasedScenario {
  turns: readonly { phase?: string | undefined }[];
  phases?: readonly ScenarioPhaseDeclaration[] | undefined;
}

export interface ScenarioPhaseProblem {
  /** Inside the pack file, e.g. `scenario.phases[1].firstTurn`. */
  path: string;
  message: string;
  fix: string;
}

const DECLARE_FIX = `declare the scenario's phases under scenario.phases, e.g. [{ "name": "briefing", "firstTurn": 1, "lastTurn": 2, "kind": "rules" }, ...], each with one of the kinds ${PHASE_KINDS.join(', ')}`;

/**
 * The scenario's phases in turn order, and every problem with their data (a pack with problems is
 * refused at load, so `scenarioPhases` can rely on an empty list).
 */
export function resolveScenarioPhases(scenario: PhasedScenario): {
  phases: ScenarioPhase[];
  problems: ScenarioPhaseProblem[];
} {
  const problems: ScenarioPhaseProblem[] = [];
  const turnCount = scenario.turns.length;
  if (scenario.phases !== undefined) {
    const declared = scenario.phases;
    if (declared.length === 0) {
      problems.push({
        path: 'scenario.phases',
        message: 'is empty',
        fix: `${DECLARE_FIX}; or remove it and name a phase on every turn`,
      });
    }
    let expectedFirst = 1;
    declared.forEach((phase, index) => {
      const path = `scenario.phases[${index}]`;
      if (phase.firstTurn !== expectedFirst) {
        problems.push({
          path: `${path}.firstTurn`,
          message: `is ${phase.firstTurn} but must be ${expectedFirst} (phases are in turn order, each starting the turn after the previous one ends, the first at turn 1)`,
          fix: `set firstTurn to ${expectedFirst}, or correct the lastTurn of the phase before`,
        });
      }
      if (phase.lastTurn < phase.firstTurn) {
        problems.push({
          path: `${path}.lastTurn`,
          message: `is ${phase.lastTurn}, before firstTurn ${phase.firstTurn}`,
          fix: 'set lastTurn to the last turn of this phase (at least firstTurn)',
        });
      }
      const earlier = declared.findIndex((other) => other.name === phase.name);
      if (earlier < index) {
        problems.push({
          path: `${path}.name`,
          message: `"${phase.name}" is also the name of scenario.phases[${earlier}]`,
          fix: 'give every phase its own name (features and reports tell phases apart by name)',
        });
      }
      expectedFirst = Math.max(phase.lastTurn, phase.firstTurn) + 1;
    });
    const last = declared[declared.length - 1];
    if (last !== undefined && last.lastTurn !== turnCount) {
      problems.push({
        path: `scenario.phases[${declared.length - 1}].lastTurn`,
        message: `is ${last.lastTurn} but the scenario has ${turnCount} turns (the phases must cover every turn)`,
        fix: `set it to ${turnCount}, or add the missing turns or phases`,
      });
    }
    scenario.turns.forEach((turn, index) => {
      const phase = declared.find((candidate) => index + 1 >= candidate.firstTurn && index + 1 <= candidate.lastTurn);
      if (turn.phase !== undefined && phase !== undefined && turn.phase !== phase.name) {
        problems.push({
          path: `scenario.turns[${index}].phase`,
          message: `is "${turn.phase}" but scenario.phases puts turn ${index + 1} in "${phase.name}"`,
          fix: `remove it (scenario.phases says which phase each turn is in) or set it to "${phase.name}"`,
        });
      }
    });
    return {
      phases: declared.map(({ name, kind, firstTurn, lastTurn }) => ({ name, kind, firstTurn, lastTurn })),
      problems,
    };
  }

  // No declaration: the default mapping (consecutive turns with one name form a phase of that kind).
  const phases: ScenarioPhase[] = [];
  scenario.turns.forEach((turn, index) => {
    const path = `scenario.turns[${index}].phase`;
    if (turn.phase === undefined) {
      problems.push({
        path,
        message: 'is missing, and the scenario declares no phases',
        fix: `name this turn's phase (one of ${PHASE_KINDS.join(', ')}), or ${DECLARE_FIX}`,
      });
      return;
    }
    const kind = PHASE_KINDS.find((candidate) => candidate === turn.phase);
    if (kind === undefined) {
      problems.push({
        path,
        message: `"${turn.phase}" is not a phase kind (${PHASE_KINDS.join(', ')}), and the scenario declares no phases to say which kind it is`,
        fix: DECLARE_FIX,
      });
      return;
    }
    const previous = phases[phases.length - 1];
    if (previous !== undefined && previous.name === turn.phase && previous.lastTurn === index) {
      previous.lastTurn = index + 1;
    } else {
      phases.push({ name: turn.phase, kind, firstTurn: index + 1, lastTurn: index + 1 });
    }
  });
  return { phases, problems };
}

const resolved = new WeakMap<object, readonly ScenarioPhase[]>();

/**
 * The phases of a scenario that passed the pack check (memoised per scenario object: packs are
 * loaded once and frozen). Throws on bad phase data, which a loaded pack never has.
 */
export function scenarioPhases(scenario: PhasedScenario): readonly ScenarioPhase[] {
  let phases = resolved.get(scenario);
  if (phases === undefined) {
    const resolution = resolveScenarioPhases(scenario);
    const [problem] = resolution.problems;
    if (problem !== undefined) throw new Error(`scenario phases: ${problem.path} ${problem.message}`);
    phases = resolution.phases;
    resolved.set(scenario, phases);
  }
  return phases;
}

/** The phase turn `turn` (1-based) is in, or undefined past the scenario's last turn. */
export function scenarioPhaseAt(scenario: PhasedScenario, turn: number): ScenarioPhase | undefined {
  return scenarioPhases(scenario).find((phase) => turn >= phase.firstTurn && turn <= phase.lastTurn);
}
