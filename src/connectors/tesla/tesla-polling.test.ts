// The Tesla polling state machine over real HTTP against the emulator, on its manual clock: it never
// wakes a car, checks sleeping cars cheaply, lets a parked car fall asleep, and polls faster while the
// car drives. Every assertion reads the emulator's call log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CallRecord } from '../../../emulator/index.ts';
import { bearer, control, findDrivingMoment, findParkedVehicle, http, startTestEmulator, teslaLogin, type TestEmulator } from '../../../emulator/testing.ts';
import { startConnectorHarness } from '../testing.ts';

let emu: TestEmulator;
before(async () => {
  emu = await startTestEmulator({ seed: 'connectors-tesla-polling', fleet: { tesla: 12, smartcar: 0 } });
});
after(async () => {
  await emu.stop();
});

async function calls(vehicleKey: string, sinceSeq = 0): Promise<CallRecord[]> {
  return (await control<{ calls: CallRecord[] }>(emu, 'GET', `/calls?vehicle=${vehicleKey}&sinceSeq=${sinceSeq}&limit=100000`)).calls;
}

async function lastSeq(): Promise<number> {
  const r = await control<{ calls: CallRecord[] }>(emu, 'GET', '/calls?limit=1');
  return r.calls.at(-1)?.seq ?? 0;
}

const isData = (c: CallRecord) => c.path.endsWith('/vehicle_data');
const isWake = (c: CallRecord) => c.path.endsWith('/wake_up');
const isState = (c: CallRecord) => /^\/api\/1\/vehicles\/[^/]+$/.test(c.path);

test('a sleeping car is never woken: hours of cheap state checks, no wake_up, no vehicle_data', async () => {
  const vehicle = findParkedVehicle(emu, 'tesla', 5 * 3_600_000);
  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base });
  try {
    const since = await lastSeq();
    await h.connectAccount('tesla', await teslaLogin(emu, vehicle.accountId));
    await h.advance(4 * 3_600_000, 60_000);
    const log = await calls(vehicle.key, since);
    assert.equal(log.filter(isWake).length, 0, 'no wake_up in the data path');
    assert.equal(emu.state.connectivity(vehicle, emu.base.now()), 'asleep');
    // Whatever data calls there were came before the car slept (at most one, if it was still awake).
    const asleepFrom = log.find((c) => isState(c) && c.status === 200 && emu.state.connectivity(vehicle, c.at) === 'asleep')?.at ?? Infinity;
    assert.ok(log.filter(isData).every((c) => c.at < asleepFrom), 'no vehicle_data while asleep');
    assert.ok(log.filter(isData).length <= 1);
    // Checked about once a minute, never more often.
    const states = log.filter(isState);
    assert.ok(states.length >= 230 && states.length <= 241, `state checks: ${states.length}`);
    for (let i = 1; i < states.length; i++) assert.ok(states[i]!.at - states[i - 1]!.at >= 60_000);
    const v = [...h.runtime.vehicles.values()].find((x) => x.oemVehicleId === vehicle.oemId)!;
    assert.equal(v.state, 'asleep');
  } finally {
    await h.close();
  }
});

test('a parked car is allowed to fall asleep: no vehicle_data for more than 15 minutes after parking', async () => {
  const vehicle = findParkedVehicle(emu, 'tesla', 2 * 3_600_000);
  // The owner opens the Tesla app (not us): the car wakes and is online, parked.
  const own = await control<{ access_token: string }>(emu, 'POST', '/tokens', { account: vehicle.accountId });
  const base = emu.urls.tesla[vehicle.region];
  await http(`${base}/api/1/vehicles/${vehicle.oemId}/wake_up`, { method: 'POST', headers: bearer(own.access_token) });
  emu.base.advance(15_000);
  assert.equal(emu.state.connectivity(vehicle, emu.base.now()), 'online');

  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base });
  try {
    const since = await lastSeq();
    const t0 = emu.base.now();
    await h.connectAccount('tesla', await teslaLogin(emu, vehicle.accountId));
    await h.runtime.runDue();
    const v = [...h.runtime.vehicles.values()].find((x) => x.oemVehicleId === vehicle.oemId)!;
    assert.equal(v.state, 'parked');
    await h.advance(2 * 3_600_000, 60_000);
    const log = await calls(vehicle.key, since);
    const data = log.filter(isData);
    assert.equal(data.length, 1, 'one vehicle_data call, when it was found online, then none');
    assert.equal(data[0]!.at, t0);
    // The emulator let it sleep 15 minutes after that call; we saw it with a state check.
    const asleep = log.find((c) => isState(c) && c.at > t0 && emu.state.connectivity(vehicle, c.at) === 'asleep');
    assert.ok(asleep && asleep.at - t0 <= 16 * 60_000, 'asleep within the sleep window');
    assert.equal(log.filter(isWake).length, 0);
    assert.equal(v.state, 'asleep');
  } finally {
    await h.close();
  }
});

test('a driving car is polled every 30 s with vehicle_data, then left to sleep once parked', async () => {
  const { vehicle, at } = findDrivingMoment(emu, 'tesla');
  emu.base.set(at);
  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base });
  try {
    const since = await lastSeq();
    await h.connectAccount('tesla', await teslaLogin(emu, vehicle.accountId));
    await h.advance(90 * 60_000, 10_000);
    const data = (await calls(vehicle.key, since)).filter(isData);
    const driving = data.filter((c) => emu.state.snapshot(vehicle, c.at).activity === 'driving');
    assert.ok(driving.length >= 4, `data calls while driving: ${driving.length}`);
    for (let i = 1; i < data.length; i++) {
      const gap = data[i]!.at - data[i - 1]!.at;
      if (emu.state.snapshot(vehicle, data[i - 1]!.at).activity === 'driving') assert.equal(gap, 30_000, 'every 30 s while driving');
      else assert.ok(gap > 15 * 60_000, 'parked: more than 15 minutes between data calls');
    }
    // Each driving poll stored a record of its own (distinct data times).
    assert.ok(h.runtime.stats.events.emitted >= driving.length);
    assert.equal(h.runtime.stats.events.rejected, 0);
  } finally {
    await h.close();
  }
});
