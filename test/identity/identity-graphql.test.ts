// The identity GraphQL at /identity/query on a real node: a vehicle with its devices and grants, and
// vehicles by owner with cursor paging across pages.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { getAddress } from 'viem';
import { getIdentityRuntime } from '../../src/identity/identity-runtime.ts';
import { attachChainFixture, SOURCE, type ChainFixture } from './support/identity-fixture.ts';
import { startTestNode, type TestNode } from './support/test-node.ts';

let node: TestNode;
let chain: ChainFixture;
before(async () => {
  node = await startTestNode();
  const c = node.node.services.chain;
  chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
});
after(() => node?.stop());

async function gql(query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; data: any; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const res = await fetch(`${node.baseUrl}/identity/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const json = (await res.json()) as { data: any; errors?: { message: string; extensions?: { code?: string } }[] };
  return { status: res.status, ...json };
}

/** Waits until the node's mirror has every block mined so far. */
async function mirrored(): Promise<void> {
  await getIdentityRuntime(node.node.services).mirror.indexer.waitFor(await chain.blockNumber());
}

it('vehicle(tokenId) shows owner, definition, devices and active grants', async () => {
  const { alice, app, app2 } = chain.actors;
  const vehicleId = await chain.mintVehicle(alice);
  const connectionId = await chain.mintConnection('Tesla Fleet API');
  const sd = await chain.mintSynthetic(connectionId, vehicleId, alice);
  const manufacturerId = await chain.mintManufacturer('AutoPi');
  const ad = await chain.mintAftermarket(manufacturerId);
  await chain.claimAndPair(ad.id, ad.device, alice, vehicleId);
  const expiration = (await chain.now()) + 3600n;
  await chain.grant(alice, vehicleId, app.address, [1, 6], expiration);
  await chain.grantAccount(alice, app2.address, [8]);
  await mirrored();

  const res = await gql(
    `query ($id: Int!) { vehicle(tokenId: $id) {
      tokenId tokenDID owner mintedAt definition { make model year }
      syntheticDevice { tokenId address integrationId mintedAt connection { name address } vehicle { tokenId } }
      aftermarketDevice { tokenId address owner manufacturer { name tokenId } pairedAt claimedAt }
      sacds { totalCount nodes { grantee permissions expiresAt source accountWide } }
      sacd(grantee: "${app.address.toLowerCase()}") { permissions }
    } }`,
    { id: Number(vehicleId) },
  );
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const v = res.data.vehicle;
  assert.equal(v.tokenId, Number(vehicleId));
  assert.equal(v.tokenDID, `did:erc721:${chain.chainId}:${chain.contracts.VehicleId}:${vehicleId}`);
  assert.equal(v.owner, alice.address, 'addresses are checksummed');
  assert.match(v.mintedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(v.definition, { make: 'Tesla', model: 'Model 3', year: 2022 });
  assert.equal(v.syntheticDevice.tokenId, Number(sd.id));
  assert.equal(v.syntheticDevice.address, sd.device.address);
  assert.equal(v.syntheticDevice.integrationId, Number(connectionId));
  assert.deepEqual(v.syntheticDevice.connection, { name: 'Tesla Fleet API', address: chain.actors.provider.address });
  assert.equal(v.syntheticDevice.vehicle.tokenId, Number(vehicleId));
  assert.equal(v.aftermarketDevice.tokenId, Number(ad.id));
  assert.equal(v.aftermarketDevice.owner, alice.address);
  assert.deepEqual(v.aftermarketDevice.manufacturer, { name: 'AutoPi', tokenId: Number(manufacturerId) });
  assert.ok(v.aftermarketDevice.pairedAt && v.aftermarketDevice.claimedAt);
  assert.equal(v.sacds.totalCount, 2);
  const perVehicle = v.sacds.nodes.find((s: { accountWide: boolean }) => !s.accountWide);
  assert.deepEqual(perVehicle, {
    grantee: getAddress(app.address),
    permissions: '0x300c',
    expiresAt: new Date(Number(expiration) * 1000).toISOString().replace('.000Z', 'Z'),
    source: SOURCE,
    accountWide: false,
  });
  assert.equal(v.sacds.nodes.find((s: { accountWide: boolean }) => s.accountWide).grantee, app2.address);
  assert.deepEqual(v.sacd, { permissions: '0x300c' });

  const missing = await gql('{ vehicle(tokenId: 999999) { tokenId } }');
  assert.equal(missing.errors?.[0]?.extensions?.code, 'ODM_ERR_NOT_FOUND');

  const byAddress = await gql(`{ aftermarketDevice(by: { address: "${ad.device.address}" }) { tokenId vehicle { tokenId } } }`);
  assert.deepEqual(byAddress.data.aftermarketDevice, { tokenId: Number(ad.id), vehicle: { tokenId: Number(vehicleId) } });
});

it('vehicles(filterBy: {owner}) pages with cursors, newest first', async () => {
  const { bob } = chain.actors;
  const minted: number[] = [];
  for (let i = 0; i < 5; i++) minted.push(Number(await chain.mintVehicle(bob)));
  await mirrored();
  const expected = [...minted].sort((a, b) => b - a);
  const query = `query ($owner: Address!, $after: String) {
    vehicles(filterBy: { owner: $owner }, first: 2, after: $after) {
      totalCount edges { cursor node { tokenId owner } } nodes { tokenId } pageInfo { hasNextPage endCursor hasPreviousPage }
    } }`;
  const seen: number[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const res = await gql(query, { owner: bob.address, after });
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const page = res.data.vehicles;
    assert.equal(page.totalCount, 5);
    assert.equal(page.pageInfo.hasPreviousPage, pages > 0);
    for (const edge of page.edges) assert.equal(edge.node.owner, bob.address);
    seen.push(...page.nodes.map((n: { tokenId: number }) => n.tokenId));
    pages++;
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen, expected);

  const last = await gql(`{ vehicles(filterBy: { owner: "${bob.address}" }, last: 2) { nodes { tokenId } pageInfo { hasPreviousPage hasNextPage } } }`);
  assert.deepEqual(last.data.vehicles.nodes.map((n: { tokenId: number }) => n.tokenId), expected.slice(3));
  assert.deepEqual(last.data.vehicles.pageInfo, { hasPreviousPage: true, hasNextPage: false });

  const all = await gql('{ vehicles(first: 100) { totalCount } }');
  assert.ok(all.data.vehicles.totalCount >= 6);

  const badCursor = await gql(`{ vehicles(first: 2, after: "nope!") { totalCount } }`);
  assert.equal(badCursor.errors?.[0]?.extensions?.code, 'ODM_ERR_VALIDATION');
  const badAddress = await gql(`{ vehicles(filterBy: { owner: "bob" }) { totalCount } }`);
  assert.ok(badAddress.errors?.length);
  const tooMany = await gql('{ vehicles(first: 1000) { totalCount } }');
  assert.equal(tooMany.errors?.[0]?.extensions?.code, 'ODM_ERR_VALIDATION');
});

it('a transfer shows at once: new owner, grants gone', async () => {
  const { alice, carol, app } = chain.actors;
  const vehicleId = await chain.mintVehicle(alice);
  await chain.grant(alice, vehicleId, app.address, [1]);
  await chain.transfer(alice, carol.address, vehicleId);
  await mirrored();
  const res = await gql(`{ vehicle(tokenId: ${vehicleId}) { owner sacds { totalCount } } }`);
  assert.deepEqual(res.data.vehicle, { owner: carol.address, sacds: { totalCount: 0 } });
  const privileged = await gql(`{ vehicles(filterBy: { privileged: "${carol.address}" }) { nodes { tokenId } } }`);
  assert.ok(privileged.data.vehicles.nodes.some((n: { tokenId: number }) => n.tokenId === Number(vehicleId)));
});
