// End to end on a real node (embedded anvil, SQLite, the real ingest pipeline and vault, owner sign-in,
// activity log) against the OEM emulator, both on one manual clock: an owner connects a Tesla through
// OAuth, signs the returned EIP-712 payloads with their wallet, the node mints the vehicle and the
// synthetic device and polls; first data lands in the vault. Then pause/resume, commands with and
// without privilege 2, disconnect (burn + shred), and a Smartcar login that dies and is renewed.
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { keccak256, parseAbi, toHex, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type LocalAccount } from 'viem/accounts';
import type { CallRecord } from '../../emulator/index.ts';
import type { VehicleProfile } from '../../emulator/fleet/fleet.ts';
import { control, http, REDIRECT_URI, startTestEmulator, type TestEmulator } from '../../emulator/testing.ts';
import { activityCapability } from '../../src/activity/activity-capability.ts';
import { getActivityLog } from '../../src/activity/activity-log.ts';
import { ownerAuthCapability } from '../../src/api/auth/owner-auth-capability.ts';
import { compileContractsDetailed } from '../../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../../src/chain/testing.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { privilegesToMask } from '../../src/consent/privileges.ts';
import { appRequestMessage, APP_SIGNATURE_HEADER, APP_TIMESTAMP_HEADER } from '../../src/connectors/commands/app-request-auth.ts';
import { getConnectors } from '../../src/connectors/connectors-context.ts';
import { createConnectorsCapability } from '../../src/connectors/connectors-capability.ts';
import type { JsonTypedData } from '../../src/connectors/onboarding/signing-payloads.ts';
import { getIdentityLookup } from '../../src/identity/identity-lookup.ts';
import { identityCapability } from '../../src/identity/identity-capability.ts';
import { signAction } from '../../src/identity/sign-actions.ts';
import { getIngestService, ingestCapability } from '../../src/ingest/ingest-capability.ts';
import { startNode, type NodeHandle } from '../../src/node/start-node.ts';

let emu: TestEmulator;
let node: NodeHandle;
let cleanup: () => Promise<void>;
let base: string;
const owner = privateKeyToAccount(generatePrivateKey());

/** The first moment some Tesla drives for `forMs` without stopping. */
function drivingFor(forMs: number): { vehicle: VehicleProfile; at: number } {
  const t0 = emu.base.now();
  for (let t = t0; t < t0 + 3 * 86_400_000; t += 60_000) {
    for (const v of emu.state.fleet.vehicles) {
      if (v.oem !== 'tesla') continue;
      let ok = true;
      for (let u = t; u <= t + forMs && ok; u += 15_000) ok = emu.state.snapshot(v, u).activity === 'driving';
      if (ok) return { vehicle: v, at: t };
    }
  }
  throw new Error('no Tesla drives long enough');
}

