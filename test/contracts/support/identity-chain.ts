// One anvil per test file with the identity and consent contracts deployed by the real deploy plan, named
// dev accounts, typed-data signing and revert assertions. Tests isolate themselves with snapshots.
import assert from 'node:assert/strict';
import {
  BaseError,
  ContractFunctionRevertedError,
  createTestClient,
  createWalletClient,
  getAddress,
  http,
  parseEventLogs,
  type Abi,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { mnemonicToAccount, type Account, type LocalAccount } from 'viem/accounts';
import { startAnvil, type AnvilHandle } from '../../../src/chain/anvil.ts';
import { createChainClients, type ChainPublicClient } from '../../../src/chain/clients.ts';
import { compileContracts, defaultCacheDir, type Artifacts } from '../../../src/chain/compile.ts';
import { ANVIL_DEV_PRIVATE_KEY } from '../../../src/chain/constants.ts';
import { deployContracts } from '../../../src/chain/deploy.ts';
import { deployPlan } from '../../../src/chain/deploy-plan.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { EIP712_TYPES, eip712Domain, type SignedActionType, type SigningContract } from '../../../src/consent/eip712-types.ts';

export const IDENTITY_CONTRACTS = [
  'DeviceAddressRegistry',
  'Connections',
  'Manufacturers',
  'VehicleId',
  'SyntheticDevice',
  'AftermarketDevice',
  'Permissions',
] as const;
export type IdentityContract = (typeof IDENTITY_CONTRACTS)[number];

const MNEMONIC = 'test test test test test test test test test test test junk';
const ACTOR_INDEX = { admin: 0, alice: 1, bob: 2, node: 3, provider: 4, providerMinter: 5, maker: 6, grantee: 7, app: 8, stranger: 9 } as const;
export type Actor = keyof typeof ACTOR_INDEX;

export interface IdentityChain {
  anvil: AnvilHandle;
  chainId: number;
  pub: ChainPublicClient;
  artifacts: Artifacts;
  addr: Record<IdentityContract, Address>;
  actors: Record<Actor, LocalAccount>;
  /** Sends a transaction and fails unless it succeeds; `abiOf` names the artifact when `to` is an address. */
  write(from: Account, to: IdentityContract | Address, functionName: string, args?: readonly unknown[], abiOf?: string): Promise<TransactionReceipt>;
  read<T = unknown>(to: IdentityContract | Address, functionName: string, args?: readonly unknown[], abiOf?: string): Promise<T>;
  deploy(from: Account, artifact: string, args?: readonly unknown[]): Promise<Address>;
  /** Decoded events of `contract` in a receipt. */
  events(receipt: TransactionReceipt, contract: IdentityContract): { eventName: string; args: Record<string, unknown> }[];
  /** EIP-712 signature by `signer` for `contract`'s domain. */
  sign(signer: LocalAccount, contract: SigningContract, primaryType: SignedActionType, message: Record<string, unknown>): Promise<Hex>;
  nonce(contract: SigningContract, signer: Address): Promise<bigint>;
  /** Timestamp of the latest block. */
  now(): Promise<bigint>;
  /** Mines a block at exactly `timestamp`, so views and the next transaction see it. */
  mineAt(timestamp: bigint): Promise<void>;
  /** The next transaction's block will have exactly `timestamp`. */
  nextBlockAt(timestamp: bigint): Promise<void>;
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  stop(): Promise<void>;
}

export async function startIdentityChain(): Promise<IdentityChain> {
  const logger = silentLogger();
  // Compile and start anvil in parallel, but never leave an anvil running when either fails: its pipes
  // would keep the test process alive forever.
  const [compiled, started] = await Promise.allSettled([compileContracts({ logger, cacheDir: defaultCacheDir() }), startAnvil({ logger })]);
  if (started.status === 'rejected') throw started.reason;
  const anvil = started.value;
  if (compiled.status === 'rejected') {
    await anvil.stop();
    throw compiled.reason;
  }
  const artifacts = compiled.value;
  try {
    const plan = deployPlan.filter((s) => (IDENTITY_CONTRACTS as readonly string[]).includes(s.name));
    const deployment = await deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan });
    const { chain, publicClient: pub } = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, pollingIntervalMs: 20 });
    const transport = http(anvil.rpcUrl);
    const testClient = createTestClient({ chain, mode: 'anvil', transport });
    const actors = {} as Record<Actor, LocalAccount>;
    for (const [name, addressIndex] of Object.entries(ACTOR_INDEX)) actors[name as Actor] = mnemonicToAccount(MNEMONIC, { addressIndex });
    const addr = Object.fromEntries(Object.entries(deployment.contracts).map(([k, v]) => [k, getAddress(v)])) as Record<IdentityContract, Address>;
    const abiFor = (to: string, abiOf?: string): Abi => {
      const name = abiOf ?? to;
      const artifact = artifacts[name];
      if (!artifact) throw new Error(`no artifact ${name}`);
      return artifact.abi;
    };
    const target = (to: string): Address => (to.startsWith('0x') ? (to as Address) : addr[to as IdentityContract]);

    const self: IdentityChain = {
      anvil,
      chainId: anvil.chainId,
      pub,
      artifacts,
      addr,
      actors,
      async write(from, to, functionName, args = [], abiOf) {
        const wallet = createWalletClient({ chain, transport, account: from });
        const hash = await wallet.writeContract({ address: target(to), abi: abiFor(to, abiOf), functionName, args } as never);
        const receipt = await pub.waitForTransactionReceipt({ hash });
        assert.equal(receipt.status, 'success', `${functionName} reverted on chain`);
        return receipt;
      },
      async read<T>(to: string, functionName: string, args: readonly unknown[] = [], abiOf?: string) {
        return (await pub.readContract({ address: target(to), abi: abiFor(to, abiOf), functionName, args } as never)) as T;
      },
      async deploy(from, artifact, args = []) {
        const wallet = createWalletClient({ chain, transport, account: from });
        const a = artifacts[artifact]!;
        const hash = await wallet.deployContract({ abi: a.abi, bytecode: a.bytecode, args } as never);
        const receipt = await pub.waitForTransactionReceipt({ hash });
        assert.ok(receipt.contractAddress);
        return getAddress(receipt.contractAddress);
      },
      events(receipt, contract) {
        const logs = receipt.logs.filter((l) => l.address.toLowerCase() === addr[contract].toLowerCase());
        return parseEventLogs({ abi: abiFor(contract), logs }) as unknown as { eventName: string; args: Record<string, unknown> }[];
      },
      sign(signer, contract, primaryType, message) {
        return signer.signTypedData({
          domain: eip712Domain(contract, anvil.chainId, addr[contract]),
          types: { [primaryType]: EIP712_TYPES[primaryType] },
          primaryType,
          message,
        } as never);
      },
      nonce(contract, signer) {
        return self.read<bigint>(contract, 'nonces', [signer]);
      },
      async now() {
        return (await pub.getBlock({ blockTag: 'latest' })).timestamp;
      },
      async mineAt(timestamp) {
        await testClient.setNextBlockTimestamp({ timestamp });
        await testClient.mine({ blocks: 1 });
      },
      async nextBlockAt(timestamp) {
        await testClient.setNextBlockTimestamp({ timestamp });
      },
      snapshot: () => testClient.snapshot(),
      revert: (id) => testClient.revert({ id }),
      stop: () => anvil.stop(),
    };
    return self;
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

/** Awaits `action` and asserts it reverted with the custom error `errorName` (and `args`, when given). */
export async function expectRevert(action: Promise<unknown>, errorName: string, args?: readonly unknown[]): Promise<void> {
  let caught: unknown;
  try {
    await action;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected a revert with ${errorName}, but the call succeeded`);
  const reverted = caught instanceof BaseError ? caught.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  if (!(reverted instanceof ContractFunctionRevertedError)) throw caught;
  assert.equal(reverted.data?.errorName ?? reverted.signature, errorName, reverted.shortMessage);
  if (args) assert.deepEqual(reverted.data?.args, args);
}
