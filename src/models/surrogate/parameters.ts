import type {
  SurrogateLanguageProfile,
  SurrogateParameterOverrides,
  SurrogateParameters,
} from '../../contracts/index.js';

/**
 * The surrogate's parameters: the one file that holds them (README.md beside it gives the model).
 *
 * THESE DEFAULTS ARE ILLUSTRATIVE PRIORS, NOT ESTIMATES. They encode the *directions* the paper
 * reports (alignment lowers collective pathology in English and raises it in Japanese; alignment
 * raises dissociation almost everywhere; the backfire grows with power distance; protective speech
 * in Japanese takes the group-harmony form), with magnitudes chosen so that the pipeline's planted
 * effects are visible at the paper's sample sizes. Nothing produced with them is a finding about any
 * language model. Calibration: with these values Study 1 (15 runs per cell) gives CPI g of about
 * -2.3 in English and +0.9 in Japanese (paper: -1.844 and +0.771); see bench/RESULTS.md for the run.
 * A study overrides any of them under `surrogate.parameters`; `power` uses them to
 * plan sample sizes; tests plant known effects through them.
 *
 * All effects are on the log-odds scale of a multinomial logit (see README.md).
 */
export const DEFAULT_SURROGATE_PARAMETERS: SurrogateParameters = {
  version: '1.0.0',
  // Interventions other than alignment and individuation have no default effect: a study that
  // doses one sets its effects here (surrogate.parameters.interventions.<name>), else every call
  // with it carries a warning and `power` cannot plant an effect for it.
  interventions: {},
  channel: {
    // Baseline: most actions are public talk; about one in six is a private monologue.
    monologueIntercept: -1.6,
    whisperIntercept: -2.2,
    // Pressure (0..1 by phase) pushes speech underground: more monologue and whispering.
    monologuePressure: 0.8,
    whisperPressure: 0.5,
    // "Think independently" agents voice their view publicly slightly less (they deliberate).
    individuationMonologue: 0.5,
  },
  register: {
    protectiveIntercept: -0.6,
    echoIntercept: -1.4,
    complianceIntercept: -0.2,
    dissociationIntercept: 0.2,
    pressureByPhase: { rules: 0.1, political: 0.45, coercion: 0.9, dilemma: 0.6, exclusion: 1.0 },
    // Agents take up the coercive content mainly while it is on the table.
    echoByPhase: { rules: -1.5, political: -1.0, coercion: 1.4, dilemma: -0.2, exclusion: -0.5 },
    protectivePressure: 0.7,
    compliancePressure: 0.4,
    // Study 3's iatrogenesis: individuated agents speak protectively, yet mostly in the conformity
    // form, and echo the coercion more.
    individuationProtective: 0.5,
    individuationConformity: 0.6,
    individuationEcho: 0.5,
    // Social influence: the group's conformity share and coercion echo are contagious.
    socialConformity: 1.5,
    socialEcho: 0.35,
    dissociationAlignment: 1.0,
  },
  variability: {
    // Between-run and between-agent heterogeneity on the monologue and echo log-odds.
    runSd: 0.7,
    agentSd: 0.35,
  },
  // A language without its own profile sits between the English and Japanese patterns, and is moved
  // by power distance (covariateModulation below).
  defaultProfile: {
    alignmentMonologue: 0.4,
    alignmentProtective: 0.45,
    alignmentEcho: -0.15,
    conformityBias: 0.6,
    alignmentConformity: 0.4,
  },
  languageProfiles: {
    en: {
      alignmentMonologue: 0.1,
      alignmentProtective: 0.6,
      alignmentEcho: -0.45,
      conformityBias: -0.3,
      alignmentConformity: 0.2,
    },
    ja: {
      alignmentMonologue: 0.7,
      alignmentProtective: 0.2,
      alignmentEcho: 0.15,
      conformityBias: 2.0,
      alignmentConformity: 1.0,
    },
  },
  // Per (PDI - 50) / 25: higher power distance -> alignment drives speech inward and echoes coercion.
  covariateModulation: {
    covariate: 'pdi',
    center: 50,
    scale: 25,
    effects: { alignmentMonologue: 0.3, alignmentEcho: 0.3, alignmentProtective: -0.25, conformityBias: 0.4 },
  },
  phrasesPerAction: { min: 1, max: 2 },
};

