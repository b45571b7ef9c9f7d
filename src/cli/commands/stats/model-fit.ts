import { fitGlm, fitGlmm, fitLmm, fitOls, type GlmFit, type GlmmFit, parseGlmFormula } from '../../../stats/index.js';
import { runEngine } from './data.js';
import { engineOptions, glmFormula, modelInput, parseModelFormula } from './model-input.js';
import type { GeneralisedOptions } from './options.js';

export type AnyFit = ReturnType<typeof fitLmm> | ReturnType<typeof fitOls> | GlmFit | GlmmFit;

/** Fits one formula of `lrt` / `contrast`: LMM or OLS, or GLMM or GLM when --family is given. */
export function fitAny(
  text: string,
  options: GeneralisedOptions,
  reml: boolean,
): { fit: AnyFit; data: ReturnType<typeof modelInput>['data'] } {
  if (options.family !== undefined) {
    const parsed = parseGlmFormula(text);
    const formula = glmFormula(text, parsed.formula.randomTerms.length > 0);
    const input = modelInput(formula, options);
    const base = { ...engineOptions(text, input), family: options.family };
    const fit = runEngine(input.table.file, input.lines, () =>
      formula.randomTerms.length > 0 ? fitGlmm({ ...base, nAGQ: options.nagq ?? 1 }) : fitGlm(base),
    );
    return { fit, data: input.data };
  }
  const mixed = /\|/.test(text);
  const formula = parseModelFormula(mixed ? 'lmm' : 'ols', text);
  const input = modelInput(formula, options);
  const fit = runEngine(input.table.file, input.lines, () =>
    mixed ? fitLmm({ ...engineOptions(text, input), reml }) : fitOls(engineOptions(text, input)),
  );
  return { fit, data: input.data };
}
