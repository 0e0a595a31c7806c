import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmToMiles, kpaToPsi, litresToGallons, round } from '../core/units.ts';
import { bearer, control, http, REDIRECT_URI, smartcarBasic, smartcarConnect, startTestEmulator } from '../testing.ts';

test('Smartcar API over HTTP', async (t) => {
  const emu = await startTestEmulator({ fleet: { tesla: 0, smartcar: 14 } });
  t.after(() => emu.stop());
  const api = `${emu.urls.smartcar.api}/v2.0`;
  const token = (form: Record<string, string>) => http(`${emu.urls.smartcar.auth}/oauth/token`, { method: 'POST', headers: { authorization: smartcarBasic() }, form });

  await t.test('Connect: consent page, auto approve with login_hint, code exchange', async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: 'opendimo-smartcar-client', redirect_uri: REDIRECT_URI, scope: 'required:read_odometer read_vehicle_info', state: 'abc', mode: 'simulated' });
    const page = await http(`${emu.urls.smartcar.connect}/oauth/authorize?${q}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Smartcar/);
    const auto = await http(`${emu.urls.smartcar.connect}/oauth/authorize?${q}&login_hint=smartcar-0001&auto=1`);
    assert.equal(auto.status, 302);
    const back = new URL(auto.headers.get('location')!);
    assert.equal(back.searchParams.get('state'), 'abc');
    const res = await token({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT_URI });
    assert.equal(res.status, 200);
    assert.equal(res.body.expires_in, 7200);
    assert.match(res.body.access_token, /^[0-9a-f-]{36}$/);
    const perms = await http(`${api}/vehicles/${emu.state.fleet.vehiclesOf(emu.state.fleet.account('smartcar-0001')!)[0]!.oemId}/permissions`, { headers: bearer(res.body.access_token) });
    assert.deepEqual(perms.body.permissions, ['read_odometer', 'read_vehicle_info']);
    const badClient = await http(`${emu.urls.smartcar.auth}/oauth/token`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('opendimo-smartcar-client:wrong').toString('base64')}` }, form: { grant_type: 'refresh_token', refresh_token: res.body.refresh_token } });
    assert.equal(badClient.status, 401);
    assert.equal(badClient.body.error, 'invalid_client');
  });

  await t.test('a used refresh token works for 60 s more, then invalid_grant; access lasts 2 h', async () => {
    const first = await smartcarConnect(emu, 'smartcar-0002');
    const a = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(a.status, 200);
    await control(emu, 'POST', '/clock/advance', { seconds: 59 });
    const b = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(b.status, 200, 'still valid 59 s after first use');
    await control(emu, 'POST', '/clock/advance', { seconds: 1 });
    const c = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(c.status, 400);
    assert.equal(c.body.error, 'invalid_grant');
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: a.body.refresh_token })).status, 200);

    const list = (tok: string) => http(`${api}/vehicles`, { headers: bearer(tok) });
    assert.equal((await list(b.body.access_token)).status, 200);
    await control(emu, 'POST', '/clock/advance', { hours: 2 });
    const expired = await list(b.body.access_token);
    assert.equal(expired.status, 401);
    assert.equal(expired.body.type, 'AUTHENTICATION');
    assert.equal(expired.body.statusCode, 401);
    assert.equal(expired.body.requestId, expired.headers.get('sc-request-id'));
    assert.ok(expired.body.docURL.startsWith('https://smartcar.com/docs/errors/'));
    assert.deepEqual(Object.keys(expired.body).sort(), ['code', 'description', 'docURL', 'requestId', 'resolution', 'statusCode', 'type']);
  });

  await t.test('vehicles list pages with limit and offset; info endpoints', async () => {
    const account = emu.state.fleet.createAccount({ oem: 'smartcar', vehicles: 3 });
    const tokens = await smartcarConnect(emu, account.email);
    const p1 = await http(`${api}/vehicles?limit=2`, { headers: bearer(tokens.access_token) });
    assert.deepEqual(p1.body.paging, { count: 3, offset: 0 });
    assert.equal(p1.body.vehicles.length, 2);
    const p2 = await http(`${api}/vehicles?limit=2&offset=2`, { headers: bearer(tokens.access_token) });
    assert.deepEqual(p2.body.paging, { count: 3, offset: 2 });
    const ids = [...p1.body.vehicles, ...p2.body.vehicles];
    assert.deepEqual(ids, emu.state.fleet.vehiclesOf(account).map((v) => v.oemId));
    const v = emu.state.fleet.vehicle(ids[0]!)!;
    const info = await http(`${api}/vehicles/${v.oemId}`, { headers: bearer(tokens.access_token) });
    assert.deepEqual(info.body, { id: v.oemId, make: v.make.toUpperCase(), model: v.model, year: v.year });
    assert.deepEqual((await http(`${api}/vehicles/${v.oemId}/vin`, { headers: bearer(tokens.access_token) })).body, { vin: v.vin });
    const other = emu.state.fleet.vehiclesOf(emu.state.fleet.account('smartcar-0001')!)[0]!;
    const notMine = await http(`${api}/vehicles/${other.oemId}/odometer`, { headers: bearer(tokens.access_token) });
    assert.equal(notMine.status, 401);
  });

  const ice = emu.state.fleet.vehicles.find((v) => v.oem === 'smartcar' && v.spec.powertrain === 'ice' && !v.spec.lacks?.includes('tires'));
  const bev = emu.state.fleet.vehicles.find((v) => v.oem === 'smartcar' && v.spec.powertrain === 'bev');

  await t.test('SC-Unit-System metric vs imperial, to the digit (km↔mi, kPa↔psi, l↔gal), with SC-Data-Age', async () => {
    assert.ok(ice && bev, 'the fleet has a combustion car with tire pressure and a BEV');
    for (const v of [ice!, bev!]) {
      const tokens = await smartcarConnect(emu, v.accountId);
      const get = (path: string, units: string) => http(`${api}/vehicles/${v.oemId}${path}`, { headers: { ...bearer(tokens.access_token), 'sc-unit-system': units } });
      const metric = await get('/odometer', 'metric');
      const imperial = await get('/odometer', 'imperial');
      assert.equal(metric.headers.get('sc-unit-system'), 'metric');
      assert.equal(imperial.headers.get('sc-unit-system'), 'imperial');
      const dataAge = metric.headers.get('sc-data-age')!;
      assert.match(dataAge, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const truth = (await control(emu, 'GET', `/vehicles/${v.key}?at=${Date.parse(dataAge)}`)).snapshot;
      assert.equal(metric.body.distance, round(truth.odometerKm, 2));
      assert.equal(imperial.body.distance, round(kmToMiles(truth.odometerKm), 2));
      if (v === ice) {
        const [tm, ti] = [await get('/tires/pressure', 'metric'), await get('/tires/pressure', 'imperial')];
        assert.equal(tm.body.frontLeft, round(truth.tiresKpa[0], 2));
        assert.equal(ti.body.frontLeft, round(kpaToPsi(truth.tiresKpa[0]), 2));
        assert.equal(ti.body.backRight, round(kpaToPsi(truth.tiresKpa[3]), 2));
        const [fm, fi] = [await get('/fuel', 'metric'), await get('/fuel', 'imperial')];
        assert.equal(fm.body.amountRemaining, round(truth.energy, 2));
        assert.equal(fi.body.amountRemaining, round(litresToGallons(truth.energy), 2));
        assert.equal(fm.body.range, round(truth.rangeKm, 1));
        assert.equal(fi.body.range, round(kmToMiles(truth.rangeKm), 1));
        assert.equal(fm.body.percentRemaining, round(truth.energyPct / 100, 4));
        const oil = await get('/engine/oil', 'metric');
        assert.equal(oil.body.lifeRemaining, round(truth.oilLifePct / 100, 4));
        assert.equal((await get('/battery', 'metric')).status, 501);
      } else {
        const [bm, bi] = [await get('/battery', 'metric'), await get('/battery', 'imperial')];
        assert.equal(bm.body.percentRemaining, round(truth.energyPct / 100, 4));
        assert.equal(bm.body.range, round(truth.rangeKm, 1));
        assert.equal(bi.body.range, round(kmToMiles(truth.rangeKm), 1));
        const charge = await get('/charge', 'metric');
        assert.equal(charge.body.isPluggedIn, truth.plugged);
        assert.ok(['CHARGING', 'FULLY_CHARGED', 'NOT_CHARGING'].includes(charge.body.state));
        const notCapable = await get('/fuel', 'metric');
        assert.equal(notCapable.status, 501);
        assert.equal(notCapable.body.type, 'COMPATIBILITY');
        assert.equal(notCapable.body.code, 'VEHICLE_NOT_CAPABLE');
      }
      const loc = await get('/location', 'metric');
      assert.deepEqual(loc.body, { latitude: round(truth.latitude, 6), longitude: round(truth.longitude, 6) });
    }
  });

  await t.test('batch answers each path with its own status, including a failing item', async () => {
    const tokens = await smartcarConnect(emu, bev!.accountId);
    await control(emu, 'POST', '/faults', { oem: 'smartcar', path: `/v2.0/vehicles/${bev!.oemId}/location`, status: 500, times: 1 });
    const res = await http(`${api}/vehicles/${bev!.oemId}/batch`, {
      method: 'POST', headers: { ...bearer(tokens.access_token), 'sc-unit-system': 'imperial' },
      json: { requests: [{ path: '/odometer' }, { path: '/battery' }, { path: '/fuel' }, { path: '/location' }, { path: '/nope' }] },
    });
    assert.equal(res.status, 200);
    const byPath = Object.fromEntries(res.body.responses.map((r: { path: string }) => [r.path, r]));
    assert.deepEqual(res.body.responses.map((r: { path: string }) => r.path), ['/odometer', '/battery', '/fuel', '/location', '/nope']);
    assert.equal(byPath['/odometer'].code, 200);
    assert.equal(byPath['/odometer'].headers['sc-unit-system'], 'imperial');
    assert.ok(byPath['/odometer'].headers['sc-data-age']);
    assert.equal(byPath['/battery'].code, 200);
    assert.equal(byPath['/fuel'].code, 501);
    assert.equal(byPath['/fuel'].body.code, 'VEHICLE_NOT_CAPABLE');
    assert.equal(byPath['/location'].code, 500);
    assert.equal(byPath['/location'].body.type, 'SERVER');
    assert.equal(byPath['/nope'].code, 404);
    const bill = await control(emu, 'GET', '/billing');
    assert.ok(bill.smartcar.vehicles[bev!.key].data >= 2, 'successful batch items are billed one by one');
  });

  await t.test('permissions: a missing scope is 403 PERMISSION; lock and unlock; disconnect', async () => {
    const tokens = await smartcarConnect(emu, bev!.accountId, 'read_vehicle_info read_odometer');
    const h = bearer(tokens.access_token);
    const denied = await http(`${api}/vehicles/${bev!.oemId}/location`, { headers: h });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.type, 'PERMISSION');
    const lockDenied = await http(`${api}/vehicles/${bev!.oemId}/security`, { method: 'POST', headers: h, json: { action: 'UNLOCK' } });
    assert.equal(lockDenied.status, 403);
    const full = await smartcarConnect(emu, bev!.accountId);
    const fh = bearer(full.access_token);
    const unlock = await http(`${api}/vehicles/${bev!.oemId}/security`, { method: 'POST', headers: fh, json: { action: 'UNLOCK' } });
    assert.deepEqual(unlock.body, { status: 'success', message: 'Successfully sent request to vehicle' });
    assert.equal((await http(`${api}/vehicles/${bev!.oemId}/security`, { headers: fh })).body.isLocked, false);
    const gone = await http(`${api}/vehicles/${bev!.oemId}/application`, { method: 'DELETE', headers: fh });
    assert.equal(gone.status, 200);
    assert.equal((await http(`${api}/vehicles/${bev!.oemId}/odometer`, { headers: fh })).status, 401);
  });
});
