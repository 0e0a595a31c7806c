// The node side of the live benchmark, in its own process so the load generator does not share its event
// loop: a real node (embedded anvil with the full deploy plan, SQLite, ingest with signature verification,
// the activity log, app access with the telemetry GraphQL at /query, live streams on graphql-ws).
// It sets up the chain as a deployment would be: an app license issued and staked, vehicles minted to an
// owner, one aftermarket device claimed and paired per vehicle, grants of privileges 1, 4 and 6 to the app.
//   node live-node.ts <dataDir> <vehicles>
// Prints "READY <json>" (port, chain ids, vehicles with their device keys, vehicle tokens); IPC {cmd: 'stop'}.
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { activityCapability } from '../../src/activity/activity-capability.ts';
import { createAppAccessCapability } from '../../src/api/apps/app-access-capability.ts';
import { getAppAccess } from '../../src/api/apps/app-access-runtime.ts';
import { signVehicleToken } from '../../src/api/apps/vehicle-token.ts';
import { compileContractsDetailed, defaultCacheDir } from '../../src/chain/compile.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { identityCapability } from '../../src/identity/identity-capability.ts';
import { getIdentityRuntime } from '../../src/identity/identity-runtime.ts';
import { ingestCapability } from '../../src/ingest/ingest-capability.ts';
import { licensingCapability } from '../../src/licensing/licensing-capability.ts';
import { getLicensingMirror } from '../../src/licensing/licensing-services.ts';
import { createLiveCapability } from '../../src/live/live-capability.ts';
import { startNode } from '../../src/node/start-node.ts';
import { attachChainFixture } from '../../test/identity/support/identity-fixture.ts';

const [dataDir, vehicleCount] = [process.argv[2]!, Number(process.argv[3] ?? 5)];
const E18 = 10n ** 18n;

const logger = silentLogger();
const { cacheFile } = await compileContractsDetailed({ logger, cacheDir: defaultCacheDir() });
await mkdir(join(dataDir, 'cache'), { recursive: true });
await copyFile(cacheFile, join(dataDir, 'cache', basename(cacheFile)));
// Each subscriber here takes 1,000 updates/s (a real car sends about one event a second): the buffer is
// raised from its default (1,024) so a momentarily starved machine shows up as latency, not dropped streams.
const config = loadConfig({ mode: 'dev', env: {}, overrides: { dataDir, 'http.port': 0, 'log.level': 'silent', 'ingest.verifyThreads': 1, 'live.bufferSize': 100_000 } });
const node = await startNode(config, {
  logger,
  capabilities: [identityCapability, licensingCapability, ingestCapability, activityCapability, createAppAccessCapability(), createLiveCapability()],
});
const c = node.services.chain;
const chain = attachChainFixture({ rpcUrl: c.rpcUrl, chainId: c.chainId, contracts: c.contracts, artifacts: c.artifacts!, deploymentBlock: c.deploymentBlock });
const { admin, app, alice } = chain.actors;

const issued = await chain.write(admin, 'Licenses', 'issue', [app.address, 2, { legalName: 'Bench Apps Ltd', dba: 'Bench', website: 'https://bench.example', supportEmail: 'bench@bench.example' }]);
const licenseId = (chain.events(issued, 'Licenses').find((e) => e.eventName === 'LicenseIssued')!.args.licenseId as bigint).toString();
await chain.write(admin, 'DimoToken', 'mint', [app.address, 10_000n * E18]);
await chain.write(app, 'DimoToken', 'approve', [c.contracts.Licenses as Address, 10_000n * E18]);
await chain.write(app, 'Licenses', 'stake', [BigInt(licenseId), 10_000n * E18]);
const maker = await chain.mintManufacturer('BenchMaker');
const vehicles: Array<{ vehicleId: string; deviceTokenId: string; privateKey: string; token: string }> = [];
for (let i = 0; i < vehicleCount; i++) {
  const vehicleId = await chain.mintVehicle(alice);
  const privateKey = generatePrivateKey();
  const device = privateKeyToAccount(privateKey);
  const minted = await chain.write(chain.actors.maker, 'AftermarketDevice', 'mint', [maker, [device.address]]);
  const id = chain.events(minted, 'AftermarketDevice').find((e) => e.eventName === 'AftermarketDeviceMinted')!.args.aftermarketDeviceId as bigint;
  await chain.claimAndPair(id, device, alice, vehicleId);
  await chain.grant(alice, vehicleId, app.address, [1, 4, 6], (await chain.now()) + 86_400n);
  const { token } = await signVehicleToken(getAppAccess(node.services), { vehicleId, grantee: app.address, licenseId, privileges: [1, 4, 6] }, node.services.clock.now());
  vehicles.push({ vehicleId: vehicleId.toString(), deviceTokenId: id.toString(), privateKey, token });
}
const head = await chain.blockNumber();
await Promise.all([getIdentityRuntime(node.services).mirror.indexer.waitFor(head), getLicensingMirror(node.services).indexer.waitFor(head)]);

process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd !== 'stop') return;
  void node.stop().then(() => {
    process.send!({ stopped: true });
    process.exit(0);
  });
});
const port = (node.services.http.server.address() as { port: number }).port;
process.stdout.write(`READY ${JSON.stringify({ port, chainId: c.chainId, vehicleContract: c.contracts.VehicleId, aftermarketContract: c.contracts.AftermarketDevice, vehicles })}\n`);