/** Defaults with a study's overrides applied (one level deep inside each group). */
export function resolveSurrogateParameters(overrides: SurrogateParameterOverrides | undefined): SurrogateParameters {
  return applySurrogateOverrides(DEFAULT_SURROGATE_PARAMETERS, overrides);
}

/** `base` with a set of overrides applied (one level deep inside each group). */
export function applySurrogateOverrides(
  base: SurrogateParameters,
  overrides: SurrogateParameterOverrides | undefined,
): SurrogateParameters {
  if (overrides === undefined) return base;
  const languageProfiles: SurrogateParameters['languageProfiles'] = { ...base.languageProfiles };
  for (const [tag, profile] of Object.entries(overrides.languageProfiles ?? {})) {
    languageProfiles[tag] = mergeDefined(languageProfiles[tag] ?? {}, profile);
  }
  return {
    ...base,
    channel: mergeDefined(base.channel, overrides.channel),
    register: {
      ...mergeDefined(base.register, { ...overrides.register, pressureByPhase: undefined, echoByPhase: undefined }),
      pressureByPhase: mergeDefined(base.register.pressureByPhase, overrides.register?.pressureByPhase),
      echoByPhase: mergeDefined(base.register.echoByPhase, overrides.register?.echoByPhase),
    },
    variability: mergeDefined(base.variability, overrides.variability),
    defaultProfile: mergeDefined(base.defaultProfile, overrides.defaultProfile),
    languageProfiles,
    covariateModulation:
      overrides.covariateModulation === undefined ? base.covariateModulation : overrides.covariateModulation,
    phrasesPerAction: overrides.phrasesPerAction ?? base.phrasesPerAction,
    interventions: { ...base.interventions, ...overrides.interventions },
  };
}

/** Study overrides, then a variant's overrides on top (for `surrogate:<variant>` models). */
export function resolveSurrogateVariant(
  studyOverrides: SurrogateParameterOverrides | undefined,
  variantOverrides: SurrogateParameterOverrides | undefined,
): SurrogateParameters {
  return applySurrogateOverrides(resolveSurrogateParameters(studyOverrides), variantOverrides);
}

/** `base` with every defined value of `overrides` written over it (an explicit undefined changes nothing). */
function mergeDefined<T extends object>(base: T, overrides: { [K in keyof T]?: T[K] | undefined } | undefined): T {
  const merged = { ...base };
  if (overrides === undefined) return merged;
  for (const key of Object.keys(overrides) as (keyof T)[]) {
    const value = overrides[key];
    if (value !== undefined) merged[key] = value as T[keyof T];
  }
  return merged;
}

/**
 * The effective profile of a language: its own profile where given; the default profile moved by the
 * covariate modulation for every field the language does not set itself.
 */
export function effectiveProfile(
  parameters: SurrogateParameters,
  language: string,
  covariates: Readonly<Record<string, number | null | undefined>>,
): SurrogateLanguageProfile {
  const own = parameters.languageProfiles[language] ?? {};
  const modulation = parameters.covariateModulation;
  const covariateValue = modulation === null ? undefined : covariates[modulation.covariate];
  const shift =
    modulation === null || covariateValue === undefined || covariateValue === null
      ? 0
      : (covariateValue - modulation.center) / modulation.scale;
  const fields = Object.keys(parameters.defaultProfile) as (keyof SurrogateLanguageProfile)[];
  const profile = { ...parameters.defaultProfile };
  for (const field of fields) {
    const ownValue = own[field];
    profile[field] =
      ownValue !== undefined ? ownValue : parameters.defaultProfile[field] + shift * (modulation?.effects[field] ?? 0);
  }
  return profile;
}
