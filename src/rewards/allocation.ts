// Splits a budget pro rata by points so the shares sum to the budget exactly, to the wei.
//
// Rounding rule: each share is first floor(budget × points / totalPoints). The remainder
// R = budget − Σ shares is less than the number of earners; one extra wei goes to each of the R earners
// with the largest fractional part (budget × points mod totalPoints), ties broken by the lower token id.
// Earners with 0 points get 0. With no points at all nothing is allocated (the budget stays unpaid).

export interface Claimant {
  id: bigint;
  points: bigint;
}

export function allocate(budget: bigint, claimants: readonly Claimant[]): bigint[] {
  if (budget < 0n) throw new RangeError('budget must not be negative');
  let total = 0n;
  for (const c of claimants) {
    if (c.points < 0n) throw new RangeError('points must not be negative');
    total += c.points;
  }
  const shares = new Array<bigint>(claimants.length).fill(0n);
  if (total === 0n) return shares;
  const fractions: Array<{ i: number; rem: bigint }> = [];
  let given = 0n;
  for (let i = 0; i < claimants.length; i++) {
    const p = claimants[i]!.points;
    if (p === 0n) continue;
    const scaled = budget * p;
    shares[i] = scaled / total;
    given += shares[i]!;
    fractions.push({ i, rem: scaled % total });
  }
  let remainder = budget - given;
  if (remainder > 0n) {
    fractions.sort((a, b) => (a.rem === b.rem ? cmp(claimants[a.i]!.id, claimants[b.i]!.id) : a.rem > b.rem ? -1 : 1));
    for (const f of fractions) {
      if (remainder === 0n) break;
      shares[f.i]! += 1n;
      remainder--;
    }
  }
  return shares;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
