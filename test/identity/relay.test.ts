// The relayer over real HTTP on a real node: owner-signed mint, grant, revoke and account grants land on
// chain and in the mirror; refusals come back as stable codes with 4xx statuses.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { getAccessCheck } from '../../src/consent/access-check.ts';
import { privilegesToMask } from '../../src/consent/privileges.ts';
import { getIdentityLookup } from '../../src/identity/identity-lookup.ts';
import { signAction } from '../../src/identity/sign-actions.ts';
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

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${node.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function relayMint(owner = chain.actors.alice): Promise<bigint> {
  const res = await post('/v1/relay/vehicles', await chain.signMint(owner));
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return BigInt(res.json.vehicleId);
}

it('a signed mint is relayed: on chain, in the mirror, gas paid by the node', async () => {
  const { alice } = chain.actors;
  const balance = await chain.pub.getBalance({ address: alice.address });
  const res = await post('/v1/relay/vehicles', await chain.signMint(alice));
  assert.equal(res.status, 201, JSON.stringify(res.json));
  assert.match(res.json.txHash, /^0x[0-9a-f]{64}$/);
  assert.equal(res.json.mirrored, true);
  const vehicleId = BigInt(res.json.vehicleId);
  assert.equal(await chain.read('VehicleId', 'ownerOf', [vehicleId]), alice.address);
  assert.equal(getIdentityLookup(node.node.services).vehicle(vehicleId)?.owner, alice.address.toLowerCase());
  assert.equal(await chain.pub.getBalance({ address: alice.address }), balance, 'the owner paid nothing');
});

it('a signed grant and revocation are relayed and the access check follows at once', async () => {
  const { alice, app } = chain.actors;
  const vehicleId = await relayMint();
  const access = getAccessCheck(node.node.services);
  assert.equal(access.can(app.address, vehicleId, [1, 3]), false);
  const grant = await post('/v1/relay/grants', await chain.signGrant(alice, vehicleId, app.address, [1, 3]));
  assert.equal(grant.status, 201, JSON.stringify(grant.json));
  assert.equal(grant.json.mirrored, true);
  assert.equal(await chain.read('Permissions', 'hasPrivilege', [chain.contracts.VehicleId, vehicleId, app.address, 3n]), true);
  assert.equal(access.can(app.address, vehicleId, [1, 3]), true);

  const nonce = await chain.read<bigint>('Permissions', 'nonces', [alice.address]);
  const deadline = (await chain.now()) + 600n;
  const target = { chainId: chain.chainId, verifyingContract: chain.contracts.Permissions! };
  const signature = await signAction(alice, 'Revoke', target, { asset: chain.contracts.VehicleId!, tokenId: vehicleId, grantee: app.address, nonce, deadline });
  const revoke = await post('/v1/relay/revocations', { tokenId: vehicleId.toString(), grantee: app.address, nonce: nonce.toString(), deadline: deadline.toString(), signature });
  assert.equal(revoke.status, 200, JSON.stringify(revoke.json));
  assert.equal(access.can(app.address, vehicleId, [1]), false);

  // Revoking again: there is no grant any more.
  const nonce2 = nonce + 1n;
  const again = await signAction(alice, 'Revoke', target, { asset: chain.contracts.VehicleId!, tokenId: vehicleId, grantee: app.address, nonce: nonce2, deadline });
  const missing = await post('/v1/relay/revocations', { tokenId: vehicleId.toString(), grantee: app.address, nonce: nonce2.toString(), deadline: deadline.toString(), signature: again });
  assert.equal(missing.status, 404);
  assert.equal(missing.json.code, 'ODM_ERR_GRANT_NOT_FOUND');
});

it('account grants are relayed too', async () => {
  const { carol, app2 } = chain.actors;
  const vehicleId = await relayMint(carol);
  const nonce = await chain.read<bigint>('Permissions', 'nonces', [carol.address]);
  const deadline = (await chain.now()) + 600n;
  const expiration = (await chain.now()) + 86_400n;
  const permissions = privilegesToMask([8]);
  const signature = await signAction(carol, 'GrantAccount', { chainId: chain.chainId, verifyingContract: chain.contracts.Permissions! }, { grantee: app2.address, permissions, expiration, source: SOURCE, nonce, deadline });
  const res = await post('/v1/relay/account-grants', {
    grantor: carol.address,
    grantee: app2.address,
    permissions: `0x${permissions.toString(16)}`,
    expiration: expiration.toString(),
    source: SOURCE,
    nonce: Number(nonce),
    deadline: deadline.toString(),
    signature,
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  assert.equal(getAccessCheck(node.node.services).can(app2.address, vehicleId, [8]), true);
});

it('refusals carry stable codes: bad signature, expired deadline, replay, non-owner, bad body', async () => {
  const { alice, bob, app } = chain.actors;
  const forged = await post('/v1/relay/vehicles', await chain.signMint(alice, { signer: bob }));
  assert.equal(forged.status, 401);
  assert.equal(forged.json.code, 'ODM_ERR_SIGNATURE_INVALID');
  assert.equal(forged.json.details.contractError, 'InvalidSignature');

  const expired = await post('/v1/relay/vehicles', await chain.signMint(alice, { deadline: (await chain.now()) - 1n }));
  assert.equal(expired.status, 400);
  assert.equal(expired.json.code, 'ODM_ERR_SIGNATURE_EXPIRED');

  const signed = await chain.signMint(alice);
  assert.equal((await post('/v1/relay/vehicles', signed)).status, 201);
  const replay = await post('/v1/relay/vehicles', signed);
  assert.equal(replay.status, 409);
  assert.equal(replay.json.code, 'ODM_ERR_NONCE_INVALID');

  // Bob signs a grant on alice's vehicle: the contract checks the current owner's signature.
  const vehicleId = await relayMint(alice);
  const notOwner = await chain.signGrant(bob, vehicleId, app.address, [1]);
  const refused = await post('/v1/relay/grants', notOwner);
  assert.equal(refused.status, 401);
  assert.equal(refused.json.code, 'ODM_ERR_SIGNATURE_INVALID');

  const badBody = await post('/v1/relay/grants', { tokenId: 'one', grantee: 'nobody' });
  assert.equal(badBody.status, 400);
  assert.equal(badBody.json.code, 'ODM_ERR_VALIDATION');
  assert.ok(badBody.json.details.issues.some((i: { path: string }) => i.path === 'grantee'));

  const badMask = await post('/v1/relay/grants', { ...(await chain.signGrant(alice, vehicleId, app.address, [1])), permissions: '4' });
  assert.ok([400, 401].includes(badMask.status), 'a mask the owner did not sign is a bad signature, or an invalid mask');
  assert.ok(['ODM_ERR_SIGNATURE_INVALID', 'ODM_ERR_PERMISSIONS_INVALID'].includes(badMask.json.code));
});

it('concurrent relays from many owners all land (one nonce queue)', async () => {
  const { alice, bob, carol, stranger, app } = chain.actors;
  const owners = [alice, bob, carol, stranger, app];
  const bodies = await Promise.all(owners.map((o) => chain.signMint(o)));
  const results = await Promise.all(bodies.map((b) => post('/v1/relay/vehicles', b)));
  for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(new Set(results.map((r) => r.json.vehicleId)).size, owners.length);
});

it('signing info names the domains and the next nonces', async () => {
  const { alice } = chain.actors;
  const res = await fetch(`${node.baseUrl}/v1/relay/signing/${alice.address}`);
  assert.equal(res.status, 200);
  const info = (await res.json()) as { chainId: number; contracts: Record<string, { nonce: string; domain: { verifyingContract: string } }> };
  assert.equal(info.chainId, chain.chainId);
  assert.equal(info.contracts.VehicleId!.domain.verifyingContract, chain.contracts.VehicleId);
  assert.equal(BigInt(info.contracts.VehicleId!.nonce), await chain.read<bigint>('VehicleId', 'nonces', [alice.address]));
  const bad = await fetch(`${node.baseUrl}/v1/relay/signing/alice`);
  assert.equal(bad.status, 400);
});
