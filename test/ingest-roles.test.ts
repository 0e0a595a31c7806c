// Ingest by role in a cluster: POST /v1/ingest only where the process has the ingest role, the owner's
// privacy routes only where it has api; and on PostgreSQL the vault compacts only while this process
// holds the leader lease, following the lease as it changes hands.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LeaderLease } from '../src/cluster/leader-lease.ts';
import type { Role } from '../src/cluster/roles.ts';
import { createHttpServer } from '../src/api/http-server.ts';
import { OdmError } from '../src/core/errors.ts';
import { HealthRegistry } from '../src/core/health.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createMetrics } from '../src/core/metrics.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { ingestCapability } from '../src/ingest/ingest-capability.ts';
import { startIngestService, type IngestService } from '../src/ingest/ingest-service.ts';
import { MemoryIdentity, TEST_CHAIN_ID } from '../src/ingest/testing.ts';
import type { LogEvent } from '../src/vault/log-record.ts';
import { systemClock } from '../src/core/clock.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

describe('ingest routes by role', () => {
  async function routesFor(roles: Role[]): Promise<{ ingest: boolean; privacy: boolean }> {
    const app = await createHttpServer({ logger: silentLogger(), metrics: createMetrics({ defaults: false }), health: new HealthRegistry() });
    const config = loadConfig({ mode: 'node', env: { OPENDIMO_ROLE: roles.join(',') } });
    await ingestCapability.routes!(app, { roles: new Set(config.roles), config, services: () => { throw new OdmError('ODM_ERR_UNAVAILABLE', 'starting'); } });
    await app.ready();
    const out = { ingest: app.hasRoute({ method: 'POST', url: '/v1/ingest' }), privacy: app.hasRoute({ method: 'PUT', url: '/v1/vehicles/:tokenId/privacy' }) };
    await app.close();
    return out;
  }

  it('serves /v1/ingest on ingest processes and the privacy routes on api ones', async () => {
    assert.deepEqual(await routesFor(['api', 'ingest', 'indexer']), { ingest: true, privacy: true });
    assert.deepEqual(await routesFor(['ingest']), { ingest: true, privacy: false });
    assert.deepEqual(await routesFor(['api']), { ingest: false, privacy: true });
    assert.deepEqual(await routesFor(['indexer']), { ingest: false, privacy: false });
  });
});

/** A lease the test hands over and takes back, as pg-leader-lease would on take-over. */
function testLease(): LeaderLease & { set(leader: boolean): void } {
  const listeners = new Set<(leader: boolean) => void>();
  let leader = false;
  return {
    get isLeader() {
      return leader;
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    probe: async () => ({ ok: true, detail: 'test lease' }),
    stop: async () => {},
    set(v) {
      leader = v;
      for (const fn of listeners) fn(v);
    },
  };
}

describe('vault compaction in a cluster', () => {
  let pg: TestPostgres | { skipped: string };
  let store: Store | undefined;
  let svc: IngestService | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'opendimo-roles-'));
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await svc?.close();
    await store?.close();
    if (!('skipped' in pg)) await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs only while this process holds the leader lease', async (t) => {
    if ('skipped' in pg) return t.skip(pg.skipped);
    store = await openStore({ dataDir: dir, databaseUrl: pg.url, logger: silentLogger() });
    const lease = testLease();
    svc = await startIngestService({
      store, kek: randomBytes(32), keyringFile: join(dir, 'vault-keyring.json'), identity: new MemoryIdentity(), clock: systemClock,
      logger: silentLogger(), chain: { chainId: TEST_CHAIN_ID }, verifyThreads: 1, compactIntervalMs: 50, leader: lease,
    });
    let n = 0;
    const append = () => {
      const time = Date.now() - 1000;
      const e: LogEvent = {
        vehicleId: '7', version: 1, owner: '0x' + 'ab'.repeat(20), id: `e${++n}`, source: '0xSource', type: 'dimo.status', time, producer: 'did:erc721:1:0x0:7',
        signer: '0x' + '11'.repeat(20), dataversion: 'default/v1.0', samples: [], locationSamples: [], points: [], extra: null, rejected: 0,
      };
      return svc!.vault.log.append([{ event: e, dedupDay: Math.floor(time / 86_400_000), dedupHash: randomBytes(16) }]);
    };
    const logRows = async () => (await store!.db.selectFrom('vault_log').select('id').execute()).length;
    const waitFor = async (cond: () => Promise<boolean>, what: string) => {
      const deadline = Date.now() + 10_000;
      while (!(await cond())) {
        if (Date.now() > deadline) assert.fail(`timed out: ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    await append();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await logRows(), 1, 'a follower leaves the log alone');

    lease.set(true);
    await waitFor(async () => (await logRows()) === 0, 'the leader compacts');

    lease.set(false);
    await new Promise((r) => setTimeout(r, 1000)); // the run in flight, if any, finishes
    await append();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await logRows(), 1, 'no compaction once the lease is lost');
  });
});
