import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmToMiles, kphToMph, kpaToBar, round } from '../core/units.ts';
import { bearer, control, findDrivingMoment, findParkedVehicle, http, REDIRECT_URI, startTestEmulator, teslaLogin } from '../testing.ts';

const CLIENT = { client_id: 'opendimo-tesla-client', client_secret: 'opendimo-tesla-secret' };

test('Tesla Fleet API over HTTP', async (t) => {
  const emu = await startTestEmulator({ fleet: { tesla: 6, smartcar: 0 } });
  t.after(() => emu.stop());
  const base = (account: string) => emu.urls.tesla[emu.state.fleet.account(account)!.region];

  await t.test('authorization code flow: login page, auto login, code exchange, JWT with scopes', async () => {
    const q = new URLSearchParams({ response_type: 'code', client_id: CLIENT.client_id, redirect_uri: REDIRECT_URI, scope: 'openid offline_access vehicle_device_data', state: 's1' });
    const page = await http(`${emu.urls.tesla.auth}/oauth2/v3/authorize?${q}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<form method="post" action="\/oauth2\/v3\/authorize">/);
    assert.match(page.body, /driver0001@tesla\.emulator\.test/);

    // The form post, as a browser would send it.
    const posted = await http(`${emu.urls.tesla.auth}/oauth2/v3/authorize`, { method: 'POST', form: { ...Object.fromEntries(q), account: 'driver0002@tesla.emulator.test', decision: 'approve' } });
    assert.equal(posted.status, 302);
    const back = new URL(posted.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT_URI);
    assert.equal(back.searchParams.get('state'), 's1');
    assert.equal(back.searchParams.get('issuer'), 'https://auth.tesla.com/oauth2/v3');
    const code = back.searchParams.get('code')!;

    const wrongRedirect = await http(`${emu.urls.tesla.auth}/oauth2/v3/token`, { method: 'POST', form: { grant_type: 'authorization_code', ...CLIENT, code, redirect_uri: 'http://127.0.0.1:9/other' } });
    assert.equal(wrongRedirect.status, 400);
    assert.equal(wrongRedirect.body.error, 'invalid_redirect_url');
    const token = await http(`${emu.urls.tesla.auth}/oauth2/v3/token`, { method: 'POST', json: { grant_type: 'authorization_code', ...CLIENT, code, redirect_uri: REDIRECT_URI } });
    assert.equal(token.status, 200);
    assert.equal(token.body.expires_in, 28800);
    assert.equal(token.body.token_type, 'Bearer');
    assert.match(token.body.refresh_token, /^(NA|EU)_[0-9a-f]{64}$/);
    const claims = JSON.parse(Buffer.from(token.body.access_token.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims.scp, ['openid', 'offline_access', 'vehicle_device_data']);
    assert.equal(claims.exp - claims.iat, 28800);

    const again = await http(`${emu.urls.tesla.auth}/oauth2/v3/token`, { method: 'POST', form: { grant_type: 'authorization_code', ...CLIENT, code, redirect_uri: REDIRECT_URI } });
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_auth_code');

    const denied = await http(`${emu.urls.tesla.auth}/oauth2/v3/authorize?${q}&auto=deny`);
    assert.equal(new URL(denied.headers.get('location')!).searchParams.get('error'), 'access_denied');
    const noOffline = await teslaLogin(emu, 'tesla-0003', 'openid vehicle_device_data');
    assert.equal(noOffline.refresh_token, undefined, 'no refresh token without offline_access');
  });

  await t.test('refresh tokens rotate and are single-use: reuse answers 401 login_required', async () => {
    const first = await teslaLogin(emu, 'tesla-0001');
    const refresh = (token: string) => http(`${emu.urls.tesla.auth}/oauth2/v3/token`, { method: 'POST', form: { grant_type: 'refresh_token', client_id: CLIENT.client_id, refresh_token: token } });
    const second = await refresh(first.refresh_token!);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.notEqual(second.body.access_token, first.access_token);
    const reuse = await refresh(first.refresh_token!);
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.error, 'login_required');
    assert.equal((await refresh(second.body.refresh_token)).status, 200, 'the rotated token works once');
    // The old access token stays valid until it expires.
    assert.equal((await http(`${base('tesla-0001')}/api/1/vehicles`, { headers: bearer(first.access_token) })).status, 200);
  });

  await t.test('access tokens expire after 8 h of emulator time; refreshing recovers', async () => {
    const tokens = await teslaLogin(emu, 'tesla-0001');
    const list = (token: string) => http(`${base('tesla-0001')}/api/1/vehicles`, { headers: bearer(token) });
    await control(emu, 'POST', '/clock/advance', { hours: 7.99 });
    assert.equal((await list(tokens.access_token)).status, 200);
    await control(emu, 'POST', '/clock/advance', { minutes: 1 });
    const expired = await list(tokens.access_token);
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error, 'token_expired');
    const fresh = await http(`${emu.urls.tesla.auth}/oauth2/v3/token`, { method: 'POST', form: { grant_type: 'refresh_token', client_id: CLIENT.client_id, refresh_token: tokens.refresh_token! } });
    assert.equal((await list(fresh.body.access_token)).status, 200);
    assert.equal((await list('not-a-token')).status, 401);
  });

  await t.test('vehicle list pages with page and per_page; the wrong region answers 421', async () => {
    const account = emu.state.fleet.createAccount({ oem: 'tesla', vehicles: 3, region: 'eu' });
    const tokens = await teslaLogin(emu, account.id);
    const page1 = await http(`${emu.urls.tesla.eu}/api/1/vehicles?page=1&per_page=2`, { headers: bearer(tokens.access_token) });
    assert.equal(page1.status, 200);
    assert.equal(page1.body.response.length, 2);
    assert.deepEqual(page1.body.pagination, { previous: null, next: 2, current: 1, per_page: 2, count: 3, pages: 2 });
    assert.equal(page1.body.count, 3);
    const page2 = await http(`${emu.urls.tesla.eu}/api/1/vehicles?page=2&per_page=2`, { headers: bearer(tokens.access_token) });
    assert.equal(page2.body.response.length, 1);
    assert.equal(page2.body.pagination.next, null);
    const ids = [...page1.body.response, ...page2.body.response].map((v: { id_s: string }) => v.id_s);
    assert.deepEqual(ids, emu.state.fleet.vehiclesOf(account).map((v) => v.oemId));
    assert.equal(typeof page1.body.response[0].id, 'number');
    assert.match(page1.body.response[0].vin, /^[A-HJ-NPR-Z0-9]{17}$/);

    const misdirected = await http(`${emu.urls.tesla.na}/api/1/vehicles`, { headers: bearer(tokens.access_token) });
    assert.equal(misdirected.status, 421);
    assert.match(misdirected.body.error_description, new RegExp(emu.urls.tesla.eu));
    const region = await http(`${emu.urls.tesla.na}/api/1/users/region`, { headers: bearer(tokens.access_token) });
    assert.deepEqual(region.body.response, { region: 'eu', fleet_api_base_url: emu.urls.tesla.eu });
  });

  await t.test('sleep: asleep → 408, state checks never wake, wake_up, 15 min without data calls, data calls reset the timer', async () => {
    const v = findParkedVehicle(emu, 'tesla', 4 * 3_600_000, (x) => x.spec.powertrain === 'bev');
    const account = emu.state.fleet.account(v.accountId)!;
    const tokens = await teslaLogin(emu, account.id);
    const url = `${emu.urls.tesla[account.region]}/api/1/vehicles/${v.oemId}`;
    const h = { headers: bearer(tokens.access_token) };
    const stateOf = async () => (await http(url, h)).body.response.state;
    const data = () => http(`${url}/vehicle_data?endpoints=charge_state%3Bdrive_state`, h);
    // Parked and idle for 15 min without calls: asleep on its own.
    const idle = emu.state.now() - emu.state.snapshot(v).idleSince!;
    if (idle < 15 * 60_000) await control(emu, 'POST', '/clock/advance', { ms: 15 * 60_000 - idle });
    assert.equal(await stateOf(), 'asleep');
    const refused = await data();
    assert.equal(refused.status, 408);
    assert.match(refused.body.error, /vehicle unavailable/);
    for (let i = 0; i < 12; i++) {
      await control(emu, 'POST', '/clock/advance', { minutes: 5 });
      assert.equal(await stateOf(), 'asleep', 'a state check must not wake the car');
    }

    const woken = await http(`${url}/wake_up`, { method: 'POST', ...h });
    assert.equal(woken.status, 200);
    assert.equal(woken.body.response.state, 'asleep', 'waking takes a moment');
    await control(emu, 'POST', '/clock/advance', { seconds: 10 });
    assert.equal(await stateOf(), 'online');

    // Data calls every 10 min keep it awake.
    for (let i = 0; i < 6; i++) {
      assert.equal((await data()).status, 200);
      await control(emu, 'POST', '/clock/advance', { minutes: 10 });
      assert.equal(await stateOf(), 'online');
    }
    // Then only state checks: asleep 15 min after the last data call.
    assert.equal((await data()).status, 200);
    await control(emu, 'POST', '/clock/advance', { minutes: 7 });
    assert.equal(await stateOf(), 'online');
    await control(emu, 'POST', '/clock/advance', { minutes: 7, seconds: 59 });
    assert.equal(await stateOf(), 'online');
    await control(emu, 'POST', '/clock/advance', { seconds: 1 });
    assert.equal(await stateOf(), 'asleep');
    assert.equal((await data()).status, 408);

    const wakes = await control(emu, 'GET', `/calls?vehicle=${v.vin}&path=wake_up`);
    assert.equal(wakes.count, 1, 'only the explicit wake_up');
  });

  await t.test('vehicle_data in Tesla units (miles, mph, bar) matches the simulator to the digit', async () => {
    const { vehicle: v, at } = findDrivingMoment(emu, 'tesla');
    await control(emu, 'POST', '/clock/set', { time: at });
    const account = emu.state.fleet.account(v.accountId)!;
    const tokens = await teslaLogin(emu, account.id);
    const res = await http(`${emu.urls.tesla[account.region]}/api/1/vehicles/${v.vin}/vehicle_data?endpoints=charge_state;drive_state;vehicle_state;climate_state;location_data`, { headers: bearer(tokens.access_token) });
    assert.equal(res.status, 200);
    const truth = (await control(emu, 'GET', `/vehicles/${v.key}`)).snapshot;
    const r = res.body.response;
    assert.equal(r.state, 'online');
    assert.equal(r.vehicle_state.odometer, round(kmToMiles(truth.odometerKm), 6));
    assert.equal(r.drive_state.speed, Math.round(kphToMph(truth.speedKph)));
    assert.equal(r.drive_state.shift_state, 'D');
    assert.equal(r.drive_state.latitude, round(truth.latitude, 6));
    assert.equal(r.drive_state.heading, truth.headingDeg);
    assert.equal(r.vehicle_state.tpms_pressure_fl, round(kpaToBar(truth.tiresKpa[0]), 3));
    assert.equal(r.vehicle_state.tpms_pressure_rr, round(kpaToBar(truth.tiresKpa[3]), 3));
    assert.equal(r.charge_state.battery_level, Math.floor(truth.energyPct));
    assert.equal(r.charge_state.battery_range, round(kmToMiles(truth.rangeKm), 2));
    assert.equal(r.charge_state.est_battery_range, round(kmToMiles(truth.estRangeKm), 2));
    assert.equal(r.climate_state.outside_temp, round(truth.outsideTempC, 1));
    for (const section of ['charge_state', 'drive_state', 'vehicle_state', 'climate_state']) {
      assert.equal(r[section].timestamp, at, `${section}.timestamp is the emulator time in ms`);
    }
    // Without location_data (or the vehicle_location scope) there is no position.
    const noLoc = await http(`${emu.urls.tesla[account.region]}/api/1/vehicles/${v.vin}/vehicle_data?endpoints=drive_state`, { headers: bearer(tokens.access_token) });
    assert.equal(noLoc.body.response.drive_state.latitude, undefined);
    assert.equal(noLoc.body.response.charge_state, undefined);
  });

  await t.test('door_lock / door_unlock need vehicle_cmds and change vehicle_state.locked', async () => {
    const { vehicle: v, at } = findDrivingMoment(emu, 'tesla');
    await control(emu, 'POST', '/clock/set', { time: at });
    const account = emu.state.fleet.account(v.accountId)!;
    const url = `${emu.urls.tesla[account.region]}/api/1/vehicles/${v.oemId}`;
    const readOnly = await teslaLogin(emu, account.id, 'openid offline_access vehicle_device_data');
    const forbidden = await http(`${url}/command/door_unlock`, { method: 'POST', headers: bearer(readOnly.access_token) });
    assert.equal(forbidden.status, 403);
    const tokens = await teslaLogin(emu, account.id);
    const h = { headers: bearer(tokens.access_token) };
    // Find when it parks, then unlock and lock.
    let t2 = at;
    while (emu.state.snapshot(v, t2).activity === 'driving') t2 += 30_000;
    await control(emu, 'POST', '/clock/set', { time: t2 + 60_000 });
    const unlocked = await http(`${url}/command/door_unlock`, { method: 'POST', ...h });
    assert.deepEqual(unlocked.body, { response: { result: true, reason: '' } });
    assert.equal((await http(`${url}/vehicle_data?endpoints=vehicle_state`, h)).body.response.vehicle_state.locked, false);
    await http(`${url}/command/door_lock`, { method: 'POST', ...h });
    assert.equal((await http(`${url}/vehicle_data?endpoints=vehicle_state`, h)).body.response.vehicle_state.locked, true);
    const unknown = await http(`${url}/command/actuate_trunk`, { method: 'POST', ...h });
    assert.equal(unknown.status, 400);
  });
});
