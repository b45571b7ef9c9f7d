import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFormula } from './formula.js';
import { richardsonGradientHessian, richardsonJacobian } from './lmm-derivatives.js';
import { ProfiledDeviance, thetaDiagonalMask } from './lmm-deviance.js';
import { canonicalTheta, minimizeTheta, nelderMead } from './lmm-optimizer.js';
import { buildFixedDesign, buildRandomTerms, ModelFrame, responseVector } from './model-frame.js';

function devianceFor(fixtureName: string, formula: string) {
  const fixture = JSON.parse(
    readFileSync(new URL(`../../test/fixtures/reference/models-${fixtureName}.json`, import.meta.url), 'utf8'),
  ) as {
    data: Record<string, (number | string)[]>;
    fits: { formula: string; reml: boolean; reference: { theta: number[]; deviance: number } }[];
  };
  const parsed = parseFormula(formula);
  const frame = new ModelFrame(fixture.data);
  const design = buildFixedDesign(frame, parsed);
  const terms = buildRandomTerms(frame, parsed).map((term) => ({
    columns: term.columns.length,
    levels: term.levels.length,
    levelOfRow: term.levelOfRow,
    design: term.design,
  }));
  const deviance = new ProfiledDeviance(
    design.values,
    design.rows,
    design.columns.length,
    responseVector(frame, parsed),
    terms,
  );
  const reference = fixture.fits.find((fit) => fit.formula === formula && fit.reml)!.reference;
  return { deviance, terms, reference };
}

describe('nelderMead', () => {
  it('minimises the Rosenbrock function', () => {
    const rosenbrock = ([a, b]: number[]) => (1 - a!) ** 2 + 100 * (b! - a! * a!) ** 2;
    const result = nelderMead(rosenbrock, [-1.2, 1], {
      initialStep: 0.5,
      maxEvaluations: 5000,
      functionTolerance: 1e-14,
      parameterTolerance: 1e-8,
    });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });

  it('reports running out of evaluations', () => {
    const result = nelderMead(([a]) => (a! - 3) ** 2, [0], {
      initialStep: 0.1,
      maxEvaluations: 5,
      functionTolerance: 1e-14,
      parameterTolerance: 1e-10,
    });
    expect(result.converged).toBe(false);
  });
});

describe('canonicalTheta', () => {
  it('flips the columns of each factor whose diagonal is negative', () => {
    // Terms with 2 columns (theta: d1, o21, d2) and 1 column (d).
    expect(canonicalTheta([-1, 0.5, -0.2, -3], [2, 1])).toEqual([1, -0.5, 0.2, 3]);
    expect(canonicalTheta([1, -0.5, 0.2], [2])).toEqual([1, -0.5, 0.2]);
  });

  it('leaves the deviance unchanged (the reason bounds are not needed)', () => {
    const { deviance } = devianceFor('lmm-paper-slopes', 'cpi ~ k + (1 + k | language)');
    const theta = [0.45, -0.0076, 0.0525];
    const flipped = [-0.45, 0.0076, 0.0525];
    expect(deviance.deviance(flipped, true)).toBeCloseTo(deviance.deviance(theta, true), 9);
    expect(deviance.deviance([0.45, -0.0076, -0.0525], true)).toBeCloseTo(deviance.deviance(theta, true), 9);
  });
});

describe('minimizeTheta', () => {
  it('reaches the same optimum as lme4 from different starting points', () => {
    const { deviance, terms, reference } = devianceFor('lmm-crossed', 'y ~ x + (1 + x | subject) + (1 | item)');
    const mask = thetaDiagonalMask(terms);
    for (const start of [
      [1, 0, 1, 1],
      [0.1, 0.5, 3, 0.2],
      [2, -1, 0.01, 4],
    ]) {
      const result = minimizeTheta((theta) => deviance.deviance(theta, true), start, [2, 1], mask);
      expect(result.optimizerConverged).toBe(true);
      expect(result.scaledGradient).toBeLessThan(1e-6);
      expect(Math.abs(result.deviance - reference.deviance)).toBeLessThan(1e-9);
      result.theta.forEach((value, index) => {
        expect(Math.abs(value - reference.theta[index]!) / Math.abs(reference.theta[index]!)).toBeLessThan(1e-6);
      });
    }
  });

  it('puts a variance that belongs at zero exactly on the boundary', () => {
    const { deviance, terms } = devianceFor('lmm-singular', 'y ~ x + (1 | g)');
    const result = minimizeTheta((theta) => deviance.deviance(theta, true), [1], [1], thetaDiagonalMask(terms));
    expect(result.theta).toEqual([0]);
  });
});

describe('Richardson derivatives reproduce numDeriv', () => {
  it('hessian (d = 0.1, r = 4) to the last digits R prints', () => {
    const f = ([a, b, c]: number[]) => Math.sin(a!) * Math.exp(b!) + a! ** 3 * c!;
    const { hessian } = richardsonGradientHessian(f, [0.7, 0.2, 0]);
    // numDeriv::hessian(f, c(0.7, 0.2, 0)) in R 4.2.2, numDeriv 2016.8-1.1, including its error
    // in [1,3] (exact: 1.47).
    const expected = [
      [-0.78684926004619826, 0.93418035710180902, 1.4700000004377805],
      [0.93418035710180902, 0.7868492600715935, -7.304501408995444e-15],
      [1.4700000004377805, -7.304501408995444e-15, 0],
    ];
    // Where sin/exp enter, last-ulp differences between V8's and glibc's versions, amplified by the
    // second differences, limit agreement to ~1e-11.
    expected.forEach((row, i) => {
      row.forEach((value, j) => {
        expect(Math.abs(hessian[i]![j]! - value)).toBeLessThan(5e-11);
      });
    });
    // [1,3] involves only a³c, exact in both: it reproduces numDeriv's own 4.4e-11 error exactly,
    // i.e. the same steps and the same extrapolation.
    expect(Math.abs(hessian[0]![2]! - expected[0]![2]!)).toBeLessThan(1e-13);
    expect(hessian[0]![2]! - 1.47).toBeGreaterThan(4e-11);
  });

  it('jacobian (d = 1e-4, r = 4)', () => {
    const g = ([a, b, c]: number[]) => Float64Array.from([a! * a! * b!, Math.exp(a!) + c!]);
    const columns = richardsonJacobian(g, [0.3, -1.2, 0]);
    const expected = [
      [-0.72000000000832942, 0.090000000000374558, 0],
      [1.3498588076127647, 0, 0.9999999999978002],
    ];
    expected.forEach((row, i) => {
      row.forEach((value, j) => {
        expect(Math.abs(columns[j]![i]! - value)).toBeLessThan(1e-13);
      });
    });
  });
});
