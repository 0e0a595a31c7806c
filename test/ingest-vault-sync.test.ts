// Two processes of a cluster (two ingest services on one PostgreSQL database, one keyring file and one
// bus): an owner's privacy choice made through one is applied by the other's ingest path, and a vehicle
// shredded by one is forgotten by the other's caches.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { createMemoryBus } from '../src/bus/memory-bus.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { startIngestService, type IngestService } from '../src/ingest/ingest-service.ts';
import { MemoryIdentity, TEST_CHAIN_ID, TEST_VEHICLE_CONTRACT } from '../src/ingest/testing.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

let pg: TestPostgres | { skipped: string };
const dir = mkdtempSync(join(tmpdir(), 'opendimo-vault-sync-'));
const stores: Store[] = [];
const services: IngestService[] = [];

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  for (const s of services) await s.close();
  for (const s of stores) await s.close();
  if (!('skipped' in pg)) await pg.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (what: string, check: () => boolean) => {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

it('a privacy choice made in one process is applied by the other, and a shred clears both', async (t) => {
  if ('skipped' in pg) return t.skip(pg.skipped);
  const databaseUrl = await pg.createDatabase();
  const bus = createMemoryBus({ logger: silentLogger() });
  const kek = randomBytes(32);
  const start = async (name: string) => {
    const store = await openStore({ dataDir: join(dir, name), databaseUrl, logger: silentLogger() });
    stores.push(store);
    const svc = await startIngestService({
      store, kek, keyringFile: join(dir, 'shared', 'vault-keyring.json'), identity: new MemoryIdentity(), clock: systemClock, logger: silentLogger(),
      bus, compactIntervalMs: 0, verifyThreads: 1, chain: { chainId: TEST_CHAIN_ID, vehicleContract: TEST_VEHICLE_CONTRACT.toLowerCase() },
    });
    services.push(svc);
    return svc;
  };
  const a = await start('a');
  const b = await start('b');
  const owner = '0x' + 'ab'.repeat(20);

  assert.equal(b.privacy.policy('7', 1), undefined);
  await a.privacy.set('7', 1, owner, { locationOptOut: true, zones: [{ kind: 'circle', lat: 52.52, lng: 13.405, radiusM: 300, action: 'drop' }] });
  await until('B to apply the opt-out', () => b.privacy.policy('7', 1)?.locationOptOut === true);
  assert.equal(b.privacy.policy('7', 1)?.zones.length, 1, 'the zone (sealed in the database) is reloaded too');

  const forgotten: string[] = [];
  a.vault.shredder.onShredded((vehicleId, _v, elsewhere) => elsewhere && forgotten.push(vehicleId));
  await b.vault.shredder.shredVehicle('7', [1]);
  await until('A to forget the shredded vehicle', () => forgotten.includes('7'));
  assert.equal(a.privacy.policy('7', 1), undefined, 'the cached policy went with the data');
  assert.equal(b.privacy.policy('7', 1), undefined);
});
