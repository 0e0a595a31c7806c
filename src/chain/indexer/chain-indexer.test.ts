// The generic follower's edge cases on a real anvil and SQLite: a reorg deeper than what it remembers,
// a change of what it mirrors, and two processes sharing one cursor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { ManualClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { IdentityMirror } from '../../identity/identity-mirror.ts';
import { openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/store.ts';
import { startChainFixture, type ChainFixture } from '../../../test/identity/support/identity-fixture.ts';
import { makeTempDir } from '../testing.ts';
import { ChainIndexer } from './chain-indexer.ts';
import type { EventHandler } from './indexer-types.ts';

let chain: ChainFixture;
const cleanups: (() => Promise<void>)[] = [];
before(async () => {
  chain = await startChainFixture();
});
after(async () => {
  for (const c of cleanups) await c();
  await chain?.stop();
});

async function freshStore(): Promise<Store> {
  const temp = await makeTempDir('indexer');
  const store = await openStore({ dataDir: temp.dir, logger: silentLogger() });
  cleanups.push(async () => {
    await store.close();
    await temp.cleanup();
  });
  await (store.db as unknown as Kysely<any>).schema.createTable('test_grants').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('grantee', 'text').execute();
  return store;
}

/** An indexer mirroring PermissionsGranted/Revoked into test_grants (one row per token and grantee). */
function grantsIndexer(store: Store, opts: { retentionBlocks?: number; version?: string; logger?: import('../../core/logger.ts').Logger } = {}): ChainIndexer {
  const indexer = new ChainIndexer({
    name: 'test-grants',
    store,
    publicClient: chain.pub,
    contracts: chain.contracts,
    abis: chain.abis,
    deploymentBlock: chain.deploymentBlock,
    confirmations: 0,
    ...opts,
    logger: opts.logger ?? silentLogger(),
  });
  indexer.registerTables([{ name: 'test_grants' as never, key: ['id'] }]);
  const id = (a: Record<string, unknown>) => `${a.tokenId}:${String(a.grantee).toLowerCase()}`;
  const granted: EventHandler = (e, w) => w.put('test_grants' as never, { id: id(e.args), grantee: String(e.args.grantee).toLowerCase() });
  const revoked: EventHandler = async (e, w) => void (await w.remove('test_grants' as never, { id: id(e.args) }));
  indexer.registerHandlers('Permissions', { PermissionsGranted: granted, PermissionsRevoked: revoked });
  return indexer;
}

async function drain(indexer: ChainIndexer): Promise<void> {
  while (await indexer.step()) {
    // until caught up
  }
}

async function rows(store: Store): Promise<string[]> {
  const r = await (store.db as unknown as Kysely<any>).selectFrom('test_grants').select('id').orderBy('id').execute();
  return r.map((x) => String(x.id));
}

test('a reorg deeper than the remembered blocks rebuilds the mirror from the deployment block', async () => {
  const store = await freshStore();
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const indexer = grantsIndexer(store, { retentionBlocks: 2, logger });
  const { alice, app, app2 } = chain.actors;
  const vehicle = await chain.mintVehicle(alice);
  await drain(indexer);
  const snapshot = await chain.snapshot();
  await chain.grant(alice, vehicle, app.address, [1]);
  for (let i = 0; i < 6; i++) {
    // Block by block, so the indexer applies (and prunes) often and forgets the fork point.
    await chain.mine(1);
    await drain(indexer);
  }
  assert.ok((await rows(store)).includes(`${vehicle}:${app.address.toLowerCase()}`));
  await chain.revert(snapshot);
  await chain.grant(alice, vehicle, app2.address, [1]);
  await chain.mine(8);
  await drain(indexer);
  const after = await rows(store);
  assert.ok(!after.includes(`${vehicle}:${app.address.toLowerCase()}`), 'the orphaned grant is gone');
  assert.ok(after.includes(`${vehicle}:${app2.address.toLowerCase()}`), 'the canonical grant is there');
  const header = await chain.pub.getBlock({ blockNumber: indexer.position.number });
  assert.equal(indexer.position.hash, header.hash);
  assert.ok(lines.some((l) => l.includes('rebuilding the mirror')), 'it took the rebuild path');
});

test('changing what an indexer mirrors rebuilds its tables from the chain', async () => {
  const store = await freshStore();
  const { alice, app } = chain.actors;
  const vehicle = await chain.mintVehicle(alice);
  await chain.grant(alice, vehicle, app.address, [1]);
  const first = grantsIndexer(store);
  await drain(first);
  const before = await rows(store);
  await (store.db as unknown as Kysely<any>).insertInto('test_grants').values({ id: 'junk', grantee: 'x' }).execute();
  const second = grantsIndexer(store, { version: '2' });
  await second.open();
  assert.equal(second.position.number, chain.deploymentBlock - 1n, 'back to the start');
  assert.deepEqual(await rows(store), [], 'tables emptied');
  await drain(second);
  assert.deepEqual(await rows(store), before);
});

test('two processes on one cursor: the one left behind reloads instead of applying twice', async () => {
  const store = await freshStore();
  const clock = new ManualClock(Number(await chain.now()) * 1000);
  const open = () =>
    IdentityMirror.open({ store, publicClient: chain.pub, contracts: chain.contracts, abis: chain.abis, deploymentBlock: chain.deploymentBlock, confirmations: 0, logger: silentLogger(), clock });
  const a = await open();
  const b = await open();
  const { bob, app } = chain.actors;
  const vehicle = await chain.mintVehicle(bob);
  await chain.grant(bob, vehicle, app.address, [1]);
  while (await a.indexer.step()) {
    // a catches up
  }
  assert.equal(a.access.can(app.address, vehicle, [1]), true);
  assert.equal(b.access.can(app.address, vehicle, [1]), false, 'b has not looked yet');
  while (await b.indexer.step()) {
    // b finds the cursor moved and reloads
  }
  assert.equal(b.access.can(app.address, vehicle, [1]), true);
  assert.equal(b.indexer.position.number, a.indexer.position.number);
  const grants = await store.db.selectFrom('identity_grants').selectAll().where('token_id', '=', String(vehicle)).execute();
  assert.equal(grants.length, 1);
});
