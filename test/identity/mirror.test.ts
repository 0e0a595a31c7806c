// The identity mirror against a real anvil, on SQLite and PostgreSQL: confirmations, grants, revocation,
// transfer, expiry, account grants, restarts (no event missed or applied twice) and reorgs.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Kysely } from 'kysely';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { ChainIndexer } from '../../src/chain/indexer/chain-indexer.ts';
import { IdentityMirror } from '../../src/identity/identity-mirror.ts';
import type { Store } from '../../src/store/store.ts';
import { describeBothStores } from '../support/postgres.ts';
import { startChainFixture, type ChainFixture } from './support/identity-fixture.ts';

let chain: ChainFixture;
before(async () => {
  chain = await startChainFixture();
});
after(() => chain?.stop());

async function openMirror(store: Store, opts: { confirmations?: number; clock?: ManualClock } = {}) {
  const clock = opts.clock ?? new ManualClock(Number(await chain.now()) * 1000);
  const mirror = await IdentityMirror.open({
    store,
    publicClient: chain.pub,
    contracts: chain.contracts,
    abis: chain.abis,
    deploymentBlock: chain.deploymentBlock,
    confirmations: opts.confirmations ?? 0,
    logger: silentLogger(),
    clock,
    pollIntervalMs: 20,
  });
  return { mirror, clock };
}

/** Applies everything the mirror may apply now. */
async function drain(mirror: IdentityMirror): Promise<void> {
  while (await mirror.indexer.step()) {
    // keep stepping
  }
}

