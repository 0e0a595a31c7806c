import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, control, findParkedVehicle, http, smartcarConnect, startTestEmulator, teslaLogin } from '../testing.ts';

test('fault injection, clock, call log and billing through the control plane', async (t) => {
  const emu = await startTestEmulator({ fleet: { tesla: 4, smartcar: 4 } });
  t.after(() => emu.stop());
  const tv = emu.state.fleet.vehicles.find((v) => v.oem === 'tesla')!;
  const tAccount = emu.state.fleet.account(tv.accountId)!;
  const tBase = `${emu.urls.tesla[tAccount.region]}/api/1`;
  const tesla = await teslaLogin(emu, tAccount.id);
  const th = { headers: bearer(tesla.access_token) };
  const sv = emu.state.fleet.vehicles.find((v) => v.oem === 'smartcar')!;
  const smartcar = await smartcarConnect(emu, sv.accountId);
  const sh = { headers: bearer(smartcar.access_token) };
  const sBase = `${emu.urls.smartcar.api}/v2.0`;
  t.afterEach(() => control(emu, 'DELETE', '/faults'));

  await t.test('every status renders in each OEM\'s own error shape', async () => {
    const teslaCases: [number, string | RegExp][] = [[401, 'invalid_token'], [403, /missing scopes/], [408, /vehicle unavailable/], [421, 'user out of region'], [429, /rate limited/], [500, 'internal_error'], [502, 'bad gateway'], [503, 'service unavailable'], [504, 'gateway timeout']];
    for (const [status, error] of teslaCases) {
      // Node's fetch (undici) retries a 421 once on a new connection, so that fault must last two requests.
      await control(emu, 'POST', '/faults', { oem: 'tesla', vehicle: tv.key, status, times: status === 421 ? 2 : 1 });
      const res = await http(`${tBase}/vehicles/${tv.oemId}`, th);
      assert.equal(res.status, status);
      assert.equal(res.body.response, null);
      if (typeof error === 'string') assert.equal(res.body.error, error);
      else assert.match(res.body.error, error);
      assert.equal((await http(`${tBase}/vehicles/${tv.oemId}`, th)).status, 200, 'times: 1 — gone after one request');
    }
    const smartcarCases: [number, number, string, string | null][] = [[401, 401, 'AUTHENTICATION', null], [403, 403, 'PERMISSION', null], [408, 409, 'VEHICLE_STATE', 'ASLEEP'], [409, 409, 'VEHICLE_STATE', 'ASLEEP'], [429, 429, 'RATE_LIMIT', 'VEHICLE'], [500, 500, 'SERVER', 'INTERNAL'], [501, 501, 'COMPATIBILITY', 'VEHICLE_NOT_CAPABLE'], [502, 502, 'UPSTREAM', 'UNKNOWN_ISSUE']];
    for (const [asked, status, type, code] of smartcarCases) {
      await control(emu, 'POST', '/faults', { oem: 'smartcar', vehicle: sv.oemId, status: asked, times: 1 });
      const res = await http(`${sBase}/vehicles/${sv.oemId}/odometer`, sh);
      assert.equal(res.status, status);
      assert.equal(res.body.type, type);
      assert.equal(res.body.code, code);
      assert.equal(res.body.statusCode, status);
    }
  });

  await t.test('429 carries Retry-After; the real rate limit answers 429 too', async () => {
    await control(emu, 'POST', '/faults', { vehicle: tv.vin, status: 429, retryAfterS: 17, times: 1 });
    const res = await http(`${tBase}/vehicles/${tv.oemId}/vehicle_data`, th);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '17');
    await control(emu, 'POST', '/faults', { oem: 'smartcar', status: 429, retryAfterS: 42, times: 1 });
    const sres = await http(`${sBase}/vehicles/${sv.oemId}/odometer`, sh);
    assert.equal(sres.headers.get('retry-after'), '42');

    // Tesla allows 3 wake_up calls per vehicle per minute.
    await control(emu, 'POST', '/clock/set', { time: Math.ceil(emu.state.now() / 60_000) * 60_000 + 15_000 });
    for (let i = 0; i < 3; i++) assert.equal((await http(`${tBase}/vehicles/${tv.oemId}/wake_up`, { method: 'POST', ...th })).status, 200);
    const limited = await http(`${tBase}/vehicles/${tv.oemId}/wake_up`, { method: 'POST', ...th });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '45');
    await control(emu, 'POST', '/clock/advance', { seconds: 45 });
    assert.equal((await http(`${tBase}/vehicles/${tv.oemId}/wake_up`, { method: 'POST', ...th })).status, 200);
  });

  await t.test('next N requests with a path filter; per token; until a time', async () => {
    await control(emu, 'POST', '/faults', { path: '/vehicle_data', status: 503, times: 2 });
    assert.equal((await http(`${tBase}/vehicles/${tv.oemId}`, th)).status, 200, 'other paths are untouched');
    assert.equal((await http(`${tBase}/vehicles/${tv.oemId}/vehicle_data`, th)).status, 503);
    assert.equal((await http(`${tBase}/vehicles/${tv.oemId}/vehicle_data`, th)).status, 503);
    assert.notEqual((await http(`${tBase}/vehicles/${tv.oemId}/vehicle_data`, th)).status, 503);
    assert.deepEqual((await control(emu, 'GET', '/faults')).faults, []);

    const other = await teslaLogin(emu, tAccount.id);
    await control(emu, 'POST', '/faults', { token: tesla.access_token, status: 401 });
    assert.equal((await http(`${tBase}/vehicles`, th)).status, 401);
    assert.equal((await http(`${tBase}/vehicles`, th)).status, 401, 'without times it stays');
    assert.equal((await http(`${tBase}/vehicles`, { headers: bearer(other.access_token) })).status, 200);
    await control(emu, 'DELETE', '/faults');

    await control(emu, 'POST', '/faults', { oem: 'smartcar', status: 500, untilMs: emu.state.now() + 60_000 });
    assert.equal((await http(`${sBase}/vehicles`, sh)).status, 500);
    await control(emu, 'POST', '/clock/advance', { minutes: 1 });
    assert.equal((await http(`${sBase}/vehicles`, sh)).status, 200);

    await control(emu, 'POST', '/faults', { api: 'auth', path: '/oauth2/v3/token', status: 503, times: 1 });
    const tok = await http(`${emu.urls.tesla.auth}/oauth2/v3/token`, { method: 'POST', form: { grant_type: 'refresh_token', client_id: 'opendimo-tesla-client', refresh_token: tesla.refresh_token! } });
    assert.equal(tok.status, 503);
  });

  await t.test('slow responses and dropped connections', async () => {
    await control(emu, 'POST', '/faults', { vehicle: tv.key, delayMs: 300, times: 1 });
    const started = performance.now();
    assert.equal((await http(`${tBase}/vehicles/${tv.oemId}`, th)).status, 200);
    assert.ok(performance.now() - started >= 290, 'answered after the delay');
    await control(emu, 'POST', '/faults', { vehicle: tv.key, delayMs: 2000, times: 1 });
    await assert.rejects(fetch(`${tBase}/vehicles/${tv.oemId}`, { ...th, signal: AbortSignal.timeout(200) }), /TimeoutError|aborted/);
    await control(emu, 'POST', '/faults', { vehicle: tv.key, reset: true, times: 1 });
    await assert.rejects(fetch(`${tBase}/vehicles/${tv.oemId}`, th));
    assert.equal((await http(`${tBase}/vehicles/${tv.oemId}`, th)).status, 200);
    const bad = await http(`${emu.urls.control}/_emulator/faults`, { method: 'POST', json: { status: 299 } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'ODM_ERR_VALIDATION');
  });

  await t.test('clock: advance and set move vehicles; reads are consistent with the clock', async () => {
    const before = await control(emu, 'GET', '/clock');
    const after = await control(emu, 'POST', '/clock/advance', { hours: 1, minutes: 30 });
    assert.equal(after.now - before.now, 5_400_000);
    const set = await control(emu, 'POST', '/clock/set', { time: '2026-01-07T08:00:00.000Z' });
    assert.equal(set.iso, '2026-01-07T08:00:00.000Z');
    const v = await control(emu, 'GET', `/vehicles/${tv.key}`);
    assert.equal(v.at, Date.parse('2026-01-07T08:00:00.000Z'));
    assert.ok(v.snapshot.odometerKm >= tv.initial.odometerKm);
    const back = await http(`${emu.urls.control}/_emulator/clock/advance`, { method: 'POST', json: { ms: -1 } });
    assert.equal(back.status, 400);
  });

  await t.test('call log and billing counters', async () => {
    await control(emu, 'DELETE', '/calls');
    await control(emu, 'DELETE', '/billing');
    const parked = findParkedVehicle(emu, 'tesla', 3_600_000);
    const account = emu.state.fleet.account(parked.accountId)!;
    const tok = await teslaLogin(emu, account.id);
    const url = `${emu.urls.tesla[account.region]}/api/1/vehicles/${parked.oemId}`;
    const h = bearer(tok.access_token);
    await http(url, { headers: h });
    await http(`${url}/wake_up`, { method: 'POST', headers: h });
    await control(emu, 'POST', '/clock/advance', { seconds: 30 });
    for (let i = 0; i < 3; i++) assert.equal((await http(`${url}/vehicle_data`, { headers: h })).status, 200);
    await http(`${url}/command/door_lock`, { method: 'POST', headers: h });

    const calls = await control(emu, 'GET', `/calls?vehicle=${parked.oemId}`);
    assert.deepEqual(calls.calls.map((c: { method: string; path: string; status: number }) => `${c.method} ${c.path.replace(parked.oemId, 'ID')} ${c.status}`), [
      'GET /api/1/vehicles/ID 200', 'POST /api/1/vehicles/ID/wake_up 200',
      'GET /api/1/vehicles/ID/vehicle_data 200', 'GET /api/1/vehicles/ID/vehicle_data 200', 'GET /api/1/vehicles/ID/vehicle_data 200',
      'POST /api/1/vehicles/ID/command/door_lock 200',
    ]);
    const first = calls.calls[0];
    assert.equal(first.vehicle, parked.key);
    assert.equal(first.account, account.id);
    assert.equal(first.oem, 'tesla');
    assert.equal(typeof first.at, 'number');
    const bill = await control(emu, 'GET', '/billing');
    assert.deepEqual(bill.tesla.vehicles[parked.key], { data: 3, state: 1, wake: 1, command: 1, auth: 0 });
    assert.equal(bill.tesla.totals.auth, 2, 'the login (authorize + token)');
    const since = await control(emu, 'GET', `/calls?sinceSeq=${calls.calls[4].seq}`);
    assert.equal(since.calls[0].path.endsWith('door_lock'), true);
  });

  await t.test('accounts, vehicles, tokens and reset', async () => {
    const created = await http(`${emu.urls.control}/_emulator/accounts`, { method: 'POST', json: { oem: 'smartcar', region: 'eu', vehicles: 2 } });
    assert.equal(created.status, 201);
    assert.equal(created.body.vehicles.length, 2);
    assert.equal(created.body.region, 'eu');
    const extra = await http(`${emu.urls.control}/_emulator/accounts/${created.body.id}/vehicles`, { method: 'POST' });
    assert.equal(extra.status, 201);
    assert.equal(extra.body.key, `${created.body.id}-v3`);
    const issued = await control(emu, 'POST', '/tokens', { account: created.body.id });
    const list = await http(`${sBase}/vehicles`, { headers: bearer(issued.access_token) });
    assert.equal(list.body.paging.count, 3);
    await control(emu, 'POST', '/tokens/revoke', { account: created.body.id });
    assert.equal((await http(`${sBase}/vehicles`, { headers: bearer(issued.access_token) })).status, 401);
    const refresh = await http(`${emu.urls.smartcar.auth}/oauth/token`, { method: 'POST', form: { grant_type: 'refresh_token', refresh_token: issued.refresh_token, client_id: 'opendimo-smartcar-client', client_secret: 'opendimo-smartcar-secret' } });
    assert.equal(refresh.body.error, 'invalid_grant');
    const grants = await control(emu, 'GET', `/tokens?account=${created.body.id}`);
    assert.equal(grants.grants[0].access[0].status, 'revoked');

    // A revoked Tesla grant: refresh answers login_required.
    await control(emu, 'POST', '/tokens/revoke', { token: tesla.access_token });
    const dead = await http(`${emu.urls.tesla.auth}/oauth2/v3/token`, { method: 'POST', form: { grant_type: 'refresh_token', client_id: 'opendimo-tesla-client', refresh_token: tesla.refresh_token! } });
    assert.equal(dead.status, 401);
    assert.equal(dead.body.error, 'login_required');

    await control(emu, 'POST', `/vehicles/${tv.key}/connectivity`, { offline: true });
    assert.equal((await control(emu, 'GET', `/vehicles/${tv.vin}`)).connectivity, 'offline');
    const reset = await control(emu, 'POST', '/reset');
    assert.equal(reset.vehicles, emu.state.fleet.vehicles.length);
    assert.equal((await control(emu, 'GET', '/accounts?oem=smartcar')).count, 4);
    assert.equal((await control(emu, 'GET', '/calls')).count, 0);
    assert.equal((await control(emu, 'GET', `/vehicles/${tv.key}`)).interaction.forcedOffline, false);
    assert.equal((await control(emu, 'GET', '/clock')).offsetMs, 0);
  });
});
