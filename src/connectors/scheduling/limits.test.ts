// Limits and errors over real HTTP against the emulator's fault injection: Retry-After per vehicle and
// category and for the whole app, 5xx and timeouts retried with backoff without duplicate records,
// Smartcar batch items failing on their own, 501 paths dropped, 408 → asleep.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { CallRecord, Fault } from '../../../emulator/index.ts';
import { control, findDrivingMoment, findParkedVehicle, smartcarConnect, startTestEmulator, teslaLogin, type TestEmulator } from '../../../emulator/testing.ts';
import type { VehicleProfile } from '../../../emulator/fleet/fleet.ts';
import { startConnectorHarness, type ConnectorHarness } from '../testing.ts';

let emu: TestEmulator;
before(async () => {
  emu = await startTestEmulator({ seed: 'connectors-limits', fleet: { tesla: 12, smartcar: 12 } });
});
after(async () => {
  await emu.stop();
});
afterEach(async () => {
  await control(emu, 'DELETE', '/faults');
});

/** The first moment from now some vehicle of `oem` drives without stopping for `forMs`. */
function drivingFor(oem: 'tesla' | 'smartcar', forMs: number): { vehicle: VehicleProfile; at: number } {
  const t0 = emu.base.now();
  for (let t = t0; t < t0 + 3 * 86_400_000; t += 60_000) {
    for (const v of emu.state.fleet.vehicles) {
      if (v.oem !== oem) continue;
      let ok = true;
      for (let u = t; u <= t + forMs && ok; u += 10_000) ok = emu.state.snapshot(v, u).activity === 'driving';
      if (ok) return { vehicle: v, at: t };
    }
  }
  throw new Error(`no ${oem} vehicle drives for ${forMs} ms`);
}

async function calls(query: string, sinceSeq: number): Promise<CallRecord[]> {
  return (await control<{ calls: CallRecord[] }>(emu, 'GET', `/calls?sinceSeq=${sinceSeq}&limit=100000&${query}`)).calls;
}
async function lastSeq(): Promise<number> {
  return (await control<{ calls: CallRecord[] }>(emu, 'GET', '/calls?limit=1')).calls.at(-1)?.seq ?? 0;
}
/** Jitter pinned to its maximum so backoff delays are exact (5 s, 10 s, 20 s…). */
const harness = (extra: Partial<Parameters<typeof startConnectorHarness>[0]> = {}) => startConnectorHarness({ urls: emu.urls, clock: emu.base, random: () => 1, ...extra });

async function stored(h: ConnectorHarness, vehicleId: string) {
  await h.ingest.vault.flush();
  return h.ingest.vault.reader.events(vehicleId, 1);
}

function tokenOf(h: ConnectorHarness, oemVehicleId: string): string {
  for (const v of h.runtime.vehicles.values()) if (v.oemVehicleId === oemVehicleId) return v.target.vehicleTokenId;
  throw new Error(`vehicle ${oemVehicleId} is not polled`);
}

test('429 on data honours Retry-After for that vehicle and category: no data call before it', async () => {
  const { vehicle, at } = findDrivingMoment(emu, 'tesla');
  emu.base.set(at);
  const h = await harness();
  try {
    await h.connectAccount('tesla', await teslaLogin(emu, vehicle.accountId));
    await h.runtime.runDue();
    const seq = await lastSeq();
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, path: '/vehicle_data', status: 429, retryAfterS: 95, times: 1 });
    await h.advance(5 * 60_000, 5_000);
    const data = (await calls(`vehicle=${vehicle.key}`, seq)).filter((c) => c.path.endsWith('/vehicle_data'));
    assert.equal(data[0]!.status, 429);
    assert.equal(data[1]!.at - data[0]!.at, 95_000, 'the next data call exactly when Retry-After ends');
    assert.equal(data[1]!.status, 200);
  } finally {
    await h.close();
  }
});