async function count(store: Store, table: string): Promise<number> {
  const row = await (store.db as unknown as Kysely<any>).selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describeBothStores('identity mirror', (target) => {
  it('a grant is visible to can() only after the configured confirmations', async () => {
    const store = await target.open();
    const { mirror } = await openMirror(store, { confirmations: 2 });
    const { alice, app } = chain.actors;
    const vehicle = await chain.mintVehicle(alice);
    await chain.grant(alice, vehicle, app.address, [1, 6]);
    await drain(mirror);
    assert.equal(mirror.access.can(app.address, vehicle, [1]), false, 'the grant block has no confirmations yet');
    await chain.mine(1);
    await drain(mirror);
    assert.equal(mirror.index.vehicles.has(vehicle), true, 'the mint block has two confirmations');
    assert.equal(mirror.access.can(app.address, vehicle, [1]), false, 'the grant block has one');
    await chain.mine(1);
    await drain(mirror);
    assert.equal(mirror.access.can(app.address, vehicle, [1, 6]), true);
    assert.equal(mirror.access.can(app.address.toLowerCase(), vehicle, [1]), true, 'addresses match in any case');
    assert.deepEqual(mirror.access.missing(app.address, vehicle, [1, 3, 6]), [3]);
    assert.equal(mirror.indexer.position.number, (await chain.blockNumber()) - 2n);
  });

  it('revoke and transfer deny; the new owner can grant again; old grants leave the tables', async () => {
    const store = await target.open();
    const { mirror } = await openMirror(store);
    const { alice, bob, app, app2 } = chain.actors;
    const vehicle = await chain.mintVehicle(alice);
    await chain.grant(alice, vehicle, app.address, [1]);
    await chain.grant(alice, vehicle, app2.address, [1, 3]);
    await drain(mirror);
    assert.equal(mirror.access.can(app.address, vehicle, [1]), true);
    await chain.revoke(alice, vehicle, app.address);
    await drain(mirror);
    assert.equal(mirror.access.can(app.address, vehicle, [1]), false, 'revoked');
    assert.equal(mirror.access.can(app2.address, vehicle, [3]), true, 'the other grant stays');

    await chain.transfer(alice, bob.address, vehicle);
    await drain(mirror);
    assert.equal(mirror.access.can(app2.address, vehicle, [3]), false, 'a transfer voids every grant');
    assert.equal(mirror.lookup.vehicle(vehicle)?.owner, bob.address.toLowerCase());
    assert.equal(mirror.lookup.vehicle(vehicle)?.version, 1);
    const rows = await store.db.selectFrom('identity_grants').selectAll().where('token_id', '=', String(vehicle)).execute();
    assert.deepEqual(rows, [], 'grants of the old version are gone from the table');

    await chain.grant(bob, vehicle, app2.address, [3]);
    await drain(mirror);
    assert.equal(mirror.access.can(app2.address, vehicle, [3]), true, 'the new owner grants again');
    // Back to alice: bob's grant is void too, and alice's old one does not come back.
    await chain.transfer(bob, alice.address, vehicle);
    await drain(mirror);
    assert.equal(mirror.access.can(app2.address, vehicle, [3]), false);
    assert.equal(mirror.access.can(app.address, vehicle, [1]), false);
  });

  it('a grant expiring exactly now is denied; one second earlier it is allowed', async () => {
    const store = await target.open();
    const { mirror, clock } = await openMirror(store);
    const { alice, app } = chain.actors;
    const vehicle = await chain.mintVehicle(alice);
    const expiration = (await chain.now()) + 600n;
    await chain.grant(alice, vehicle, app.address, [1], expiration);
    await drain(mirror);
    clock.set(Number(expiration - 1n) * 1000);
    assert.equal(mirror.access.can(app.address, vehicle, [1]), true);
    clock.set(Number(expiration) * 1000);
    assert.equal(mirror.access.can(app.address, vehicle, [1]), false, 'expiration > now is required');
  });

  it('account grants cover every vehicle the grantor owns, while it owns it', async () => {
    const store = await target.open();
    const { mirror } = await openMirror(store);
    const { alice, bob, app2 } = chain.actors;
    const mine = await chain.mintVehicle(alice);
    const other = await chain.mintVehicle(bob);
    await chain.grantAccount(alice, app2.address, [3, 4]);
    await drain(mirror);
    assert.equal(mirror.access.can(app2.address, mine, [3, 4]), true);
    assert.equal(mirror.access.can(app2.address, other, [3]), false);
    await chain.transfer(alice, bob.address, mine);
    await drain(mirror);
    assert.equal(mirror.access.can(app2.address, mine, [3]), false, 'the vehicle left the grantor');
    await chain.write(alice, 'Permissions', 'revokeAccount', [app2.address]);
    await drain(mirror);
    assert.equal(await count(store, 'identity_account_grants'), 0, 'the revoked account grant left the table');
  });

  it('devices: synthetic and aftermarket devices resolve to their vehicle by address', async () => {
    const store = await target.open();
    const { mirror } = await openMirror(store);
    const { alice } = chain.actors;
    const vehicle = await chain.mintVehicle(alice);
    const connection = await chain.mintConnection(`Conn ${target.dialect} ${Date.now()}`);
    const sd = await chain.mintSynthetic(connection, vehicle, alice);
    const maker = await chain.mintManufacturer(`Maker ${target.dialect} ${Date.now()}`);
    const ad = await chain.mintAftermarket(maker);
    await drain(mirror);
    assert.deepEqual(mirror.lookup.deviceByAddress(ad.device.address), { kind: 'aftermarket', tokenId: ad.id, vehicleId: undefined });
    await chain.claimAndPair(ad.id, ad.device, alice, vehicle);
    await drain(mirror);
    assert.deepEqual(mirror.lookup.deviceByAddress(sd.device.address), { kind: 'synthetic', tokenId: sd.id, vehicleId: vehicle });
    assert.deepEqual(mirror.lookup.deviceByAddress(ad.device.address.toLowerCase()), { kind: 'aftermarket', tokenId: ad.id, vehicleId: vehicle });
    assert.equal(mirror.index.aftermarketDevices.get(ad.id)?.owner, alice.address.toLowerCase());
    assert.equal(mirror.lookup.deviceByAddress('0x000000000000000000000000000000000000dEaD'), undefined);
  });

  it('restart: stop, more events, start again → every event applied exactly once', async () => {
    const store = await target.open();
    // A counting indexer beside the mirror: one row per (tx, log) and a running total, so a replayed event
    // would show as a total above the number of distinct events.
    const raw = store.db as unknown as Kysely<any>;
    await raw.schema.createTable('test_event_count').ifNotExists().addColumn('name', 'text', (c) => c.primaryKey()).addColumn('n', 'integer', (c) => c.notNull()).execute();
    const makeCounter = () => {
      const indexer = new ChainIndexer({
        name: 'test-count',
        store,
        publicClient: chain.pub,
        contracts: chain.contracts,
        abis: chain.abis,
        deploymentBlock: chain.deploymentBlock,
        confirmations: 0,
        logger: silentLogger(),
        pollIntervalMs: 20,
      });
      indexer.registerTables([{ name: 'test_event_count' as never, key: ['name'] }]);
      const bump = async (_e: unknown, w: import('../../src/chain/indexer/indexer-types.ts').MirrorWriter) => {
        const row = await w.get('test_event_count' as never, { name: 'total' });
        await w.put('test_event_count' as never, { name: 'total', n: Number(row?.n ?? 0) + 1 });
      };
      indexer.registerHandlers('Permissions', { PermissionsGranted: bump, PermissionsRevoked: bump });
      return indexer;
    };

    const { alice, app, app2 } = chain.actors;
    const { mirror } = await openMirror(store);
    const counter = makeCounter();
    await Promise.all([mirror.start(), counter.start()]);
    const vehicle = await chain.mintVehicle(alice);
    await chain.grant(alice, vehicle, app.address, [1]);
    const head1 = await chain.blockNumber();
    await Promise.all([mirror.indexer.waitFor(head1), counter.waitFor(head1)]);
    await Promise.all([mirror.stop(), counter.stop()]);

    // While the node is down.
    await chain.grant(alice, vehicle, app2.address, [1, 3]);
    await chain.revoke(alice, vehicle, app.address);
    await chain.grant(alice, vehicle, app.address, [6]);
    const head2 = await chain.blockNumber();

    const again = await openMirror(store);
    assert.equal(again.mirror.access.can(app.address, vehicle, [1]), true, 'the reloaded mirror starts where it stopped');
    const counter2 = makeCounter();
    await Promise.all([again.mirror.start(), counter2.start()]);
    await Promise.all([again.mirror.indexer.waitFor(head2), counter2.waitFor(head2)]);
    await Promise.all([again.mirror.stop(), counter2.stop()]);

    assert.equal(again.mirror.access.can(app.address, vehicle, [1]), false);
    assert.equal(again.mirror.access.can(app.address, vehicle, [6]), true);
    assert.equal(again.mirror.access.can(app2.address, vehicle, [1, 3]), true);
    const onChain = await chain.pub.getContractEvents({ address: chain.contracts.Permissions!, abi: chain.abis.Permissions!, fromBlock: chain.deploymentBlock, toBlock: head2 });
    const expected = onChain.filter((e) => (e as { eventName?: string }).eventName === 'PermissionsGranted' || (e as { eventName?: string }).eventName === 'PermissionsRevoked').length;
    const total = await raw.selectFrom('test_event_count').select('n').where('name', '=', 'total').executeTakeFirstOrThrow();
    assert.equal(total.n, expected, 'each event counted once across the restart');
    const grants = await store.db.selectFrom('identity_grants').select(['grantee']).where('token_id', '=', String(vehicle)).orderBy('grantee').execute();
    assert.deepEqual(grants.map((g) => g.grantee).sort(), [app.address.toLowerCase(), app2.address.toLowerCase()].sort());
  });

  it('a failing handler rolls back its whole block, which is applied exactly once when it succeeds', async () => {
    const store = await target.open();
    const raw = store.db as unknown as Kysely<any>;
    await raw.schema.createTable('test_block_count').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('n', 'integer', (c) => c.notNull()).execute();
    const indexer = new ChainIndexer({
      name: 'test-fail',
      store,
      publicClient: chain.pub,
      contracts: chain.contracts,
      abis: chain.abis,
      deploymentBlock: chain.deploymentBlock,
      confirmations: 0,
      logger: silentLogger(),
    });
    indexer.registerTables([{ name: 'test_block_count' as never, key: ['name'] }]);
    let armed = false;
    let calls = 0;
    indexer.registerHandlers('Permissions', {
      PermissionsGranted: async (_e, w) => {
        calls++;
        const row = await w.get('test_block_count' as never, { name: 'total' });
        await w.put('test_block_count' as never, { name: 'total', n: Number(row?.n ?? 0) + 1 });
        if (armed && calls === 2) throw new Error('simulated crash between two events of one block');
      },
    });
    while (await indexer.step()) {
      // catch up with earlier tests' blocks
    }
    const base = Number((await raw.selectFrom('test_block_count').select('n').where('name', '=', 'total').executeTakeFirst())?.n ?? 0);
    calls = 0;
    const { alice, app, app2 } = chain.actors;
    const vehicle = await chain.mintVehicle(alice);
    await chain.automine(false);
    try {
      const exp = (await chain.now()) + 3600n;
      const a = await chain.grantNoWait(alice, vehicle, app.address, [1], exp);
      const b = await chain.grantNoWait(alice, vehicle, app2.address, [1], exp);
      await chain.mine(1);
      await Promise.all([chain.pub.waitForTransactionReceipt({ hash: a }), chain.pub.waitForTransactionReceipt({ hash: b })]);
    } finally {
      await chain.automine(true);
    }
    const before = indexer.position.number;
    armed = true;
    await assert.rejects(indexer.step(), /simulated crash/);
    armed = false;
    assert.equal(indexer.position.number, before, 'the cursor did not move');
    const mid = await raw.selectFrom('test_block_count').select('n').where('name', '=', 'total').executeTakeFirst();
    assert.equal(Number(mid?.n ?? 0), base, 'the first event of the failed block was rolled back with it');
    while (await indexer.step()) {
      // retry
    }
    const end = await raw.selectFrom('test_block_count').select('n').where('name', '=', 'total').executeTakeFirstOrThrow();
    assert.equal(end.n, base + 2, 'both events applied exactly once');
  });

  it('reorg: events of an orphaned branch are undone and the canonical ones applied', async () => {
    const store = await target.open();
    const { mirror } = await openMirror(store);
    const { alice, bob, app, app2 } = chain.actors;
    const vehicle = await chain.mintVehicle(alice);
    await drain(mirror);
    const snapshot = await chain.snapshot();
    const forkAt = await chain.blockNumber();

    // Branch A: grant to app, transfer to bob, a new vehicle.
    await chain.grant(alice, vehicle, app.address, [1]);
    await chain.transfer(alice, bob.address, vehicle);
    const orphan = await chain.mintVehicle(bob);
    await drain(mirror);
    assert.equal(mirror.lookup.vehicle(vehicle)?.owner, bob.address.toLowerCase());
    assert.ok(mirror.lookup.vehicle(orphan));
    const undoRows = await count(store, 'chain_undo');
    assert.ok(undoRows > 0);

    // Branch B replaces it: only a grant to app2, then enough blocks to be longer.
    await chain.revert(snapshot);
    assert.equal(await chain.blockNumber(), forkAt);
    await chain.grant(alice, vehicle, app2.address, [3]);
    await chain.mine(3);
    await drain(mirror);

    assert.equal(mirror.lookup.vehicle(vehicle)?.owner, alice.address.toLowerCase(), 'the transfer is undone');
    assert.equal(mirror.lookup.vehicle(vehicle)?.version, 0);
    assert.equal(mirror.lookup.vehicle(orphan), undefined, 'the orphaned mint is gone');
    assert.equal(mirror.access.can(app.address, vehicle, [1]), false, 'the orphaned grant is gone');
    assert.equal(mirror.access.can(app2.address, vehicle, [3]), true, 'the canonical grant is there');
    // The tables agree with memory: reload from them and compare.
    const reloaded = await openMirror(store);
    assert.equal(reloaded.mirror.lookup.vehicle(orphan), undefined);
    assert.equal(reloaded.mirror.access.can(app2.address, vehicle, [3]), true);
    assert.equal(reloaded.mirror.access.can(app.address, vehicle, [1]), false);
    assert.equal(reloaded.mirror.index.vehicles.size, mirror.index.vehicles.size);
    const position = mirror.indexer.position;
    const header = await chain.pub.getBlock({ blockNumber: position.number });
    assert.equal(position.hash, header.hash, 'the cursor sits on a canonical block');
  });

  it('reorg to the same height with different blocks is detected too', async () => {
    const store = await target.open();
    const { mirror } = await openMirror(store);
    const { alice, app, app2 } = chain.actors;
    const vehicle = await chain.mintVehicle(alice);
    await drain(mirror);
    const snapshot = await chain.snapshot();
    await chain.grant(alice, vehicle, app.address, [1]);
    await drain(mirror);
    assert.equal(mirror.access.can(app.address, vehicle, [1]), true);
    await chain.revert(snapshot);
    await chain.grant(alice, vehicle, app2.address, [1]);
    await drain(mirror);
    assert.equal(mirror.access.can(app.address, vehicle, [1]), false);
    assert.equal(mirror.access.can(app2.address, vehicle, [1]), true);
  });
});
