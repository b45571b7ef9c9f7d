import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Test support for the reference comparisons against R (test/fixtures/reference/tests-*.json,
 * written by scripts/reference/tests.R). Only `*.test.ts` files import this module.
 *
 * Tolerances (the brief's): estimates 1e-6 relative, p-values 1e-4 absolute, log Bayes factors
 * 1e-3 absolute. Every comparison is also logged, so `BACKFIRE_REPORT_DEVIATIONS=1 npx vitest run
 * src/stats` prints the largest deviation from R per kind of quantity.
 */

export const ESTIMATE_RELATIVE_TOLERANCE = 1e-6;
export const P_VALUE_ABSOLUTE_TOLERANCE = 1e-4;
export const LOG_BAYES_FACTOR_ABSOLUTE_TOLERANCE = 1e-3;

/** A number as jsonlite writes it: non-finite values arrive as the strings "Inf", "-Inf", "NaN". */
export const ReferenceNumberSchema = z.union([
  z.number(),
  z.enum(['Inf', '-Inf', 'NaN']).transform((text) => {
    if (text === 'Inf') {
      return Number.POSITIVE_INFINITY;
    }
    return text === '-Inf' ? Number.NEGATIVE_INFINITY : Number.NaN;
  }),
]);

export const ReferenceIntervalSchema = z.tuple([ReferenceNumberSchema, ReferenceNumberSchema]);

/** Reads and validates `test/fixtures/reference/tests-<name>.json`. */
export function readReferenceFixture<Schema extends z.ZodType>(name: string, schema: Schema): z.output<Schema> {
  const url = new URL(`../../test/fixtures/reference/tests-${name}.json`, import.meta.url);
  return schema.parse(JSON.parse(readFileSync(url, 'utf8')));
}

const PowerCommon = {
  type: z.enum(['two.sample', 'one.sample', 'paired']),
  alternative: z.enum(['two.sided', 'one.sided']),
  strict: z.boolean(),
  sd: z.number(),
  sigLevel: z.number(),
};

/** R's power.t.test values (`tests-power.json`): power given n, n given power, effect given n. */
export const PowerReferenceSchema = z.object({
  powerGivenN: z.array(z.object({ ...PowerCommon, n: z.number(), delta: z.number(), power: z.number() })),
  nGivenPower: z.array(z.object({ ...PowerCommon, power: z.number(), delta: z.number(), n: z.number() })),
  deltaGivenN: z.array(z.object({ ...PowerCommon, n: z.number(), power: z.number(), delta: z.number() })),
});

/** R's spelling of an alternative hypothesis to ours. */
export function alternativeFromR(alternative: 'two.sided' | 'less' | 'greater'): 'two-sided' | 'less' | 'greater' {
  return alternative === 'two.sided' ? 'two-sided' : alternative;
}

type ComparisonKind = 'relative' | 'absolute';

const largestDeviations = new Map<string, { deviation: number; label: string }>();

function record(quantity: string, deviation: number, label: string): void {
  const previous = largestDeviations.get(quantity);
  if (previous === undefined || deviation > previous.deviation) {
    largestDeviations.set(quantity, { deviation, label });
  }
}

/**
 * Throws (failing the test) unless `actual` is within `tolerance` of `expected`, relatively or
 * absolutely; infinities must match exactly. `quantity` groups the deviation log ("t estimate",
 * "p-value", "log BF").
 */
export function expectNear(
  actual: number,
  expected: number,
  options: { kind: ComparisonKind; tolerance: number; quantity: string; label: string },
): void {
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) {
    if (Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected))) {
      return;
    }
    throw new Error(`${options.label}: expected ${expected}, got ${actual}`);
  }
  const absolute = Math.abs(actual - expected);
  const deviation = options.kind === 'absolute' ? absolute : absolute / Math.max(Math.abs(expected), 1e-300);
  record(options.quantity, deviation, options.label);
  if (!(deviation <= options.tolerance)) {
    throw new Error(
      `${options.label}: expected ${expected}, got ${actual} (${options.kind} deviation ${deviation.toExponential(3)} > ${options.tolerance})`,
    );
  }
}

/** Relative comparison for estimates; values within 1e-12 absolute of zero compare absolutely. */
export function expectEstimate(actual: number, expected: number, label: string, quantity = 'estimate'): void {
  if (Math.abs(expected) < 1e-12) {
    expectNear(actual, expected, { kind: 'absolute', tolerance: 1e-12, quantity: `${quantity} (near 0)`, label });
    return;
  }
  expectNear(actual, expected, { kind: 'relative', tolerance: ESTIMATE_RELATIVE_TOLERANCE, quantity, label });
}

export function expectPValue(actual: number, expected: number, label: string): void {
  expectNear(actual, expected, { kind: 'absolute', tolerance: P_VALUE_ABSOLUTE_TOLERANCE, quantity: 'p-value', label });
}

export function expectLogBayesFactor(actual: number, expected: number, label: string): void {
  expectNear(actual, expected, {
    kind: 'absolute',
    tolerance: LOG_BAYES_FACTOR_ABSOLUTE_TOLERANCE,
    quantity: 'log BF10',
    label,
  });
}

/** Prints the largest deviations seen in this test file when BACKFIRE_REPORT_DEVIATIONS is set. */
export function reportDeviations(file: string): void {
  if (process.env.BACKFIRE_REPORT_DEVIATIONS === undefined) {
    return;
  }
  const lines = [...largestDeviations.entries()].map(
    ([quantity, { deviation, label }]) => `  ${quantity}: ${deviation.toExponential(2)} (${label})`,
  );
  console.log(`largest deviations from R in ${file}:\n${lines.join('\n')}`);
}
