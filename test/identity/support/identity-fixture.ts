// A real anvil with the identity and consent contracts (deployed by the node's own plan steps), named
// dev accounts, direct contract calls for the usual flows, and anvil's time/snapshot controls.
import assert from 'node:assert/strict';
import { createTestClient, createWalletClient, http, keccak256, parseEventLogs, toHex, type Abi, type Address, type Hex, type TransactionReceipt } from 'viem';
import { mnemonicToAccount, generatePrivateKey, privateKeyToAccount, type LocalAccount } from 'viem/accounts';
import { startAnvil } from '../../../src/chain/anvil.ts';
import { createChainClients, type ChainPublicClient } from '../../../src/chain/clients.ts';
import { compileContracts, type Artifacts } from '../../../src/chain/compile.ts';
import { ANVIL_DEV_PRIVATE_KEY } from '../../../src/chain/constants.ts';
import { deployContracts } from '../../../src/chain/deploy.ts';
import { deployPlan } from '../../../src/chain/deploy-plan.ts';
import { TEST_CACHE_DIR } from '../../../src/chain/testing.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { privilegesToMask } from '../../../src/consent/privileges.ts';
import { signAction } from '../../../src/identity/sign-actions.ts';

const IDENTITY_STEPS = ['DeviceAddressRegistry', 'Connections', 'Manufacturers', 'VehicleId', 'SyntheticDevice', 'AftermarketDevice', 'Permissions'];
const MNEMONIC = 'test test test test test test test test test test test junk';
const ACTORS = { admin: 0, alice: 1, bob: 2, carol: 3, provider: 4, maker: 5, app: 6, app2: 7, stranger: 8 } as const;
export type Actor = keyof typeof ACTORS;

export const MODEL_3 = { make: 'Tesla', model: 'Model 3', year: 2022, vinHash: keccak256(toHex('salt:test-vehicle')) };
export const SOURCE = keccak256(toHex('consent document')) as Hex;

export interface ChainFixture {
  rpcUrl: string;
  chainId: number;
  pub: ChainPublicClient;
  artifacts: Artifacts;
  abis: Record<string, Abi>;
  contracts: Record<string, Address>;
  deploymentBlock: bigint;
  actors: Record<Actor, LocalAccount>;
  write(from: LocalAccount, contract: string, functionName: string, args?: readonly unknown[]): Promise<TransactionReceipt>;
  read<T>(contract: string, functionName: string, args?: readonly unknown[]): Promise<T>;
  events(receipt: TransactionReceipt, contract: string): { eventName: string; args: Record<string, unknown> }[];
  mintVehicle(owner: LocalAccount): Promise<bigint>;
  grant(owner: LocalAccount, vehicleId: bigint, grantee: Address, privileges: number[], expiration?: bigint): Promise<TransactionReceipt>;
  /** Sends a grant without waiting for it to be mined (for several transactions in one block). */
  grantNoWait(owner: LocalAccount, vehicleId: bigint, grantee: Address, privileges: number[], expiration: bigint): Promise<Hex>;
  revoke(owner: LocalAccount, vehicleId: bigint, grantee: Address): Promise<TransactionReceipt>;
  transfer(from: LocalAccount, to: Address, vehicleId: bigint): Promise<TransactionReceipt>;
  grantAccount(owner: LocalAccount, grantee: Address, privileges: number[], expiration?: bigint): Promise<TransactionReceipt>;
  mintConnection(name: string): Promise<bigint>;
  mintSynthetic(connectionId: bigint, vehicleId: bigint, owner: LocalAccount): Promise<{ id: bigint; device: LocalAccount }>;
  mintManufacturer(name: string): Promise<bigint>;
  mintAftermarket(manufacturerId: bigint): Promise<{ id: bigint; device: LocalAccount }>;
  claimAndPair(id: bigint, device: LocalAccount, owner: LocalAccount, vehicleId: bigint): Promise<void>;
  signMint(owner: LocalAccount, opts?: { deadline?: bigint; nonce?: bigint; signer?: LocalAccount }): Promise<Record<string, unknown>>;
  signGrant(owner: LocalAccount, vehicleId: bigint, grantee: Address, privileges: number[], opts?: { deadline?: bigint; expiration?: bigint }): Promise<Record<string, unknown>>;
  /** Latest block timestamp (unix seconds). */
  now(): Promise<bigint>;
  mine(blocks?: number): Promise<void>;
  automine(on: boolean): Promise<void>;
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  blockNumber(): Promise<bigint>;
  stop(): Promise<void>;
}

