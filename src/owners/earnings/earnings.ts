// What the dashboard's Earnings page shows. Rewards are computed off-chain each week and paid on chain
// (DESIGN §7); until this node runs the rewards engine there is nothing per week to show, and the page
// says so rather than inventing figures. The terms below are what the engine will apply; the location
// share is what the location opt-out toggle tells the owner it costs.
export const REWARD_TERMS = {
  /** Weekly issuance at launch, falling 15 % every 52 weeks. */
  weeklyIssuanceDimo: 1_105_000,
  issuanceDecayPctPerYear: 15,
  /** Part of a vehicle's weekly data-provider points that comes from sharing location. */
  locationSharePct: 25,
  /** Points accrue per day with at least one stored reading. */
  pointsPer: 'day with data',
};

export interface EarningsAnswer {
  computed: boolean;
  reason?: string;
  weeks: Array<{ week: string; vehicleId: string; points: number; dimo: string }>;
  terms: typeof REWARD_TERMS;
  method: string[];
}

export function earningsFor(): EarningsAnswer {
  return {
    computed: false,
    reason: 'The rewards engine has not computed any week on this node yet.',
    weeks: [],
    terms: REWARD_TERMS,
    method: [
      `Each week the protocol mints ${REWARD_TERMS.weeklyIssuanceDimo.toLocaleString('en-US')} DIMO (${REWARD_TERMS.issuanceDecayPctPerYear}% less every 52 weeks); part of it is the data providers' budget.`,
      'A vehicle earns points for each day it delivered data; its share of the budget is its points over everyone\'s.',
      `Sharing location is ${REWARD_TERMS.locationSharePct}% of a vehicle's points: with location turned off, the vehicle earns ${100 - REWARD_TERMS.locationSharePct}% of what it would.`,
      'Computation is deterministic and off-chain; payouts are on chain, so every week can be checked.',
    ],
  };
}
