// Who may read what on /query: field-level privilege checks with partial answers, the approximate
// location (privilege 8 or 4), availableSignals filtered by privilege, revocation / partial revocation /
// transfer biting on the next request, the owner's activity log, and the HTTP-level refusals.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { getAppAccess } from '../../src/api/apps/app-access-runtime.ts';
import { startAppNode, type AppLicense, type AppNode } from './support/app-node.ts';

let n: AppNode;
let lic: AppLicense;
let vid: bigint;
let dev: string;
let T: number;

before(async () => {
  n = await startAppNode();
  const { app, alice } = n.chain.actors;
  lic = await n.appLicense(app);
  vid = await n.mintVehicle(alice);
  await n.chain.grant(alice, vid, app.address, [1, 4, 8]);
  await n.mirrored();
  dev = await n.developerToken(lic);
  T = n.clock.now() - 10 * 60_000;
  await n.store(vid, [
    { time: T, samples: [['speed', T, 42], ['powertrainType', T, 'BEV']], points: [[T, 48.137, 11.575]], locationSamples: [['currentLocationAltitude', T, 519]] },
  ]);
});
after(() => n?.stop());

const LATEST = (id: bigint | number) => `{ signalsLatest(tokenId: ${id}) { lastSeen speed { value } powertrainType { value } currentLocationCoordinates { value { latitude longitude } } currentLocationAltitude { value } currentLocationApproximateCoordinates { timestamp value { latitude longitude } } } }`;

