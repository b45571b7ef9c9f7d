/**
 * Agreement between two codings of the same items, per category (each category is a yes/no code of
 * an item): observed agreement and Cohen's kappa, kappa = (po - pe) / (1 - pe), where pe is the
 * agreement two coders with these marginal rates would reach by chance (Cohen 1960). Used for the
 * second, independent annotation of the gold test parts (gold/README.md); the same figures serve a
 * future second instrument (an LLM judge) against the lexicon.
 */
export interface BinaryAgreement {
  /** Items both coders coded. */
  items: number;
  /** Items both marked, items only the first marked, only the second, neither. */
  both: number;
  firstOnly: number;
  secondOnly: number;
  neither: number;
  observed: number;
  /** Cohen's kappa; null when chance agreement is 1 (both coders gave every item the same code). */
  kappa: number | null;
}

export function binaryAgreement(pairs: readonly { first: boolean; second: boolean }[]): BinaryAgreement {
  let both = 0;
  let firstOnly = 0;
  let secondOnly = 0;
  let neither = 0;
  for (const { first, second } of pairs) {
    if (first && second) both += 1;
    else if (first) firstOnly += 1;
    else if (second) secondOnly += 1;
    else neither += 1;
  }
  const items = pairs.length;
  if (items === 0) return { items, both, firstOnly, secondOnly, neither, observed: Number.NaN, kappa: null };
  const observed = (both + neither) / items;
  const firstRate = (both + firstOnly) / items;
  const secondRate = (both + secondOnly) / items;
  const chance = firstRate * secondRate + (1 - firstRate) * (1 - secondRate);
  return {
    items,
    both,
    firstOnly,
    secondOnly,
    neither,
    observed,
    kappa: chance === 1 ? null : (observed - chance) / (1 - chance),
  };
}
