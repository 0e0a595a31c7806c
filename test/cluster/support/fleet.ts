// Devices the cluster accepts data from: vehicles minted on the cluster's chain, aftermarket devices with
// deterministic keys (src/ingest/testing.ts) minted, claimed and paired to them, and events signed the
// way those devices sign them. Used by the fault tests and the cluster bench.
import { privateKeyToAccount } from 'viem/accounts';
import type { Cluster } from '../../../src/cluster/harness/start-cluster.ts';
import { compileContracts } from '../../../src/chain/compile.ts';
import { TEST_CACHE_DIR } from '../../../src/chain/testing.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { makeDevice, signedEvent, twentySignals, type TestDevice } from '../../../src/ingest/testing.ts';
import { attachChainFixture, type ChainFixture } from '../../identity/support/identity-fixture.ts';

export interface FleetDevice extends TestDevice {
  subject: string;
  producer: string;
}

export interface Fleet {
  chain: ChainFixture;
  devices: FleetDevice[];
  /** A signed 20-signal status event of device `n % devices.length`. */
  event(id: string, n: number, time?: string): string;
}

export async function attachClusterChain(cluster: Cluster): Promise<ChainFixture> {
  const artifacts = await compileContracts({ logger: silentLogger(), cacheDir: TEST_CACHE_DIR });
  const d = cluster.chain.deployment;
  return attachChainFixture({ rpcUrl: cluster.chain.rpcUrl, chainId: cluster.chain.chainId, contracts: d.contracts, artifacts, deploymentBlock: BigInt(d.blockNumber) });
}

export async function mintFleet(cluster: Cluster, count: number, seed = 'cluster'): Promise<Fleet> {
  const chain = await attachClusterChain(cluster);
  const { contracts, chainId } = chain;
  const owner = chain.actors.alice;
  const maker = await chain.mintManufacturer(`${seed}-maker`);
  const keys = Array.from({ length: count }, (_, i) => makeDevice(seed, i));
  const receipt = await chain.write(chain.actors.maker, 'AftermarketDevice', 'mint', [maker, keys.map((k) => k.address)]);
  const ids = chain.events(receipt, 'AftermarketDevice').filter((e) => e.eventName === 'AftermarketDeviceMinted').map((e) => e.args.aftermarketDeviceId as bigint);
  if (ids.length !== count) throw new Error(`minted ${ids.length} aftermarket devices, wanted ${count}`);
  const devices: FleetDevice[] = [];
  for (let i = 0; i < count; i++) {
    const vehicleId = await chain.mintVehicle(owner);
    await chain.claimAndPair(ids[i]!, privateKeyToAccount(`0x${keys[i]!.privateKey.toString('hex')}`), owner, vehicleId);
    devices.push({
      ...keys[i]!,
      deviceTokenId: ids[i]!,
      vehicleTokenId: vehicleId,
      owner: owner.address.toLowerCase(),
      subject: `did:erc721:${chainId}:${contracts.VehicleId}:${vehicleId}`,
      producer: `did:erc721:${chainId}:${contracts.AftermarketDevice}:${ids[i]}`,
    });
  }
  return {
    chain,
    devices,
    event(id, n, time = new Date(Date.now() - 5_000).toISOString()) {
      const d = devices[n % devices.length]!;
      return signedEvent(d, { id, time, data: twentySignals(time, n), subject: d.subject, producer: d.producer });
    },
  };
}

/** POSTs one event of each device to `url` until all are accepted: the process's mirror knows the fleet. */
export async function waitFleetAccepted(fleet: Fleet, url: string, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let round = 0;
  while (Date.now() < deadline) {
    const ids = fleet.devices.map((_, i) => `probe-${url.split(':').pop()}-${round}-${i}`);
    round++;
    try {
      const res = await fetch(`${url}/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: `[${ids.map((id, i) => fleet.event(id, i)).join(',')}]`,
      });
      last = await res.text();
      const json = JSON.parse(last) as { stored?: number; duplicates?: number };
      if (res.status === 200 && (json.stored ?? 0) + (json.duplicates ?? 0) === ids.length) return ids;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not accept the fleet within ${timeoutMs} ms; last answer: ${last.slice(0, 500)}`);
}