describe('field-level privileges', () => {
  it('answers every field with privileges 1 and 4', async () => {
    const res = await n.graphql(await n.vehicleToken(dev, vid, [1, 4]), LATEST(vid));
    assert.equal(res.status, 200);
    assert.equal(res.json.errors, undefined);
    const l = res.json.data.signalsLatest;
    assert.equal(l.speed.value, 42);
    assert.equal(l.powertrainType.value, 'BEV');
    assert.deepEqual(l.currentLocationCoordinates.value, { latitude: 48.137, longitude: 11.575 });
    assert.equal(l.currentLocationAltitude.value, 519);
    assert.equal(l.lastSeen, new Date(T).toISOString());
  });

  it('nulls the location fields of a token without privilege 4, names the privilege, and answers the rest', async () => {
    const res = await n.graphql(await n.vehicleToken(dev, vid, [1]), LATEST(vid));
    assert.equal(res.status, 200);
    const l = res.json.data.signalsLatest;
    assert.equal(l.speed.value, 42);
    assert.equal(l.currentLocationCoordinates, null);
    assert.equal(l.currentLocationAltitude, null);
    assert.equal(l.currentLocationApproximateCoordinates, null);
    const byPath = new Map(res.json.errors.map((e: { path: string[]; extensions: Record<string, unknown> }) => [e.path.join('.'), e.extensions]));
    const coords = byPath.get('signalsLatest.currentLocationCoordinates') as { code: string; missing: number[] };
    assert.equal(coords.code, 'ODM_ERR_PRIVILEGE_NOT_IN_TOKEN');
    assert.deepEqual(coords.missing, [4, 3]);
    assert.match(res.json.errors.find((e: { path: string[] }) => e.path[1] === 'currentLocationAltitude').message, /VEHICLE_ALL_TIME_LOCATION/);

    const one = await n.vehicleToken(dev, vid, [1]);
    for (let run = 0; run < 3; run++) { // the first run interprets the query, later ones run it compiled
      const hist = await n.graphql(one, `{ signals(tokenId: ${vid}, interval: "1h", from: "${new Date(T - 60_000).toISOString()}", to: "${new Date(T + 60_000).toISOString()}") { s: speed(agg: MAX) c: currentLocationCoordinates(agg: LAST) { latitude } } }`);
      assert.deepEqual(hist.json.data.signals, [{ s: 42, c: null }]);
      assert.equal(hist.json.errors.length, 1, 'one error for the field, not one per bucket');
      assert.equal(hist.json.errors[0].extensions.code, 'ODM_ERR_PRIVILEGE_NOT_IN_TOKEN');
      assert.deepEqual(hist.json.errors[0].extensions.missing, [4]);
      assert.deepEqual(hist.json.errors[0].path.map(String), ['signals', '0', 'c'], 'the first bucket');
    }
  });

  it('shows the approximate location (H3 res-6 cell centre) with privilege 8 alone, not the exact one', async () => {
    const res = await n.graphql(await n.vehicleToken(dev, vid, [8]), LATEST(vid));
    const l = res.json.data.signalsLatest;
    const [lat, lng] = cellToLatLng(latLngToCell(48.137, 11.575, 6));
    assert.deepEqual(l.currentLocationApproximateCoordinates.value, { latitude: lat, longitude: lng });
    assert.equal(l.currentLocationCoordinates, null);
    assert.equal(l.speed, null);
    assert.equal(l.lastSeen, new Date(T).toISOString(), 'lastSeen over what the token may read');
    const four = await n.graphql(await n.vehicleToken(dev, vid, [4]), `{ signalsLatest(tokenId: ${vid}) { currentLocationApproximateCoordinates { value { latitude } } } }`);
    assert.equal(four.json.data.signalsLatest.currentLocationApproximateCoordinates.value.latitude, lat, 'privilege 4 reads it too');
  });

  it('lists only the signals the token may read in availableSignals, [] when none', async () => {
    const names = async (privs: number[]) => (await n.graphql(await n.vehicleToken(dev, vid, privs), `{ availableSignals(tokenId: ${vid}) }`)).json.data.availableSignals;
    assert.deepEqual(await names([1]), ['powertrainType', 'speed']);
    assert.deepEqual(await names([8]), ['currentLocationApproximateCoordinates']);
    assert.deepEqual(await names([1, 4]), ['currentLocationAltitude', 'currentLocationApproximateCoordinates', 'currentLocationCoordinates', 'currentLocationLatitude', 'currentLocationLongitude', 'powertrainType', 'speed']);
    const { alice, app } = n.chain.actors;
    const empty = await n.mintVehicle(alice);
    await n.chain.grant(alice, empty, app.address, [1]);
    await n.mirrored();
    const res = await n.graphql(await n.vehicleToken(dev, empty, [1]), `{ availableSignals(tokenId: ${empty}) }`);
    assert.deepEqual(res.json.data.availableSignals, []);
  });

  it('keeps the older SignalsLatest(tokenID:) spelling working', async () => {
    const res = await n.graphql(await n.vehicleToken(dev, vid, [1]), `{ SignalsLatest(tokenID: ${vid}) { speed { timestamp value } powertrainType { value } } }`);
    assert.deepEqual(res.json.data.SignalsLatest, { speed: { timestamp: new Date(T).toISOString(), value: 42 }, powertrainType: { value: 'BEV' } });
  });
});

describe('refusals', () => {
  it('refuses requests without a valid vehicle token (401) and tokens for another vehicle', async () => {
    const none = await n.graphql(undefined, LATEST(vid));
    assert.equal(none.status, 401);
    assert.equal(none.json.errors[0].extensions.code, 'ODM_ERR_AUTH_REQUIRED');
    assert.match(none.headers.get('www-authenticate') ?? '', /Bearer/);
    const bad = await n.graphql('abc.def.ghi', LATEST(vid));
    assert.equal(bad.status, 401);
    assert.equal(bad.json.errors[0].extensions.code, 'ODM_ERR_TOKEN_INVALID');
    const devAsVehicle = await n.graphql(dev, LATEST(vid));
    assert.equal(devAsVehicle.json.errors[0].extensions.code, 'ODM_ERR_TOKEN_INVALID');
    const other = await n.graphql(await n.vehicleToken(dev, vid, [1]), LATEST(vid + 100n));
    assert.equal(other.json.data.signalsLatest, null);
    assert.equal(other.json.errors[0].extensions.code, 'ODM_ERR_TOKEN_SCOPE');
  });

  it('refuses an expired vehicle token', async () => {
    const token = await n.vehicleToken(dev, vid, [1]);
    n.clock.advance(11 * 60_000);
    try {
      const res = await n.graphql(token, LATEST(vid));
      assert.equal(res.status, 401);
      assert.equal(res.json.errors[0].extensions.code, 'ODM_ERR_TOKEN_INVALID');
      assert.equal(res.json.errors[0].extensions.reason, 'expired');
    } finally {
      n.clock.advance(-11 * 60_000);
    }
  });
});

