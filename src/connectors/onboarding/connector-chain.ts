// The connectors' view of the chain: the node's "Tesla" and "Smartcar" connection NFTs (minted at start
// when missing and this node may issue them), nonces and deadlines for owners' signatures, the next
// vehicle id, and relayed mints and burns. Reads go to the chain; writes go through the identity
// relayer (the node's relayer key holds the connections, so it may mint and burn under them).
import { parseAbi, type Address, type Hex } from 'viem';
import { OdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ChainPublicClient } from '../../chain/clients.ts';
import { getIdentityRuntime, waitMirrored } from '../../identity/identity-runtime.ts';
import type { RelayResult } from '../../identity/relayer.ts';
import type { NodeServices } from '../../node/start-node.ts';
import type { Oem } from '../store/connector-store.ts';

export const CONNECTION_NAMES: Record<Oem, string> = { tesla: 'Tesla', smartcar: 'Smartcar' };

const PROVIDER_ABI = parseAbi([
  'function idOfName(string name) view returns (uint256)',
  'function canMint(uint256 providerId, address account) view returns (bool)',
]);
const NONCES_ABI = parseAbi(['function nonces(address owner) view returns (uint256)']);
const VEHICLE_ABI = parseAbi(['function mint((string make, string model, uint16 year, bytes32 vinHash) attributes) returns (uint256)']);
const REGISTRY_ABI = parseAbi(['function isUsed(address device) view returns (bool)']);

export interface MintSyntheticInput {
  connectionId: bigint;
  vehicleId: bigint;
  device: Address;
  deadline: bigint;
  ownerNonce: bigint;
  ownerSignature: Hex;
  deviceNonce: bigint;
  deviceSignature: Hex;
}

export class ConnectorChain {
  readonly #services: NodeServices;
  readonly #logger: Logger;
  readonly connections: Partial<Record<Oem, bigint>> = {};

  constructor(services: NodeServices, logger: Logger) {
    this.#services = services;
    this.#logger = logger;
  }

