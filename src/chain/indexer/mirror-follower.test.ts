// Cluster mode on a real anvil and a real PostgreSQL: one process indexes, the others follow what it
// writes (index, access checks and listeners within a second), and when the leader goes away another
// takes over from the cursor with no block applied twice or skipped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.ts';
import { startChainFixture, type ChainFixture } from '../../../test/identity/support/identity-fixture.ts';
import { staticLease, type LeaderLease } from '../../cluster/leader-lease.ts';
import { advisoryKey, createPgLeaderLease } from '../../cluster/pg-leader-lease.ts';
import { systemClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { IdentityMirror } from '../../identity/identity-mirror.ts';
import { openStore } from '../../store/open-store.ts';
import type { Store } from '../../store/store.ts';
import type { CommitInfo, RowChange } from './indexer-types.ts';
import { leadOrFollow, type LeadOrFollow } from './lead-or-follow.ts';
import { MirrorFollower } from './mirror-follower.ts';
import { ChainIndexer } from './chain-indexer.ts';
import type { EventHandler } from './indexer-types.ts';
import type { Kysely } from 'kysely';

const server = await startPostgres();
const logger = silentLogger();

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

if ('skipped' in server) it('mirror follower', { skip: server.skipped }, () => undefined);
else describe('mirror follower', () => {
  const pgServer = server as TestPostgres;
  let chain: ChainFixture;
  const cleanups: (() => Promise<void>)[] = [];
  before(async () => {
    chain = await startChainFixture();
  });
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await chain?.stop();
    await pgServer.stop();
  });

  /** One "process": its own store (pool) on the shared database, its identity mirror, leading or following. */
  async function node(url: string, lease: LeaderLease) {
    const store: Store = await openStore({ dataDir: pgServer.dir, logger, databaseUrl: url });
    cleanups.push(() => store.close());
    const mirror = await IdentityMirror.open({
      store, publicClient: chain.pub, contracts: chain.contracts, abis: chain.abis, deploymentBlock: chain.deploymentBlock,
      confirmations: 0, logger, clock: systemClock, pollIntervalMs: 50,
    });
    const commits: { changes: readonly RowChange[]; info: CommitInfo }[] = [];
    mirror.indexer.onCommit((changes, info) => commits.push({ changes, info }));
    const running: LeadOrFollow = await leadOrFollow({ indexer: mirror.indexer, lease, store, logger });
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      await running.stop();
    };
    cleanups.push(stop);
    return { store, mirror, commits, running, stop };
  }

  it('a follower\'s index, access checks and listeners track the leader within a second', async () => {
    const url = await pgServer.createDatabase();
    const leader = await node(url, staticLease(true));
    const follower = await node(url, staticLease(false));
    assert.equal(leader.running.leading, true);
    assert.equal(follower.running.leading, false);
    const { alice } = chain.actors;
    const app = privateKeyToAccount(generatePrivateKey()).address.toLowerCase();

    const vehicleId = await chain.mintVehicle(alice);
    const mintMs = await until('the follower sees the mint', () => follower.mirror.index.vehicles.get(vehicleId)?.owner === alice.address.toLowerCase(), 1_500);
    await chain.grant(alice, vehicleId, app as `0x${string}`, [1, 3]);
    const grantMs = await until('the follower sees the grant', () => follower.mirror.access.can(app, vehicleId, [1, 3]), 1_500);
    await chain.revoke(alice, vehicleId, app as `0x${string}`);
    const revokeMs = await until('the follower sees the revocation', () => !follower.mirror.access.can(app, vehicleId, [1]), 1_500);
    assert.ok(Math.max(mintMs, grantMs, revokeMs) < 1_500, `${mintMs} / ${grantMs} / ${revokeMs} ms`);

    // The follower's listeners heard every change, marked as applied elsewhere; the leader's as local.
    const followed = follower.commits.filter((c) => c.changes.length > 0);
    assert.ok(followed.length >= 3);
    assert.ok(followed.every((c) => c.info.origin === 'follower'));
    assert.ok(leader.commits.every((c) => c.info.origin === 'local'));
    const grantChanges = followed.flatMap((c) => c.changes).filter((c) => c.table === 'identity_grants');
    assert.ok(grantChanges.some((c) => c.before === undefined && c.after !== undefined), 'the grant arrives as a created row');
    assert.ok(grantChanges.some((c) => c.before !== undefined && c.after === undefined), 'the revocation as a deleted row');
    assert.equal(follower.mirror.indexer.position.number, leader.mirror.indexer.position.number);
    // waitFor works in a follower too (the relay endpoints use it).
    const receipt = await chain.grant(alice, vehicleId, app as `0x${string}`, [1]);
    await follower.mirror.indexer.waitFor(receipt.blockNumber, 3_000);
    assert.equal(follower.mirror.access.can(app, vehicleId, [1]), true);
  });

  it('take-over: the lease moves, the new leader continues from the cursor, nothing applied twice or skipped', async () => {
    const url = await pgServer.createDatabase();
    const key = 'test:leader';
    const leaseOf = async () => {
      const l = createPgLeaderLease({ databaseUrl: url, key, logger, retryMs: 200, checkMs: 200 });
      await l.start();
      return l;
    };
    const leaseA = await leaseOf();
    cleanups.push(() => leaseA.stop());
    const a = await node(url, leaseA);
    const leaseB = await leaseOf();
    cleanups.push(() => leaseB.stop());
    const b = await node(url, leaseB);
    assert.equal(a.running.leading, true);
    assert.equal(b.running.leading, false);

    const { alice } = chain.actors;
    const vehicleId = await chain.mintVehicle(alice);
    const grantees: string[] = [];
    const grantSome = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const who = privateKeyToAccount(generatePrivateKey()).address.toLowerCase();
        grantees.push(who);
        await chain.grant(alice, vehicleId, who as `0x${string}`, [1]);
      }
    };
    await grantSome(4);

    // A's lease session dies mid-stream (grants keep coming): B takes over, A follows.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    cleanups.push(() => admin.end());
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_locks where locktype = 'advisory' and granted and objid = ($1::bigint & 4294967295)::oid and database = (select oid from pg_database where datname = current_database())`,
      [String(advisoryKey(key))],
    );
    const streaming = grantSome(6);
    await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    await streaming;
    await until('B leads', () => b.running.leading && !a.running.leading, 10_000);
    await grantSome(3);
    await b.mirror.indexer.waitFor(await chain.blockNumber(), 5_000);

    // B steps down (its process stops): A leads again and goes on.
    await b.stop();
    await leaseB.stop();
    await until('A leads again', () => a.running.leading, 10_000);
    await grantSome(3);

    const head = await chain.blockNumber();
    await a.mirror.indexer.waitFor(head, 10_000);
    const want = new Set(grantees);
    assert.deepEqual(new Set(a.mirror.index.vehicleGrants.get(vehicleId)?.keys()), want);
    const dbRows = await a.store.db.selectFrom('identity_grants').select(['grantee']).where('token_id', '=', String(vehicleId)).execute();
    assert.equal(dbRows.length, grantees.length);

    // Across both processes, every block was applied by exactly one of them, and each grant row was
    // created once — what once-per-cluster listeners (activity) rely on.
    const local = [...a.commits, ...b.commits].filter((c) => c.info.origin !== 'follower');
    const applied = local.filter((c) => c.info.kind === 'apply').map((c) => c.info.blockNumber);
    assert.equal(new Set(applied).size, applied.length, 'no block applied twice');
    const created = local.flatMap((c) => c.changes).filter((c) => c.table === 'identity_grants' && c.before === undefined && c.after?.token_id === String(vehicleId));
    assert.equal(created.length, grantees.length, 'each grant created exactly once across the cluster');
    // And the chain agrees: as many PermissionsGranted logs for this vehicle as grants.
    const logs = await chain.pub.getContractEvents({ address: chain.contracts.Permissions!, abi: chain.abis.Permissions!, eventName: 'PermissionsGranted', fromBlock: chain.deploymentBlock, toBlock: head });
    assert.equal(logs.filter((l) => (l as unknown as { args: { tokenId: bigint } }).args.tokenId === vehicleId).length, grantees.length);
    assert.ok(b.commits.some((c) => c.info.origin === 'local'), 'B did lead for a while');
    assert.ok(a.commits.some((c) => c.info.origin === 'follower'), 'and A followed it meanwhile');
  });

  it('reloads instead when the undo log cannot cover the gap (pruned, rebuilt)', async () => {
    const url = await pgServer.createDatabase();
    const leader = await node(url, staticLease(true));
    const store = await openStore({ dataDir: pgServer.dir, logger, databaseUrl: url });
    cleanups.push(() => store.close());
    const mirror = await IdentityMirror.open({
      store, publicClient: chain.pub, contracts: chain.contracts, abis: chain.abis, deploymentBlock: chain.deploymentBlock, confirmations: 0, logger, clock: systemClock,
    });
    let reloads = 0;
    mirror.indexer.onReset(() => void reloads++);
    const follower = new MirrorFollower({ indexer: mirror.indexer, store, logger });
    await follower.sync();
    assert.equal(reloads, 1, 'the first look loads everything');
    const { alice } = chain.actors;
    const app = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as `0x${string}`;

    const vehicleId = await chain.mintVehicle(alice);
    await leader.mirror.indexer.waitFor(await chain.blockNumber());
    assert.equal(await follower.sync(), true);
    assert.equal(reloads, 1, 'caught up from the undo log');
    assert.equal(await follower.sync(), false, 'nothing new');

    // The leader pruned past the follower's position: its anchor block is gone.
    const at = Number(mirror.indexer.position.number);
    await chain.grant(alice, vehicleId, app, [1]);
    await leader.mirror.indexer.waitFor(await chain.blockNumber());
    await store.db.deleteFrom('chain_blocks').where('cursor', '=', 'identity').where('block_number', '<=', at).execute();
    assert.equal(await follower.sync(), true);
    assert.equal(reloads, 2, 'reloaded');
    assert.equal(mirror.access.can(app, vehicleId, [1]), true);

    // The mirror was rebuilt (its fingerprint changed): reload, even with the cursor where it was.
    await store.db.updateTable('node_meta').set({ value: 'another' }).where('key', '=', 'chain_indexer:identity:fingerprint').execute();
    await store.db.updateTable('chain_cursors').set({ updated_at: 1 }).where('name', '=', 'identity').execute();
    assert.equal(await follower.sync(), true);
    assert.equal(reloads, 3);
    assert.equal(mirror.access.can(app, vehicleId, [1]), true);
  });

  it('an upgraded follower leaves the mirror alone and rebuilds it only once it leads', async () => {
    const url = await pgServer.createDatabase();
    const stores: Store[] = [];
    for (let i = 0; i < 2; i++) {
      const store = await openStore({ dataDir: pgServer.dir, logger, databaseUrl: url });
      cleanups.push(() => store.close());
      stores.push(store);
    }
    await (stores[0]!.db as unknown as Kysely<any>).schema.createTable('test_grants').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('grantee', 'text').addColumn('v', 'text').execute();
    /** Mirrors grants into test_grants, stamping each row with the handler version. */
    const grantsIndexer = (store: Store, version: string) => {
      const indexer = new ChainIndexer({ name: 'test-grants', store, publicClient: chain.pub, contracts: chain.contracts, abis: chain.abis, deploymentBlock: chain.deploymentBlock, confirmations: 0, logger, version, pollIntervalMs: 50 });
      indexer.registerTables([{ name: 'test_grants' as never, key: ['id'] }]);
      const granted: EventHandler = (e, w) => w.put('test_grants' as never, { id: `${e.args.tokenId}:${String(e.args.grantee).toLowerCase()}`, grantee: String(e.args.grantee).toLowerCase(), v: version });
      indexer.registerHandlers('Permissions', { PermissionsGranted: granted });
      const rows = new Map<string, string>();
      indexer.onCommit((changes) => { for (const c of changes) c.after ? rows.set(String(c.key.id), String(c.after.v)) : rows.delete(String(c.key.id)); });
      indexer.onReset(async (db) => {
        rows.clear();
        for (const r of await (db ?? store.db).selectFrom('test_grants' as never).selectAll().execute() as { id: string; v: string }[]) rows.set(r.id, r.v);
      });
      return { indexer, rows };
    };
    const old = grantsIndexer(stores[0]!, '1');
    let oldLeads = true;
    const oldLease: LeaderLease = { get isLeader() { return oldLeads; }, onChange: () => () => {}, probe: async () => ({ ok: true, detail: '' }), stop: async () => {} };
    const leaderRun = await leadOrFollow({ indexer: old.indexer, lease: oldLease, store: stores[0]!, logger });
    cleanups.push(() => leaderRun.stop());
    const { alice } = chain.actors;
    const vehicleId = await chain.mintVehicle(alice);
    const app = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as `0x${string}`;
    await chain.grant(alice, vehicleId, app, [1]);
    await old.indexer.waitFor(await chain.blockNumber());

    // The upgraded process joins as a follower: no rebuild, it mirrors what the old leader wrote.
    const listeners: ((v: boolean) => void)[] = [];
    let newLeads = false;
    const newLease: LeaderLease = { get isLeader() { return newLeads; }, onChange: (l) => (listeners.push(l), () => {}), probe: async () => ({ ok: true, detail: '' }), stop: async () => {} };
    const upgraded = grantsIndexer(stores[1]!, '2');
    const followerRun = await leadOrFollow({ indexer: upgraded.indexer, lease: newLease, store: stores[1]!, logger });
    cleanups.push(() => followerRun.stop());
    assert.equal(followerRun.leading, false);
    const id = `${vehicleId}:${app}`;
    assert.equal(upgraded.rows.get(id), '1');
    const app2 = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as `0x${string}`;
    await chain.grant(alice, vehicleId, app2, [1]);
    await until('the follower sees the old leader\'s next row', () => upgraded.rows.get(`${vehicleId}:${app2}`) === '1', 2_000);

    // The old leader goes; the upgraded process leads, rebuilds with its handlers and tells its listeners.
    await leaderRun.stop();
    oldLeads = false;
    newLeads = true;
    for (const l of listeners) l(true);
    await until('the new leader leads', () => followerRun.leading, 5_000);
    await upgraded.indexer.waitFor(await chain.blockNumber(), 10_000);
    assert.equal(upgraded.rows.get(id), '2');
    assert.equal(upgraded.rows.get(`${vehicleId}:${app2}`), '2');
    const stored = await stores[1]!.db.selectFrom('test_grants' as never).selectAll().execute() as { id: string; v: string }[];
    assert.ok(stored.length >= 2 && stored.every((r) => r.v === '2'));
  });
});
