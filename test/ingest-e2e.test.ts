// Ingest in a real node against the real identity mirror: vehicles and devices minted and paired on the
// embedded chain, events signed with the devices' keys, sent over HTTP and MQTT, read back from the vault.
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, it } from 'node:test';
import mqtt from 'mqtt';
import { keccak256, toHex, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { compileContractsDetailed } from '../src/chain/compile.ts';
import { makeTempDir, TEST_CACHE_DIR } from '../src/chain/testing.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { silentLogger } from '../src/core/logger.ts';
import { identityCapability } from '../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../src/identity/identity-runtime.ts';
import { getIngestService, ingestCapability } from '../src/ingest/ingest-capability.ts';
import { twentySignals } from '../src/ingest/testing.ts';
import { startNode, type NodeHandle } from '../src/node/start-node.ts';
import { attachChainFixture, type ChainFixture } from './identity/support/identity-fixture.ts';

let node: NodeHandle;
let chain: ChainFixture;
let cleanup: () => Promise<void>;
let vehicleId: bigint;
let deviceId: bigint;
let device: PrivateKeyAccount;
let unpaired: { id: bigint; device: PrivateKeyAccount };

before(async () => {
  const temp = await makeTempDir('ingest-e2e');
  cleanup = temp.cleanup;
  const logger = silentLogger();
  const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: TEST_CACHE_DIR });
  await mkdir(join(temp.dir, 'cache'), { recursive: true });
  await copyFile(cacheFile, join(temp.dir, 'cache', basename(cacheFile)));
  const config = loadConfig({ mode: 'dev', env: {}, overrides: { dataDir: temp.dir, 'http.port': 0, 'chain.confirmations': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1 } });
  node = await startNode(config, { logger, capabilities: [identityCapability, ingestCapability] });
  const c = node.services.chain;
  chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
  vehicleId = await chain.mintVehicle(chain.actors.alice);
  const maker = await chain.mintManufacturer('AutoPi');
  const ad = await chain.mintAftermarket(maker);
  await chain.claimAndPair(ad.id, ad.device, chain.actors.alice, vehicleId);
  deviceId = ad.id;
  device = ad.device as PrivateKeyAccount;
  unpaired = (await chain.mintAftermarket(maker)) as { id: bigint; device: PrivateKeyAccount };
  await getIdentityRuntime(node.services).mirror.indexer.waitFor(await chain.blockNumber());
}, { timeout: 120_000 });

after(async () => {
  await node?.stop();
  await cleanup?.();
});

let n = 0;
async function event(signer: PrivateKeyAccount, producerToken: bigint, opts: { tamper?: boolean } = {}): Promise<{ id: string; text: string }> {
  const c = node.services.chain;
  const time = new Date(Date.now() - 5_000).toISOString();
  const data = JSON.stringify(twentySignals(time, ++n));
  const signature = await signer.sign({ hash: keccak256(toHex(data)) as Hex });
  const id = `e2e-${n}`;
  const header = {
    specversion: '1.0', type: 'dimo.status', source: chain.actors.provider.address, id, time,
    subject: `did:erc721:${c.chainId}:${c.contracts.VehicleId}:${vehicleId}`,
    producer: `did:erc721:${c.chainId}:${c.contracts.AftermarketDevice}:${producerToken}`,
    datacontenttype: 'application/json', dataversion: 'default/v1.0', signature,
  };
  const body = opts.tamper ? data.replace('"value":', '"value":9') : data;
  return { id, text: JSON.stringify(header).slice(0, -1) + `,"data":${body}}` };
}

async function post(text: string) {
  const res = await fetch(`${node.urls.http}/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: text });
  return { status: res.status, json: (await res.json()) as { code?: string; stored?: number } };
}

it('stores an event signed by a device paired on chain, over HTTP and over MQTT', async () => {
  const viaHttp = await event(device, deviceId);
  assert.deepEqual(await post(viaHttp.text).then((r) => [r.status, r.json.stored]), [200, 1]);
  const viaMqtt = await event(device, deviceId);
  const client = await mqtt.connectAsync(node.urls.mqtt, { clientId: 'e2e-device' });
  await client.publishAsync(`devices/${device.address.toLowerCase()}/status`, viaMqtt.text, { qos: 1 });
  await client.endAsync();
  const svc = getIngestService(node.services);
  await svc.vault.flush();
  const version = svc.identity.vehicle(vehicleId)!.version;
  const ids = (await svc.vault.reader.events(String(vehicleId), version)).map((e) => e.id);
  assert.ok(ids.includes(viaHttp.id) && ids.includes(viaMqtt.id), JSON.stringify(ids));
  const latest = await svc.vault.reader.latest(String(vehicleId), version);
  assert.ok(latest?.signals.speed);
});

it('the mirror decides: tampered data, an unpaired device and an unregistered key each get their own code', async () => {
  assert.deepEqual(await post((await event(device, deviceId, { tamper: true })).text).then((r) => [r.status, r.json.code]), [401, 'ODM_ERR_SIGNATURE_INVALID']);
  assert.deepEqual(await post((await event(unpaired.device, unpaired.id)).text).then((r) => [r.status, r.json.code]), [403, 'ODM_ERR_DEVICE_NOT_PAIRED']);
  const { privateKeyToAccount, generatePrivateKey } = await import('viem/accounts');
  assert.deepEqual(await post((await event(privateKeyToAccount(generatePrivateKey()), 9_999n)).text).then((r) => [r.status, r.json.code]), [403, 'ODM_ERR_DEVICE_UNKNOWN']);
});
