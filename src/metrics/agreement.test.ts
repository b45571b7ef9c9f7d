import { describe, expect, it } from 'vitest';
import { binaryAgreement } from './agreement.js';

function pairs(counts: { both: number; firstOnly: number; secondOnly: number; neither: number }) {
  return [
    ...Array.from({ length: counts.both }, () => ({ first: true, second: true })),
    ...Array.from({ length: counts.firstOnly }, () => ({ first: true, second: false })),
    ...Array.from({ length: counts.secondOnly }, () => ({ first: false, second: true })),
    ...Array.from({ length: counts.neither }, () => ({ first: false, second: false })),
  ];
}

describe("Cohen's kappa for one yes/no category", () => {
  it('equals the textbook example (20/5/10/15 of 50: po 0.70, pe 0.50, kappa 0.40)', () => {
    const result = binaryAgreement(pairs({ both: 20, firstOnly: 5, secondOnly: 10, neither: 15 }));
    expect(result.observed).toBeCloseTo(0.7, 12);
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it('is 1 for perfect agreement, 0 at chance and negative below it', () => {
    expect(binaryAgreement(pairs({ both: 7, firstOnly: 0, secondOnly: 0, neither: 13 })).kappa).toBeCloseTo(1, 12);
    // Independent coders with rates 0.5 and 0.5: po = pe = 0.5.
    expect(binaryAgreement(pairs({ both: 5, firstOnly: 5, secondOnly: 5, neither: 5 })).kappa).toBeCloseTo(0, 12);
    expect(binaryAgreement(pairs({ both: 0, firstOnly: 5, secondOnly: 5, neither: 0 })).kappa).toBeCloseTo(-1, 12);
  });

  it('has no kappa when both coders gave every item the same code, and no figure for no items', () => {
    expect(binaryAgreement(pairs({ both: 0, firstOnly: 0, secondOnly: 0, neither: 9 })).kappa).toBeNull();
    expect(binaryAgreement([]).items).toBe(0);
  });
});
