// Cluster fault: the leading indexer process is SIGKILLed while vehicles are minted and transferred on
// chain. The other indexer-role process takes the leader lease within 10 s, and the chain mirror neither
// skips nor double-applies an event: the api process's identity GraphQL lists each vehicle exactly once
// with its current owner, and the mirror's undo log shows each mint applied once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import type { NodeProcess } from '../../src/cluster/harness/node-process.ts';
import { clusterForTest, eventually, health } from './support/cluster-fixture.ts';
import { attachClusterChain } from './support/fleet.ts';

const TAKEOVER_MS = 10_000;

test('killing the leading indexer: another takes over within 10 s, no chain event skipped or applied twice', { timeout: 240_000 }, async (t) => {
  const cluster = await clusterForTest(t, { ingest: 0, api: 1, indexers: 2 });
  if (!cluster) return;
  const chain = await attachClusterChain(cluster);
  const { alice, carol } = chain.actors;
  const leaderOf = async (procs: NodeProcess[]) => {
    const bodies = await Promise.all(procs.map((p) => health(p.url)));
    const leaders = procs.filter((_, i) => bodies[i]?.checks.leader?.detail.startsWith('leader'));
    return leaders.length === 1 ? leaders[0] : undefined;
  };
  const indexers = cluster.byRole('indexer');
  const leader = await eventually('exactly one indexer leads', 20_000, () => leaderOf(indexers));
  const follower = indexers.find((p) => p !== leader)!;

  const api = cluster.byRole('api')[0]!;
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${api.url}/identity/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  };
  const ownedBy = async (owner: string): Promise<number[]> => {
    const res = await gql('query ($o: Address!) { vehicles(filterBy: { owner: $o }, first: 100) { totalCount nodes { tokenId } } }', { o: owner });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const ids = res.data.vehicles.nodes.map((n: { tokenId: number }) => n.tokenId) as number[];
    assert.equal(res.data.vehicles.totalCount, ids.length);
    return ids.sort((a, b) => a - b);
  };
  const sameSet = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

  const before: number[] = [];
  for (let i = 0; i < 3; i++) before.push(Number(await chain.mintVehicle(carol)));
  await eventually('the api sees the vehicles minted before the kill', 20_000, async () => sameSet(await ownedBy(carol.address), before));

  await leader!.kill('SIGKILL');
  const killedAt = Date.now();
  // Chain activity while nobody leads: mints, and a transfer of an earlier vehicle.
  const after: number[] = [];
  for (let i = 0; i < 3; i++) after.push(Number(await chain.mintVehicle(carol)));
  await chain.transfer(carol, alice.address, BigInt(before[0]!));

  const newLeader = await eventually('the other indexer leads', 30_000, () => leaderOf([follower]));
  const tookOverMs = Date.now() - killedAt;
  t.diagnostic(`${newLeader!.name} took over ${tookOverMs} ms after ${leader!.name} was killed`);
  assert.ok(tookOverMs <= TAKEOVER_MS, `take-over in ${tookOverMs} ms (limit ${TAKEOVER_MS})`);

  const expectedCarol = [...before.slice(1), ...after].sort((a, b) => a - b);
  await eventually('the api sees every vehicle with its current owner', 20_000, async () =>
    sameSet(await ownedBy(carol.address), expectedCarol) && sameSet(await ownedBy(alice.address), [before[0]!]));
  for (const id of [...before, ...after]) {
    const owner = await chain.read<string>('VehicleId', 'ownerOf', [BigInt(id)]);
    assert.equal(owner.toLowerCase(), (id === before[0] ? alice.address : carol.address).toLowerCase(), `vehicle ${id} owner on chain`);
  }

  // The mirror tables themselves: each vehicle once, the cursor at the head, and no mint applied over an
  // existing row (the undo log records the row a write replaced; a second application of a mint would
  // replace the first one's row).
  const db = new pg.Client({ connectionString: cluster.postgres.url });
  await db.connect();
  try {
    const rows = await db.query<{ token_id: string; owner: string }>('select token_id, owner from identity_vehicles');
    const minted = [...before, ...after].map(String);
    for (const id of minted) assert.equal(rows.rows.filter((r) => r.token_id === id).length, 1, `vehicle ${id} mirrored once`);
    const undo = await db.query<{ row_key: string; before_row: string | null; block_number: string }>(
      "select row_key, before_row, block_number from chain_undo where table_name = 'identity_vehicles'");
    const replacedMints = undo.rows.filter((u) => {
      const id = String((JSON.parse(u.row_key) as { token_id: unknown }).token_id);
      return minted.includes(id) && id !== String(before[0]) && u.before_row !== null;
    });
    t.diagnostic(`undo log entries for identity_vehicles still kept: ${undo.rows.length}`);
    assert.deepEqual(replacedMints, [], 'no VehicleMinted applied twice');
    const head = await chain.blockNumber();
    const cursors = await db.query<{ name: string; block_number: string }>('select name, block_number from chain_cursors');
    const identity = cursors.rows.find((c) => c.name === 'identity');
    assert.ok(identity && BigInt(identity.block_number) >= head, `identity cursor at the head (${identity?.block_number} vs ${head})`);
  } finally {
    await db.end();
  }
});