before(async () => {
  emu = await startTestEmulator({ seed: 'connectors-e2e', fleet: { tesla: 6, smartcar: 4 } });
  const temp = await makeTempDir('connectors-node');
  const logger = silentLogger();
  const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
  await mkdir(join(temp.dir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
  const config = loadConfig({
    mode: 'dev', env: {},
    overrides: {
      dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1,
      'connectors.tesla.clientId': 'opendimo-tesla-client', 'connectors.tesla.clientSecret': 'opendimo-tesla-secret',
      'connectors.tesla.authUrl': emu.urls.tesla.auth, 'connectors.tesla.apiUrlNa': emu.urls.tesla.na, 'connectors.tesla.apiUrlEu': emu.urls.tesla.eu,
      'connectors.tesla.redirectUri': REDIRECT_URI,
      'connectors.smartcar.clientId': 'opendimo-smartcar-client', 'connectors.smartcar.clientSecret': 'opendimo-smartcar-secret',
      'connectors.smartcar.connectUrl': emu.urls.smartcar.connect, 'connectors.smartcar.authUrl': emu.urls.smartcar.auth, 'connectors.smartcar.apiUrl': emu.urls.smartcar.api,
      'connectors.smartcar.redirectUri': REDIRECT_URI, 'connectors.smartcar.mode': 'simulated',
    },
  });
  node = await startNode(config, {
    logger, clock: emu.base,
    capabilities: [identityCapability, ingestCapability, ownerAuthCapability, activityCapability, createConnectorsCapability({ manualScheduling: true, random: () => 1, commands: { wakeWaitMs: 100, wakePollMs: 20 } })],
  });
  base = node.urls.http;
  cleanup = async () => {
    await node.stop();
    await temp.cleanup();
    await emu.stop();
  };
});

after(async () => {
  await cleanup?.();
});

interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

async function call(method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${base}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

async function signIn(account: LocalAccount): Promise<string> {
  const challenge = await call('POST', '/v1/owner/auth/challenge', { body: { address: account.address } });
  const signature = await account.signMessage({ message: challenge.json.message });
  const verified = await call('POST', '/v1/owner/auth/verify', { body: { message: challenge.json.message, signature } });
  assert.equal(verified.status, 200, JSON.stringify(verified.json));
  return verified.json.token;
}

/** A wallet signs the JSON payload as returned: uint fields go back to bigints first. */
async function signPayload(account: LocalAccount, td: JsonTypedData): Promise<Hex> {
  const fields = td.types[td.primaryType]!;
  const message: Record<string, unknown> = {};
  for (const f of fields) message[f.name] = f.type.startsWith('uint') ? BigInt(td.message[f.name]!) : td.message[f.name];
  return account.signTypedData({ domain: { ...td.domain, verifyingContract: td.domain.verifyingContract as Address }, types: td.types, primaryType: td.primaryType, message } as unknown as Parameters<LocalAccount['signTypedData']>[0]);
}

/** OEM login without a browser: follow the authorize URL with the emulator's auto-approve. */
async function oemLogin(token: string, oem: 'tesla' | 'smartcar', account: string): Promise<Answer> {
  const auth = await call('POST', `/v1/connections/${oem}/authorize`, { token });
  assert.equal(auth.status, 200, JSON.stringify(auth.json));
  const redirect = await http(`${auth.json.authorizeUrl}&login_hint=${account}&auto=1`);
  const back = new URL(redirect.headers.get('location')!);
  assert.equal(back.searchParams.get('state'), auth.json.state);
  return call('GET', `/v1/connections/${oem}/callback?code=${encodeURIComponent(back.searchParams.get('code')!)}&state=${encodeURIComponent(auth.json.state)}`, { token });
}

async function activate(token: string, oem: string, v: { oemVehicleId: string; signing: { vehicle?: JsonTypedData; syntheticDevice: JsonTypedData } }): Promise<Answer> {
  const body = {
    ...(v.signing.vehicle ? { vehicle: { message: v.signing.vehicle.message, signature: await signPayload(owner, v.signing.vehicle) } } : {}),
    syntheticDevice: { message: v.signing.syntheticDevice.message, signature: await signPayload(owner, v.signing.syntheticDevice) },
  };
  return call('POST', `/v1/connections/${oem}/vehicles/${v.oemVehicleId}/activate`, { token, body });
}

async function callsOf(vehicleKey: string, sinceSeq = 0): Promise<CallRecord[]> {
  return (await control<{ calls: CallRecord[] }>(emu, 'GET', `/calls?vehicle=${vehicleKey}&sinceSeq=${sinceSeq}&limit=100000`)).calls;
}
async function lastSeq(): Promise<number> {
  return (await control<{ calls: CallRecord[] }>(emu, 'GET', '/calls?limit=1')).calls.at(-1)?.seq ?? 0;
}
async function advance(ms: number, step = 30_000): Promise<void> {
  const runtime = getConnectors(node.services).runtime;
  for (let left = ms; left > 0; left -= step) {
    emu.base.advance(Math.min(step, left));
    await runtime.runDue();
  }
}

async function commandAs(app: LocalAccount, vehicleId: string, command: 'lock' | 'unlock'): Promise<Answer> {
  const path = `/v1/vehicles/${vehicleId}/commands/${command}`;
  const ts = emu.base.now();
  const signature = await app.signMessage({ message: appRequestMessage('POST', path, ts, '') });
  return call('POST', path, { headers: { [APP_SIGNATURE_HEADER]: signature, [APP_TIMESTAMP_HEADER]: String(ts) } });
}

test('Tesla: OAuth, owner-signed mints on chain, first data in the vault, pause/resume, commands, disconnect', async () => {
  const { vehicle, at } = drivingFor(20 * 60_000);
  emu.base.set(at);
  let token = await signIn(owner);

  // The OAuth state is bound to the owner who asked for it.
  const stranger = await signIn(privateKeyToAccount(generatePrivateKey()));
  const auth = await call('POST', '/v1/connections/tesla/authorize', { token });
  assert.match(auth.json.authorizeUrl, /code_challenge=[A-Za-z0-9_-]{43}&code_challenge_method=S256/);
  const stolen = await call('GET', `/v1/connections/tesla/callback?code=x&state=${encodeURIComponent(auth.json.state)}`, { token: stranger });
  assert.equal(stolen.status, 400);
  assert.equal(stolen.json.code, 'ODM_ERR_OAUTH_STATE_INVALID');
  assert.equal((await call('POST', '/v1/connections/tesla/authorize')).status, 401, 'owner routes need the owner');

  const cb = await oemLogin(token, 'tesla', vehicle.accountId);
  assert.equal(cb.status, 200, JSON.stringify(cb.json));
  const mine = cb.json.vehicles.find((v: { oemVehicleId: string }) => v.oemVehicleId === vehicle.oemId);
  assert.equal(mine.state, 'pending');
  assert.equal(mine.make, 'Tesla');
  assert.ok(mine.signing.vehicle && mine.signing.syntheticDevice);
  assert.equal(mine.signing.syntheticDevice.message.device, mine.deviceAddress);
  // No VIN and no token leaves the node or sits in its tables in the clear.
  assert.ok(!JSON.stringify(cb.json).includes(vehicle.vin));
  const db = node.services.store.db;
  const accountRow = await db.selectFrom('connector_accounts').selectAll().executeTakeFirstOrThrow();
  const tokens = (await control<{ grants: Array<{ accountId: string; access: Array<{ token: string }>; refresh: Array<{ token: string }> }> }>(emu, 'GET', `/tokens?account=${vehicle.accountId}`)).grants;
  const secrets = tokens.flatMap((g) => [...g.access, ...g.refresh].map((t) => t.token));
  const dump = JSON.stringify(await db.selectFrom('connector_vehicles').selectAll().execute()) + Buffer.from(accountRow.tokens!).toString('latin1');
  for (const s of [...secrets, vehicle.vin]) assert.ok(!dump.includes(s), 'no plaintext token or VIN at rest');

  const activated = await activate(token, 'tesla', mine);
  assert.equal(activated.status, 201, JSON.stringify(activated.json));
  const { vehicleId, syntheticDeviceId, deviceAddress } = activated.json;
  // Minted on the real chain: the vehicle to the owner, the device under the node's Tesla connection.
  const lookup = getIdentityLookup(node.services);
  assert.equal(lookup.vehicle(BigInt(vehicleId))?.owner, owner.address.toLowerCase());
  assert.deepEqual(lookup.deviceByAddress(deviceAddress), { kind: 'synthetic', tokenId: BigInt(syntheticDeviceId), vehicleId: BigInt(vehicleId) });
  const pub = node.services.chain.clients.publicClient;
  const [, connectionId] = await pub.readContract({
    address: node.services.chain.contracts.SyntheticDevice!, abi: parseAbi(['function deviceOf(uint256) view returns ((uint256 vehicleId, uint256 connectionId, address device))']), functionName: 'deviceOf', args: [BigInt(syntheticDeviceId)],
  }).then((d) => [d.vehicleId, d.connectionId] as const);
  const teslaConnection = await pub.readContract({ address: node.services.chain.contracts.Connections!, abi: parseAbi(['function idOfName(string) view returns (uint256)']), functionName: 'idOfName', args: ['Tesla'] });
  assert.equal(connectionId, teslaConnection);

  // First poll: the car is driving, so data comes, signed by the device key and stored by the pipeline.
  await getConnectors(node.services).runtime.runDue();
  const svc = getIngestService(node.services);
  await svc.vault.flush();
  const latest = await svc.vault.reader.latest(vehicleId, lookup.vehicle(BigInt(vehicleId))!.version);
  assert.ok(latest, 'first data landed in the vault');
  assert.equal(latest.signals.speed?.[0], emu.base.now(), 'stamped with the data time');
  assert.ok(typeof latest.signals.speed?.[1] === 'number');
  assert.ok(latest.signals.powertrainTransmissionTravelledDistance);

  let list = await call('GET', '/v1/connections', { token });
  const conn = list.json.connections.find((c: { oemVehicleId: string }) => c.oemVehicleId === vehicle.oemId);
  assert.equal(conn.state, 'active');
  assert.equal(conn.pollState, 'driving');
  assert.equal(conn.vehicleId, vehicleId);

  // Pause: no calls at all for the car; resume: polling again.
  assert.equal((await call('POST', `/v1/connections/${conn.id}/pause`, { token })).json.state, 'paused');
  let seq = await lastSeq();
  await advance(10 * 60_000);
  assert.deepEqual(await callsOf(vehicle.key, seq), []);
  assert.equal((await call('POST', `/v1/connections/${conn.id}/resume`, { token })).json.state, 'active');
  seq = await lastSeq();
  await advance(60_000);
  assert.ok((await callsOf(vehicle.key, seq)).some((c) => c.path.endsWith('/vehicle_data') && c.status === 200));

  // Commands: refused without privilege 2, executed through the OEM with it, recorded for the owner.
  const app = privateKeyToAccount(generatePrivateKey());
  const refused = await commandAs(app, vehicleId, 'lock');
  assert.equal(refused.status, 403);
  assert.equal(refused.json.code, 'ODM_ERR_CONSENT_MISSING');
  assert.deepEqual(refused.json.details.missing, [2]);
  const contracts = node.services.chain.contracts;
  const chainNow = (await pub.getBlock()).timestamp;
  const nonce = await pub.readContract({ address: contracts.Permissions!, abi: parseAbi(['function nonces(address) view returns (uint256)']), functionName: 'nonces', args: [owner.address] });
  const grant = { asset: contracts.VehicleId!, tokenId: BigInt(vehicleId), grantee: app.address, permissions: privilegesToMask([2]), expiration: chainNow + 31_536_000n, source: keccak256(toHex('commands for the test app')), nonce, deadline: chainNow + 3600n };
  const signature = await signAction(owner, 'Grant', { chainId: node.services.chain.chainId, verifyingContract: contracts.Permissions! }, grant);
  const granted = await call('POST', '/v1/relay/grants', { body: { ...Object.fromEntries(Object.entries(grant).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])), signature } });
  assert.equal(granted.status, 201, JSON.stringify(granted.json));
  const locked = await commandAs(app, vehicleId, 'lock');
  assert.equal(locked.status, 200, JSON.stringify(locked.json));
  assert.equal(locked.json.result, 'ok');
  assert.equal(emu.state.interaction(vehicle).lock?.locked, true);
  assert.ok((await callsOf(vehicle.key, seq)).some((c) => c.path.endsWith('/command/door_lock') && c.status === 200));
  const badSig = await call('POST', `/v1/vehicles/${vehicleId}/commands/unlock`, { headers: { [APP_SIGNATURE_HEADER]: '0x' + '11'.repeat(65), [APP_TIMESTAMP_HEADER]: String(emu.base.now()) } });
  assert.equal(badSig.status, 401);
  const activity = await getActivityLog(node.services).list(owner.address, { kinds: ['command'] });
  assert.equal(activity.entries.length, 1);
  assert.equal(activity.entries[0]!.app?.address, app.address.toLowerCase());
  assert.deepEqual(activity.entries[0]!.privileges, [2]);
  assert.equal(activity.entries[0]!.detail?.command, 'lock');

  // Disconnect every connection of the account: the device is burned, polling stops, tokens are shredded.
  token = await signIn(owner);
  list = await call('GET', '/v1/connections', { token });
  for (const c of list.json.connections) {
    const gone = await call('DELETE', `/v1/connections/${c.id}`, { token });
    assert.equal(gone.status, 200, JSON.stringify(gone.json));
    if (c.id === conn.id) assert.match(gone.json.burnTxHash, /^0x[0-9a-f]{64}$/);
  }
  assert.equal(lookup.deviceByAddress(deviceAddress), undefined, 'the synthetic device is burned');
  const shredded = await db.selectFrom('connector_accounts').selectAll().where('account_id', '=', accountRow.account_id).executeTakeFirstOrThrow();
  assert.equal(shredded.token_key, null);
  assert.equal(shredded.tokens, null);
  assert.equal(shredded.state, 'disconnected');
  seq = await lastSeq();
  await advance(10 * 60_000);
  assert.deepEqual(await callsOf(vehicle.key, seq), []);
  list = await call('GET', '/v1/connections', { token });
  assert.ok(list.json.connections.every((c: { state: string }) => c.state === 'disconnected'));
  const kinds = (await getActivityLog(node.services).list(owner.address, { kinds: ['pause', 'resume', 'disconnect'] })).entries.map((e) => e.kind);
  assert.ok(kinds.includes('pause') && kinds.includes('resume') && kinds.includes('disconnect'));

  // Connecting the same car again: its vehicle NFT is reused, the device key is a new one (an address
  // once registered on chain can never be used again), and data flows again.
  const back = await oemLogin(token, 'tesla', vehicle.accountId);
  const again = back.json.vehicles.find((v: { oemVehicleId: string }) => v.oemVehicleId === vehicle.oemId);
  assert.equal(again.state, 'pending');
  assert.equal(again.vehicleId, vehicleId);
  assert.equal(again.signing.vehicle, undefined, 'no second vehicle mint');
  assert.notEqual(again.deviceAddress, deviceAddress);
  const reactivated = await activate(token, 'tesla', again);
  assert.equal(reactivated.status, 201, JSON.stringify(reactivated.json));
  assert.equal(reactivated.json.vehicleId, vehicleId);
  seq = await lastSeq();
  await advance(60_000);
  assert.ok((await callsOf(vehicle.key, seq)).some((c) => c.status === 200));
});

test('Smartcar: a dead login shows as reauth_required with an activity entry, and logging in again resumes', async () => {
  const account = emu.state.fleet.accounts.find((a) => a.oem === 'smartcar')!;
  let token = await signIn(owner);
  const cb = await oemLogin(token, 'smartcar', account.id);
  assert.equal(cb.status, 200, JSON.stringify(cb.json));
  for (const v of cb.json.vehicles) assert.equal((await activate(token, 'smartcar', v)).status, 201);
  await advance(60_000);
  let list = await call('GET', '/v1/connections', { token });
  const mine = list.json.connections.filter((c: { oem: string; state: string }) => c.oem === 'smartcar' && c.state === 'active');
  assert.equal(mine.length, account.vehicleKeys.length);

  await control(emu, 'POST', '/tokens/revoke', { account: account.id });
  await advance(30 * 60_000, 60_000);
  token = await signIn(owner);
  list = await call('GET', '/v1/connections', { token });
  for (const c of list.json.connections.filter((x: { oem: string; state: string }) => x.oem === 'smartcar' && x.state !== 'disconnected')) {
    assert.equal(c.state, 'reauth_required');
    assert.equal(c.account.state, 'reauth_required');
    assert.equal(c.account.stateReason, 'invalid_grant');
  }
  const told = (await getActivityLog(node.services).list(owner.address, { kinds: ['disconnect'] })).entries.filter((e) => e.detail?.event === 'oem login expired');
  assert.equal(told.length, 1);
  assert.equal(told[0]!.detail?.oem, 'smartcar');
  const seq = await lastSeq();
  await advance(30 * 60_000, 60_000);
  assert.deepEqual((await control<{ calls: CallRecord[] }>(emu, 'GET', `/calls?account=${account.id}&sinceSeq=${seq}`)).calls, [], 'polling stopped');

  // The owner logs in again: the same connections resume (no new mint).
  const again = await oemLogin(token, 'smartcar', account.id);
  assert.equal(again.status, 200);
  assert.ok(again.json.vehicles.every((v: { state: string; signing?: unknown }) => v.state === 'active' && v.signing === undefined));
  await advance(60_000);
  list = await call('GET', '/v1/connections', { token });
  assert.equal(list.json.connections.filter((c: { oem: string; state: string }) => c.oem === 'smartcar' && c.state === 'active').length, account.vehicleKeys.length);
});