  get #pub(): ChainPublicClient {
    return this.#services.chain.clients.publicClient;
  }

  get chainId(): number {
    return this.#services.chain.chainId;
  }

  contract(name: string): Address {
    const a = this.#services.chain.contracts[name];
    if (!a) throw new OdmError('ODM_ERR_CONTRACT_NOT_DEPLOYED', `this node's deployment has no ${name} contract`);
    return a;
  }

  get relayerAddress(): Address | undefined {
    return getIdentityRuntime(this.#services).relayer?.address;
  }

  /** Finds (or, when this node may, mints) the node's connection NFT of each OEM. */
  async ensureConnections(oems: readonly Oem[]): Promise<void> {
    const relayer = getIdentityRuntime(this.#services).relayer;
    if (!relayer || !this.#services.chain.contracts.Connections) {
      this.#logger.warn('no relayer key or no Connections contract: OEM onboarding is unavailable on this node');
      return;
    }
    for (const oem of oems) {
      const name = CONNECTION_NAMES[oem];
      let id = await this.#pub.readContract({ address: this.contract('Connections'), abi: PROVIDER_ABI, functionName: 'idOfName', args: [name] });
      if (id === 0n) {
        try {
          const r = await relayer.relay({ contract: 'Connections', functionName: 'mint', args: [relayer.address, name, relayer.address], action: `mint the ${name} connection` });
          id = BigInt(String(r.events.find((e) => e.eventName === 'ConnectionMinted')?.args.connectionId ?? 0));
          await waitMirrored(getIdentityRuntime(this.#services), r.blockNumber);
          this.#logger.info({ oem, connectionId: String(id) }, 'minted the node\'s connection NFT');
        } catch (err) {
          this.#logger.warn({ err, oem }, `could not mint the ${name} connection (this node may not issue connections); ${oem} onboarding is unavailable`);
          continue;
        }
      }
      const may = await this.#pub.readContract({ address: this.contract('Connections'), abi: PROVIDER_ABI, functionName: 'canMint', args: [id, relayer.address] });
      if (!may) {
        this.#logger.warn({ oem, connectionId: String(id) }, `the ${name} connection is held by someone else and this node is not its minter; ${oem} onboarding is unavailable`);
        continue;
      }
      this.connections[oem] = id;
    }
  }

  connectionOf(oem: Oem): bigint {
    const id = this.connections[oem];
    if (id === undefined) throw new OdmError('ODM_ERR_RELAYER_UNAVAILABLE', `this node holds no ${CONNECTION_NAMES[oem]} connection it may mint devices under (needs OPENDIMO_RELAYER_KEY and the connection NFT)`);
    return id;
  }

  nonce(contract: 'VehicleId' | 'SyntheticDevice', signer: Address): Promise<bigint> {
    return this.#pub.readContract({ address: this.contract(contract), abi: NONCES_ABI, functionName: 'nonces', args: [signer] });
  }

  /** The id the next minted vehicle will get (a simulated mint; a concurrent mint can take it first). */
  nextVehicleId(): Promise<bigint> {
    const account = this.relayerAddress ?? this.contract('VehicleId');
    return this.#pub
      .simulateContract({ address: this.contract('VehicleId'), abi: VEHICLE_ABI, functionName: 'mint', args: [{ make: 'x', model: 'x', year: 0, vinHash: `0x${'0'.repeat(64)}` }], account })
      .then((r) => r.result);
  }

  async deviceAddressUsed(device: Address): Promise<boolean> {
    const registry = this.#services.chain.contracts.DeviceAddressRegistry;
    if (!registry) return false;
    return this.#pub.readContract({ address: registry, abi: REGISTRY_ABI, functionName: 'isUsed', args: [device] });
  }

  /** Latest block time (unix seconds) + `seconds`: signature deadlines follow the chain's clock, not ours. */
  async deadline(seconds: number): Promise<bigint> {
    const block = await this.#pub.getBlock({ blockTag: 'latest' });
    return block.timestamp + BigInt(seconds);
  }

  #relayer() {
    const relayer = getIdentityRuntime(this.#services).relayer;
    if (!relayer) throw new OdmError('ODM_ERR_RELAYER_UNAVAILABLE', 'this node relays no actions: set OPENDIMO_RELAYER_KEY to a funded key');
    return relayer;
  }

  async #relayed(r: RelayResult): Promise<RelayResult> {
    await waitMirrored(getIdentityRuntime(this.#services), r.blockNumber);
    return r;
  }

  async mintVehicle(owner: Address, attributes: { make: string; model: string; year: number; vinHash: Hex }, nonce: bigint, deadline: bigint, signature: Hex): Promise<{ vehicleId: bigint; txHash: Hex }> {
    const r = await this.#relayed(await this.#relayer().relay({ contract: 'VehicleId', functionName: 'mintBySig', args: [owner, attributes, nonce, deadline, signature], action: 'mint the vehicle' }));
    const minted = r.events.find((e) => e.eventName === 'VehicleMinted');
    if (!minted) throw new OdmError('ODM_ERR_RELAY_FAILED', 'the vehicle mint left no VehicleMinted event');
    return { vehicleId: BigInt(String(minted.args.vehicleId)), txHash: r.txHash };
  }

  async mintSyntheticDevice(input: MintSyntheticInput): Promise<{ syntheticDeviceId: bigint; txHash: Hex }> {
    const r = await this.#relayed(await this.#relayer().relay({ contract: 'SyntheticDevice', functionName: 'mint', args: [input], action: 'mint the synthetic device' }));
    const minted = r.events.find((e) => e.eventName === 'SyntheticDeviceMinted');
    if (!minted) throw new OdmError('ODM_ERR_RELAY_FAILED', 'the synthetic device mint left no SyntheticDeviceMinted event');
    return { syntheticDeviceId: BigInt(String(minted.args.syntheticDeviceId)), txHash: r.txHash };
  }

  /** Burns a synthetic device as its connection (disconnect). */
  async burnSyntheticDevice(syntheticDeviceId: bigint): Promise<Hex> {
    const r = await this.#relayed(await this.#relayer().relay({ contract: 'SyntheticDevice', functionName: 'burn', args: [syntheticDeviceId], action: 'burn the synthetic device' }));
    return r.txHash;
  }
}
