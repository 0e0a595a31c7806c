// Privacy settings survive a restart: the zones' H3 cell sets are stored (encrypted) and loaded back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHarness } from '../../test/support/ingest-harness.ts';
import { PrivacySettingsStore } from './privacy-settings.ts';
import { zoneAt } from './zones.ts';

test('zones and opt-out are stored encrypted and loaded back with their cell sets', async (t) => {
  const h = await startHarness({ devices: 2 });
  t.after(() => h.close());
  const [a, b] = h.devices;
  await h.svc.privacy.set(String(a!.vehicleTokenId), 1, a!.owner, { locationOptOut: false, zones: [{ kind: 'circle', lat: 48.1372, lng: 11.5756, radiusM: 400, action: 'drop' }] });
  await h.svc.privacy.set(String(b!.vehicleTokenId), 1, b!.owner, { locationOptOut: true, zones: [] });
  const row = await h.store.db.selectFrom('privacy_settings').selectAll().where('vehicle_id', '=', String(a!.vehicleTokenId)).executeTakeFirstOrThrow();
  assert.ok(row.zones && !row.zones.toString('latin1').includes('48.1372'), 'the zone is ciphertext');

  const reloaded = new PrivacySettingsStore(h.store, h.svc.vault.keys, h.clock);
  await reloaded.load();
  const pa = reloaded.policy(String(a!.vehicleTokenId), 1);
  assert.equal(pa?.locationOptOut, false);
  assert.equal(zoneAt(pa!.zones, 48.1373, 11.5757)?.action, 'drop');
  assert.equal(zoneAt(pa!.zones, 48.2, 11.7), undefined);
  assert.equal(reloaded.policy(String(b!.vehicleTokenId), 1)?.locationOptOut, true);
  assert.equal(reloaded.policy(String(b!.vehicleTokenId), 2), undefined, 'a new owner epoch starts without settings');
  assert.deepEqual((await reloaded.get(String(a!.vehicleTokenId), 1)).zones, [{ kind: 'circle', lat: 48.1372, lng: 11.5756, radiusM: 400, action: 'drop' }]);
});
