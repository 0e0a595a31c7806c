import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestEmulator, teslaLogin, type TestEmulator } from '../../../emulator/testing.ts';
import type { LeaderLease } from '../../cluster/leader-lease.ts';
import { silentLogger } from '../../core/logger.ts';
import { startConnectorHarness } from '../testing.ts';
import { pollWhileLeader } from './leader-polling.ts';

let emu: TestEmulator;
before(async () => {
  emu = await startTestEmulator({ seed: 'connectors-leader-polling', fleet: { tesla: 3, smartcar: 0 } });
});
after(async () => {
  await emu.stop();
});

/** A lease the test hands over, as the PostgreSQL lease does when its holder dies. */
function handoverLease(initial: boolean): LeaderLease & { set(leader: boolean): void } {
  const listeners = new Set<(leader: boolean) => void>();
  const lease = {
    isLeader: initial,
    onChange(listener: (leader: boolean) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    probe: async () => ({ ok: true, detail: '' }),
    stop: async () => {},
    set(leader: boolean) {
      lease.isLeader = leader;
      for (const l of listeners) l(leader);
    },
  };
  return lease;
}

const until = async (what: string, check: () => boolean, timeoutMs = 3_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('only the leader polls; it picks up connections changed elsewhere and hands polling over when it loses the lease', async () => {
  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base });
  try {
    const vehicle = emu.state.fleet.vehicles.find((v) => v.oem === 'tesla')!;
    // Rows written as another process's onboarding would; this runtime is not polling them yet.
    const { vehicles } = await h.connectAccount('tesla', await teslaLogin(emu, vehicle.accountId));
    for (const v of vehicles) await h.runtime.remove(v.connection_id);
    assert.ok(vehicles.length > 0);

    const lease = handoverLease(false);
    const polling = pollWhileLeader({ lease, runtime: h.runtime, store: h.connectors, logger: silentLogger(), reconcileMs: 50 });
    await polling.settled();
    assert.equal(h.runtime.vehicles.size, 0, 'a follower polls nothing');

    lease.set(true);
    await polling.settled();
    assert.deepEqual([...h.runtime.vehicles.keys()].sort(), vehicles.map((v) => v.connection_id).sort(), 'the new leader polls every active connection');

    // Paused by the owner through another process: the leader drops it within a reconcile interval.
    const paused = vehicles[0]!.connection_id;
    await h.connectors.updateVehicle(paused, { state: 'paused', state_reason: 'paused by the owner', updated_at: emu.base.now() });
    await until('the paused connection to leave the polling set', () => !h.runtime.vehicles.has(paused));
    await h.connectors.updateVehicle(paused, { state: 'active', state_reason: null, updated_at: emu.base.now() });
    await until('the resumed connection to come back', () => h.runtime.vehicles.has(paused));

    lease.set(false);
    await polling.settled();
    assert.equal(h.runtime.vehicles.size, 0, 'polling is handed over when the lease is lost');
    await polling.stop();
  } finally {
    await h.close();
  }
});