export async function startChainFixture(): Promise<ChainFixture> {
  const logger = silentLogger();
  const [artifacts, anvil] = await Promise.all([compileContracts({ logger, cacheDir: TEST_CACHE_DIR }), startAnvil({ logger })]);
  try {
    const plan = deployPlan.filter((s) => IDENTITY_STEPS.includes(s.name));
    const deployment = await deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan });
    return attachChainFixture({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, contracts: deployment.contracts, artifacts, deploymentBlock: BigInt(deployment.blockNumber), stop: () => anvil.stop() });
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

/** The same helpers on a chain someone else started (e.g. a test node's embedded chain). */
export function attachChainFixture(c: { rpcUrl: string; chainId: number; contracts: Record<string, Address>; artifacts: Artifacts; deploymentBlock: bigint; stop?: () => Promise<void> }): ChainFixture {
  const { artifacts, contracts } = c;
  const { chain, publicClient: pub } = createChainClients({ rpcUrl: c.rpcUrl, chainId: c.chainId, pollingIntervalMs: 20 });
  const transport = http(c.rpcUrl);
  const testClient = createTestClient({ chain, mode: 'anvil', transport });
  const actors = Object.fromEntries(Object.entries(ACTORS).map(([n, i]) => [n, mnemonicToAccount(MNEMONIC, { addressIndex: i })])) as unknown as Record<Actor, LocalAccount>;
  const abis = Object.fromEntries(Object.entries(artifacts).map(([n, a]) => [n, a.abi]));
  const at = (name: string) => ({ chainId: c.chainId, verifyingContract: contracts[name]! });

  const f: ChainFixture = {
    rpcUrl: c.rpcUrl,
    chainId: c.chainId,
    pub,
    artifacts,
    abis,
    contracts,
    deploymentBlock: c.deploymentBlock,
    actors,
    async write(from, contract, functionName, args = []) {
      const wallet = createWalletClient({ chain, transport, account: from });
      const hash = await wallet.writeContract({ address: contracts[contract]!, abi: abis[contract]!, functionName, args } as never);
      const receipt = await pub.waitForTransactionReceipt({ hash });
      assert.equal(receipt.status, 'success', `${contract}.${functionName} reverted`);
      return receipt;
    },
    async read<T>(contract: string, functionName: string, args: readonly unknown[] = []) {
      return (await pub.readContract({ address: contracts[contract]!, abi: abis[contract]!, functionName, args } as never)) as T;
    },
    events(receipt, contract) {
      const logs = receipt.logs.filter((l) => l.address.toLowerCase() === contracts[contract]!.toLowerCase());
      return parseEventLogs({ abi: abis[contract]!, logs }) as unknown as { eventName: string; args: Record<string, unknown> }[];
    },
    async mintVehicle(owner) {
      const receipt = await f.write(owner, 'VehicleId', 'mint', [MODEL_3]);
      return f.events(receipt, 'VehicleId').find((e) => e.eventName === 'VehicleMinted')!.args.vehicleId as bigint;
    },
    async grant(owner, vehicleId, grantee, privileges, expiration) {
      const exp = expiration ?? (await f.now()) + 3600n;
      return f.write(owner, 'Permissions', 'grant', [contracts.VehicleId, vehicleId, grantee, privilegesToMask(privileges), exp, SOURCE]);
    },
    grantNoWait(owner, vehicleId, grantee, privileges, expiration) {
      const wallet = createWalletClient({ chain, transport, account: owner });
      const args = [contracts.VehicleId, vehicleId, grantee, privilegesToMask(privileges), expiration, SOURCE];
      return wallet.writeContract({ address: contracts.Permissions!, abi: abis.Permissions!, functionName: 'grant', args } as never);
    },
    revoke: (owner, vehicleId, grantee) => f.write(owner, 'Permissions', 'revoke', [contracts.VehicleId, vehicleId, grantee]),
    transfer: (from, to, vehicleId) => f.write(from, 'VehicleId', 'transferFrom', [from.address, to, vehicleId]),
    async grantAccount(owner, grantee, privileges, expiration) {
      const exp = expiration ?? (await f.now()) + 3600n;
      return f.write(owner, 'Permissions', 'grantAccount', [grantee, privilegesToMask(privileges), exp, SOURCE]);
    },
    async mintConnection(name) {
      const receipt = await f.write(actors.admin, 'Connections', 'mint', [actors.provider.address, name, actors.provider.address]);
      return f.events(receipt, 'Connections').find((e) => e.eventName === 'ConnectionMinted')!.args.connectionId as bigint;
    },
    async mintSynthetic(connectionId, vehicleId, owner) {
      const device = privateKeyToAccount(generatePrivateKey());
      const deadline = (await f.now()) + 3600n;
      const ownerNonce = await f.read<bigint>('SyntheticDevice', 'nonces', [owner.address]);
      const deviceNonce = await f.read<bigint>('SyntheticDevice', 'nonces', [device.address]);
      const base = { connectionId, vehicleId, device: device.address, deadline };
      const sign = (who: LocalAccount, nonce: bigint) =>
        who.signTypedData({
          domain: { name: 'DIMO Synthetic Device', version: '1', chainId: c.chainId, verifyingContract: contracts.SyntheticDevice! },
          types: {
            MintSyntheticDevice: [
              { name: 'connectionId', type: 'uint256' },
              { name: 'vehicleId', type: 'uint256' },
              { name: 'device', type: 'address' },
              { name: 'nonce', type: 'uint256' },
              { name: 'deadline', type: 'uint256' },
            ],
          },
          primaryType: 'MintSyntheticDevice',
          message: { ...base, nonce },
        });
      const input = { ...base, ownerNonce, ownerSignature: await sign(owner, ownerNonce), deviceNonce, deviceSignature: await sign(device, deviceNonce) };
      const receipt = await f.write(actors.provider, 'SyntheticDevice', 'mint', [input]);
      return { id: f.events(receipt, 'SyntheticDevice').find((e) => e.eventName === 'SyntheticDeviceMinted')!.args.syntheticDeviceId as bigint, device };
    },
    async mintManufacturer(name) {
      const receipt = await f.write(actors.admin, 'Manufacturers', 'mint', [actors.maker.address, name]);
      return f.events(receipt, 'Manufacturers').find((e) => e.eventName === 'ManufacturerMinted')!.args.manufacturerId as bigint;
    },
    async mintAftermarket(manufacturerId) {
      const device = privateKeyToAccount(generatePrivateKey());
      const receipt = await f.write(actors.maker, 'AftermarketDevice', 'mint', [manufacturerId, [device.address]]);
      return { id: f.events(receipt, 'AftermarketDevice').find((e) => e.eventName === 'AftermarketDeviceMinted')!.args.aftermarketDeviceId as bigint, device };
    },
    async claimAndPair(id, device, owner, vehicleId) {
      const deadline = (await f.now()) + 3600n;
      const nonce = await f.read<bigint>('AftermarketDevice', 'nonces', [device.address]);
      const signature = await device.signTypedData({
        domain: { name: 'DIMO Aftermarket Device', version: '1', chainId: c.chainId, verifyingContract: contracts.AftermarketDevice! },
        types: {
          ClaimAftermarketDevice: [
            { name: 'aftermarketDeviceId', type: 'uint256' },
            { name: 'owner', type: 'address' },
            { name: 'nonce', type: 'uint256' },
            { name: 'deadline', type: 'uint256' },
          ],
        },
        primaryType: 'ClaimAftermarketDevice',
        message: { aftermarketDeviceId: id, owner: owner.address, nonce, deadline },
      });
      await f.write(owner, 'AftermarketDevice', 'claim', [id, deadline, nonce, signature]);
      await f.write(owner, 'AftermarketDevice', 'pair', [id, vehicleId]);
    },
    async signMint(owner, opts = {}) {
      const nonce = opts.nonce ?? (await f.read<bigint>('VehicleId', 'nonces', [owner.address]));
      const deadline = opts.deadline ?? (await f.now()) + 3600n;
      const message = { owner: owner.address, ...MODEL_3, nonce, deadline };
      const signature = await signAction(opts.signer ?? owner, 'MintVehicle', at('VehicleId'), message);
      return { owner: owner.address, attributes: MODEL_3, nonce: nonce.toString(), deadline: deadline.toString(), signature };
    },
    async signGrant(owner, vehicleId, grantee, privileges, opts = {}) {
      const nonce = await f.read<bigint>('Permissions', 'nonces', [owner.address]);
      const deadline = opts.deadline ?? (await f.now()) + 3600n;
      const expiration = opts.expiration ?? (await f.now()) + 86_400n;
      const permissions = privilegesToMask(privileges);
      const message = { asset: contracts.VehicleId!, tokenId: vehicleId, grantee, permissions, expiration, source: SOURCE, nonce, deadline };
      const signature = await signAction(owner, 'Grant', at('Permissions'), message);
      return { tokenId: vehicleId.toString(), grantee, permissions: permissions.toString(), expiration: expiration.toString(), source: SOURCE, nonce: nonce.toString(), deadline: deadline.toString(), signature };
    },
    now: async () => (await pub.getBlock({ blockTag: 'latest' })).timestamp,
    mine: (blocks = 1) => testClient.mine({ blocks }),
    automine: (on) => testClient.setAutomine(on),
    snapshot: () => testClient.snapshot(),
    revert: async (id) => void (await testClient.revert({ id })),
    blockNumber: () => pub.getBlockNumber(),
    stop: c.stop ?? (async () => {}),
  };
  return f;
}