describe('revocation takes effect on the next read', () => {
  it('refuses the next read after a revoke, answers partially after a narrowed grant', async () => {
    const { alice, app } = n.chain.actors;
    const token = await n.vehicleToken(dev, vid, [1, 4]);
    assert.equal((await n.graphql(token, LATEST(vid))).status, 200);

    // Re-granting replaces the grant: only privilege 1 is left.
    await n.chain.grant(alice, vid, app.address, [1]);
    await n.mirrored();
    const narrowed = await n.graphql(token, LATEST(vid));
    assert.equal(narrowed.status, 200);
    assert.equal(narrowed.json.data.signalsLatest.speed.value, 42);
    assert.equal(narrowed.json.data.signalsLatest.currentLocationCoordinates, null);
    const err = narrowed.json.errors.find((e: { path: string[] }) => e.path[1] === 'currentLocationCoordinates');
    assert.equal(err.extensions.code, 'ODM_ERR_CONSENT_MISSING', 'the token carries it; the owner no longer grants it');

    await n.chain.revoke(alice, vid, app.address);
    await n.mirrored();
    const refused = await n.graphql(token, LATEST(vid));
    assert.equal(refused.status, 403);
    assert.equal(refused.json.errors[0].extensions.code, 'ODM_ERR_CONSENT_MISSING');
    assert.deepEqual(refused.json.errors[0].extensions.missing, [1, 4]);

    await n.chain.grant(alice, vid, app.address, [1, 4, 8]);
    await n.mirrored();
    assert.equal((await n.graphql(token, LATEST(vid))).status, 200, 'a new grant serves the same token again');
  });

  it('refuses every read once the license is suspended', async () => {
    const token = await n.vehicleToken(dev, vid, [1]);
    await n.chain.write(n.chain.actors.admin, 'Licenses', 'suspend', [lic.licenseId, 'audit']);
    await n.mirrored();
    try {
      const res = await n.graphql(token, LATEST(vid));
      assert.equal(res.status, 403);
      assert.equal(res.json.errors[0].extensions.code, 'ODM_ERR_LICENSE_SUSPENDED');
    } finally {
      await n.chain.write(n.chain.actors.admin, 'Licenses', 'unsuspend', [lic.licenseId, 'cleared']);
      await n.mirrored();
    }
  });
});

describe("owner's activity log", () => {
  it('records reads with the app, vehicle and privileges, coalesced per window', async () => {
    const { alice } = n.chain.actors;
    const reads = getAppAccess(n.node.services).reads;
    const settle = async () => {
      await reads.flush(false);
      await new Promise((r) => setTimeout(r, 100));
    };
    const token = await n.vehicleToken(dev, vid, [1, 4]);
    n.clock.advance(2 * 60_000); // earlier windows close
    await settle();
    const before = (await n.activity(alice.address)).filter((e) => e.kind === 'read').length;
    for (let i = 0; i < 5; i++) await n.graphql(token, `{ signalsLatest(tokenId: ${vid}) { speed { value } } }`);
    await settle();
    const now = (await n.activity(alice.address)).filter((e) => e.kind === 'read');
    assert.equal(now.length, before + 1, 'five reads in one window: one entry at once');
    const first = now.at(-1)!;
    assert.equal(first.vehicleId, vid.toString());
    assert.deepEqual(first.app, { licenseId: lic.licenseId.toString(), address: lic.holder.address.toLowerCase(), name: 'Fleet Insights' });
    assert.deepEqual(first.privileges, [1]);
    assert.deepEqual(first.detail, { api: 'telemetry', reads: 1 });
    n.clock.advance(2 * 60_000);
    await settle();
    const later = (await n.activity(alice.address)).filter((e) => e.kind === 'read');
    assert.equal(later.length, before + 2, 'and one for the rest when the window closes');
    assert.equal(later.at(-1)!.detail?.reads, 4);
  });
});