test("an app-wide limit holds back every vehicle of that OEM, and only that OEM", async () => {
  const h = await harness();
  try {
    const accounts = emu.state.fleet.accounts.filter((a) => a.oem === 'smartcar').slice(0, 2);
    const t0 = emu.base.now();
    await h.connectAccount('smartcar', await smartcarConnect(emu, accounts[0]!.id), { at: t0 });
    await h.connectAccount('smartcar', await smartcarConnect(emu, accounts[1]!.id), { at: t0 + 60_000 });
    const tesla = findParkedVehicle(emu, 'tesla', 3_600_000);
    await h.connectAccount('tesla', await teslaLogin(emu, tesla.accountId));
    await h.advance(2 * 60_000, 10_000);
    const seq = await lastSeq();
    await control(emu, 'POST', '/faults', {
      oem: 'smartcar', api: 'api', status: 429, retryAfterS: 600, times: 1,
      body: { type: 'RATE_LIMIT', code: 'SMARTCAR_API', description: 'You have reached the rate limit for your application.', statusCode: 429, resolution: { type: 'RETRY_LATER' } },
    });
    await h.advance(20 * 60_000, 10_000);
    const sc = await calls('oem=smartcar', seq);
    const limited = sc.find((c) => c.status === 429)!;
    assert.ok(limited, 'the app limit was hit');
    const during = sc.filter((c) => c.at > limited.at && c.at < limited.at + 600_000);
    assert.deepEqual(during, [], 'no Smartcar call while the app is limited');
    assert.ok(sc.some((c) => c.at >= limited.at + 600_000 && c.status === 200), 'calls resume after Retry-After');
    const teslaCalls = (await calls('oem=tesla', seq)).filter((c) => c.at > limited.at && c.at < limited.at + 600_000);
    assert.ok(teslaCalls.length >= 9, 'Tesla is not held back');
  } finally {
    await h.close();
  }
});

test('5xx answers and timeouts are retried with exponential backoff, and no record is stored twice', async () => {
  const { vehicle, at } = drivingFor('tesla', 4 * 60_000);
  emu.base.set(at);
  const h = await harness({ timeoutMs: 300 });
  try {
    await h.connectAccount('tesla', await teslaLogin(emu, vehicle.accountId));
    await h.runtime.runDue();
    // Every attempt at vehicle_data as the connector saw it (a timed-out one never reaches the call log).
    const attempts: Array<{ at: number; outcome: string }> = [];
    const data = h.tesla.vehicleData.bind(h.tesla);
    h.tesla.vehicleData = async (...args) => {
      const t = emu.base.now();
      try {
        const res = await data(...args);
        attempts.push({ at: t, outcome: String(res.status) });
        return res;
      } catch (err) {
        attempts.push({ at: t, outcome: (err as { code?: string }).code ?? 'error' });
        throw err;
      }
    };
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, path: '/vehicle_data', status: 503, times: 2 });
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, path: '/vehicle_data', status: 500, times: 1 });
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, path: '/vehicle_data', delayMs: 1_000, times: 1 });
    await h.advance(3 * 60_000, 1_000);
    assert.deepEqual(attempts.slice(0, 6).map((a) => a.outcome), ['503', '503', '500', 'ODM_ERR_OEM_TIMEOUT', '200', '200']);
    const gaps = attempts.slice(1, 6).map((a, i) => a.at - attempts[i]!.at);
    assert.deepEqual(gaps, [5_000, 10_000, 20_000, 40_000, 30_000], 'backoff doubles after each failure, then the driving cadence');

    // Records: one per successful call, each with its own data time.
    const events = await stored(h, tokenOf(h, vehicle.oemId));
    const times = events.map((e) => e.time);
    assert.equal(new Set(times).size, times.length, 'no record stored twice');
    assert.equal(events.length, attempts.filter((a) => a.outcome === '200').length + 1);
    assert.equal(h.runtime.stats.events.duplicate, 0);
  } finally {
    await h.close();
  }
});

test('a parked Smartcar car polled again and again (and retried after 5xx) yields its record once', async () => {
  const vehicle = emu.state.fleet.vehicles.find((v) => v.oem === 'smartcar' && emu.state.snapshot(v, emu.base.now()).activity === 'parked')!;
  const h = await harness();
  try {
    await h.connectAccount('smartcar', await smartcarConnect(emu, vehicle.accountId));
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, path: '/batch', status: 502, times: 2 });
    await h.advance(30 * 60_000, 5_000);
    const v = [...h.runtime.vehicles.values()].find((x) => x.oemVehicleId === vehicle.oemId)!;
    assert.equal(v.state, 'parked');
    const events = await stored(h, v.target.vehicleTokenId);
    assert.equal(events.length, 1, 'one record for one data age');
    assert.ok(h.runtime.stats.events.nothing_new >= 5, 'later polls found nothing new');
  } finally {
    await h.close();
  }
});

