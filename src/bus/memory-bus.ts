// In-process bus for the single-process node. Delivery is asynchronous (next microtask) so a publisher
// never runs subscriber code on its own stack, and one failing subscriber cannot affect the others.
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { subjectMatches, type Bus, type BusHandler } from './bus.ts';

export function createMemoryBus(options: { logger: Logger }): Bus {
  const subscriptions = new Set<{ pattern: string; handler: BusHandler; group?: string }>();
  // Round-robin position per queue group, so one subscriber of each group gets each message.
  const turns = new Map<string, number>();
  let closed = false;
  let delivered = 0;

  return {
    kind: 'memory',
    async publish(subject, payload) {
      if (closed) throw new OdmError('ODM_ERR_BUS_UNAVAILABLE', 'the bus is closed');
      const groups = new Map<string, Array<{ handler: BusHandler }>>();
      const targets: Array<{ handler: BusHandler }> = [];
      for (const sub of subscriptions) {
        if (!subjectMatches(sub.pattern, subject)) continue;
        if (sub.group === undefined) targets.push(sub);
        else groups.set(sub.group, [...(groups.get(sub.group) ?? []), sub]);
      }
      for (const [group, members] of groups) {
        const turn = turns.get(group) ?? 0;
        turns.set(group, turn + 1);
        targets.push(members[turn % members.length]!);
      }
      for (const sub of targets) {
        queueMicrotask(() => {
          Promise.resolve()
            .then(() => sub.handler(payload, subject))
            .then(() => void delivered++)
            .catch((err: unknown) => options.logger.error({ err, subject }, 'bus subscriber failed'));
        });
      }
    },
    subscribe(pattern, handler, options) {
      const sub = { pattern, handler, ...(options?.group !== undefined ? { group: options.group } : {}) };
      subscriptions.add(sub);
      return () => void subscriptions.delete(sub);
    },
    probe: async () =>
      closed
        ? { ok: false, detail: 'closed' }
        : { ok: true, detail: `in-process, ${subscriptions.size} subscriptions, ${delivered} delivered` },
    async close() {
      closed = true;
      subscriptions.clear();
    },
  };
}
