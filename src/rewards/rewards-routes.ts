// Rewards over HTTP:
//   GET /v1/owner/rewards          (owner token) → {owner, earned, earnedDimo, entries: [{week, vehicleId, points,
//                                   amount, streak, reasons: [{code, …, text}], posted, claim?}], rules}
//   GET /v1/rewards/weeks          → {weeks: [summary]}            (public: every week is checkable)
//   GET /v1/rewards/weeks/:week    → summary {week, root, budget, total, totalPoints, vehicles, inputsHash, posted…}
// `claim` holds RewardsPayout.claim's arguments (with the Merkle proof) once the week's root is posted.
import type { FastifyInstance } from 'fastify';
import { requireOwner } from '../api/auth/require-owner.ts';
import { OdmError } from '../core/errors.ts';
import type { CapabilityContext } from '../node/capability.ts';
import type { NodeServices } from '../node/start-node.ts';
import { RewardsStore } from './rewards-store.ts';
import { RewardsView, RULES_SUMMARY, weekView } from './rewards-view.ts';

const views = new WeakMap<NodeServices, { store: RewardsStore; view: RewardsView }>();

/** The node's rewards store and view (tables only: no chain, no vault). */
export function getRewards(services: NodeServices): { store: RewardsStore; view: RewardsView } {
  let hit = views.get(services);
  if (!hit) {
    const store = new RewardsStore(services.store);
    hit = { store, view: new RewardsView(store) };
    views.set(services, hit);
  }
  return hit;
}

export function rewardsRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  app.get('/v1/owner/rewards', async (request) => {
    const services = ctx.services();
    const { address } = await requireOwner(request, services);
    return getRewards(services).view.ownerRewards(address);
  });

  app.get('/v1/rewards/weeks', async () => {
    const weeks = await getRewards(ctx.services()).store.weeks();
    return { weeks: weeks.map(weekView), rules: RULES_SUMMARY };
  });

  app.get('/v1/rewards/weeks/:week', async (request) => {
    const raw = (request.params as { week: string }).week;
    if (!/^(0|[1-9]\d{0,8})$/.test(raw)) throw new OdmError('ODM_ERR_VALIDATION', 'week must be a week number');
    const w = await getRewards(ctx.services()).store.week(Number(raw));
    if (!w) throw new OdmError('ODM_ERR_REWARDS_NOT_COMPUTED', `week ${raw} has not been computed on this node`, { details: { week: Number(raw) } });
    return weekView(w);
  });
}