test('Smartcar batch: a failing item does not sink the others; it alone is retried', async () => {
  const vehicle = emu.state.fleet.vehicles.find((v) => v.oem === 'smartcar' && v.spec.powertrain === 'bev' && emu.state.snapshot(v, emu.base.now()).activity === 'parked') as VehicleProfile;
  const h = await harness();
  try {
    await h.connectAccount('smartcar', await smartcarConnect(emu, vehicle.accountId));
    const seq = await lastSeq();
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, path: '/odometer', status: 500, times: 1 });
    h.capture = true;
    await h.advance(15 * 60_000, 5_000);
    const docs = h.sent.map((d) => JSON.parse(d) as { subject: string; data: { signals: Array<{ name: string }> } }).filter((d) => d.subject.endsWith(`:${tokenOf(h, vehicle.oemId)}`));
    assert.equal(docs.length, 2, 'the record of the good items, then the retried item');
    const first = docs[0]!.data.signals.map((s) => s.name);
    const second = docs[1]!.data.signals.map((s) => s.name);
    assert.ok(!first.includes('powertrainTransmissionTravelledDistance') && first.includes('powertrainTractionBatteryStateOfChargeCurrent'));
    assert.deepEqual(second, ['powertrainTransmissionTravelledDistance']);
    const batches = (await calls(`vehicle=${vehicle.key}&path=/batch`, seq)).map((c) => c.at);
    assert.equal(batches[1]! - batches[0]!, 5_000, 'the failed item came back after a short backoff');
    const odometer = await (async () => {
      await h.ingest.vault.flush();
      return h.ingest.vault.reader.series(tokenOf(h, vehicle.oemId), 1, 'powertrainTransmissionTravelledDistance');
    })();
    assert.equal(odometer.ts.length, 1);
  } finally {
    await h.close();
  }
});

test('501 (not capable) drops that path for the vehicle: it is never asked again', async () => {
  const vehicle = emu.state.fleet.vehicles.find((v) => v.oem === 'smartcar' && v.spec.powertrain === 'bev' && v.spec.lacks?.includes('fuel')) as VehicleProfile;
  const h = await harness();
  try {
    await h.connectAccount('smartcar', await smartcarConnect(emu, vehicle.accountId));
    const seq = await lastSeq();
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, path: '/location', status: 501 });
    await h.advance(40 * 60_000, 60_000);
    const v = [...h.runtime.vehicles.values()].find((x) => x.oemVehicleId === vehicle.oemId)!;
    assert.ok(v.dropped.has('/fuel') && v.dropped.has('/location'));
    const row = await h.connectors.getVehicle(v.connectionId);
    assert.deepEqual(JSON.parse(row!.dropped_paths), [...v.dropped].sort());
    const faults = (await control<{ faults: Fault[] }>(emu, 'GET', '/faults')).faults;
    const hit = faults.find((f) => f.vehicle === vehicle.key && f.path === '/location')!;
    const polls = (await calls(`vehicle=${vehicle.key}&path=/batch`, seq)).length;
    assert.ok(polls >= 5);
    assert.equal(hit.hits, 1, `asked for /location once in ${polls} polls`);
  } finally {
    await h.close();
  }
});

test('408 on vehicle_data means asleep: the next call is a state check, never a wake_up', async () => {
  const { vehicle, at } = drivingFor('tesla', 4 * 60_000);
  emu.base.set(at);
  const h = await harness();
  try {
    await h.connectAccount('tesla', await teslaLogin(emu, vehicle.accountId));
    await h.runtime.runDue();
    const seq = await lastSeq();
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, path: '/vehicle_data', status: 408, times: 1 });
    await h.advance(3 * 60_000, 10_000);
    const log = await calls(`vehicle=${vehicle.key}`, seq);
    const kinds = log.slice(0, 3).map((c) => `${c.path.endsWith('/vehicle_data') ? 'data' : 'state'} ${c.status}`);
    assert.deepEqual(kinds, ['data 408', 'state 200', 'data 200']);
    assert.equal(log[1]!.at - log[0]!.at, 60_000);
    assert.equal(log.filter((c) => c.path.endsWith('/wake_up')).length, 0);
  } finally {
    await h.close();
  }
});
