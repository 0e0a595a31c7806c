// Shared setup for the Protocol II contract tests (licensing, challenges, issuance, rewards, governance,
// DIMO Pay): one anvil per test file with DimoToken, VehicleId and every Protocol II contract deployed by
// the node's real deploy plan (so role hand-over and wiring are what production runs), named dev
// accounts, impersonation of the Timelock for parameter changes, time travel and revert assertions.
// Not a test file itself.
import assert from 'node:assert/strict';
import {
  BaseError,
  ContractFunctionRevertedError,
  createTestClient,
  createWalletClient,
  decodeErrorResult,
  encodeAbiParameters,
  encodePacked,
  http,
  keccak256,
  parseEventLogs,
  type Abi,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { mnemonicToAccount, type LocalAccount } from 'viem/accounts';
import { startAnvil, type AnvilHandle } from '../../src/chain/anvil.ts';
import { createChainClients, type ChainPublicClient } from '../../src/chain/clients.ts';
import { compileContracts, defaultCacheDir, type Artifacts } from '../../src/chain/compile.ts';
import { ANVIL_DEV_PRIVATE_KEY } from '../../src/chain/constants.ts';
import { deployContracts } from '../../src/chain/deploy.ts';
import { deployPlan } from '../../src/chain/deploy-plan.ts';
import { roleId } from '../../src/chain/deploy-tx.ts';
import { silentLogger } from '../../src/core/logger.ts';

export const E18 = 10n ** 18n;
const TX_GAS = 3_000_000n;
export const DAY = 86_400n;
export const WEEK = 7n * DAY;
export { roleId };

/** Protocol II steps of the plan, plus the two earlier contracts they use. */
export const P2_CONTRACTS = [
  'DimoToken',
  'VehicleId',
  'StableToken',
  'PriceFeed',
  'Licenses',
  'Challenges',
  'Issuance',
  'RewardsPayout',
  'DimoTimelock',
  'DimoGovernor',
  'DimoPay',
] as const;
export type P2Contract = (typeof P2_CONTRACTS)[number];

const MNEMONIC = 'test test test test test test test test test test test junk';
const ACTOR_INDEX = { admin: 0, alice: 1, bob: 2, carol: 3, app: 4, node: 5, challenger: 6, stranger: 7, voter: 8, dave: 9 } as const;
export type Actor = keyof typeof ACTOR_INDEX;

/** Licenses.Kind */
export const Kind = { Client: 0, Node: 1, App: 2 } as const;
/** Licenses.Status */
export const Status = { None: 0, Active: 1, Suspended: 2, Revoked: 3, Renounced: 4, Banned: 5 } as const;

export interface DecodedEvent {
  eventName: string;
  args: Record<string, unknown>;
}

export interface P2Chain {
  anvil: AnvilHandle;
  pub: ChainPublicClient;
  artifacts: Artifacts;
  addr: Record<P2Contract, Address>;
  actors: Record<Actor, LocalAccount>;
  /** The Timelock, as a sender (impersonated): governance without a vote, for parameter setup. */
  governance: Account;
  write(from: Account, to: P2Contract | Address, functionName: string, args?: readonly unknown[], abiOf?: string): Promise<TransactionReceipt>;
  read<T = unknown>(to: P2Contract | Address, functionName: string, args?: readonly unknown[], abiOf?: string): Promise<T>;
  deploy(from: Account, artifact: string, args?: readonly unknown[]): Promise<Address>;
  events(receipt: TransactionReceipt, contract: P2Contract): DecodedEvent[];
  /** Mints DIMO (the deployer is a minter) and approves `spender` for it, if given. */
  fund(to: LocalAccount, amount: bigint, spender?: P2Contract): Promise<void>;
  balance(token: 'DimoToken' | 'StableToken', who: Address): Promise<bigint>;
  now(): Promise<bigint>;
  /** The next transaction's block gets exactly `timestamp`. */
  nextBlockAt(timestamp: bigint): Promise<void>;
  /** Mines one block at `timestamp`. */
  mineAt(timestamp: bigint): Promise<void>;
  /** Advances chain time by `seconds` and mines a block. */
  increaseTime(seconds: bigint): Promise<void>;
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  stop(): Promise<void>;
}

export async function startP2Chain(): Promise<P2Chain> {
  const logger = silentLogger();
  const [artifacts, anvil] = await Promise.all([compileContracts({ logger, cacheDir: defaultCacheDir() }), startAnvil({ logger })]);
  try {
    const plan = deployPlan.filter((s) => (P2_CONTRACTS as readonly string[]).includes(s.name));
    const deployment = await deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY, artifacts, logger, plan });
    const { chain, publicClient: pub } = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, pollingIntervalMs: 10 });
    const transport = http(anvil.rpcUrl);
    const testClient = createTestClient({ chain, mode: 'anvil', transport });
    const actors = Object.fromEntries(
      Object.entries(ACTOR_INDEX).map(([name, addressIndex]) => [name, mnemonicToAccount(MNEMONIC, { addressIndex }) as LocalAccount]),
    ) as unknown as Record<Actor, LocalAccount>;
    const addr = deployment.contracts as Record<P2Contract, Address>;
    const timelock = addr.DimoTimelock;
    await testClient.impersonateAccount({ address: timelock });
    await testClient.setBalance({ address: timelock, value: 10n ** 21n });
    const governance: Account = { address: timelock, type: 'json-rpc' };

    const abiFor = (to: string, abiOf?: string): Abi => {
      const artifact = artifacts[abiOf ?? to];
      if (!artifact) throw new Error(`no artifact ${abiOf ?? to}`);
      return artifact.abi;
    };
    const target = (to: string): Address => (to.startsWith('0x') ? (to as Address) : addr[to as P2Contract]);
    const wallets = new Map<string, ReturnType<typeof createWalletClient>>();
    const walletOf = (from: Account) => {
      let w = wallets.get(from.address);
      if (!w) {
        w = createWalletClient({ chain, transport, account: from });
        wallets.set(from.address, w);
      }
      return w;
    };

    const self: P2Chain = {
      anvil,
      pub,
      artifacts,
      addr,
      actors,
      governance,
      async write(from, to, functionName, args = [], abiOf) {
        // Simulate against the pending block (it honours nextBlockAt) so a revert surfaces as a decoded
        // error, then send with a fixed gas limit: a gas estimate is unreliable here, because DIMO's vote
        // checkpoints are keyed by timestamp and the mined block may get a later second than the estimate.
        await pub.simulateContract({ address: target(to), abi: abiFor(to, abiOf), functionName, args, account: from, blockTag: 'pending' } as never);
        const hash = await walletOf(from).writeContract({ address: target(to), abi: abiFor(to, abiOf), functionName, args, account: from, chain, gas: TX_GAS } as never);
        const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: 10 });
        assert.equal(receipt.status, 'success', `${functionName} reverted on chain`);
        return receipt;
      },
      async read<T>(to: string, functionName: string, args: readonly unknown[] = [], abiOf?: string) {
        return (await pub.readContract({ address: target(to), abi: abiFor(to, abiOf), functionName, args } as never)) as T;
      },
      async deploy(from, artifact, args = []) {
        const a = artifacts[artifact]!;
        const hash = await walletOf(from).deployContract({ abi: a.abi, bytecode: a.bytecode, args, account: from, chain } as never);
        const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: 10 });
        assert.ok(receipt.contractAddress);
        return receipt.contractAddress;
      },
      events(receipt, contract) {
        const logs = receipt.logs.filter((l) => l.address.toLowerCase() === addr[contract].toLowerCase());
        return parseEventLogs({ abi: abiFor(contract), logs }) as unknown as DecodedEvent[];
      },
      async fund(to, amount, spender) {
        const admin = actors.admin;
        await self.write(admin, 'DimoToken', 'mint', [to.address, amount]);
        if (spender) await self.write(to, 'DimoToken', 'approve', [addr[spender], amount]);
      },
      balance(token, who) {
        return self.read<bigint>(token, 'balanceOf', [who]);
      },
      async now() {
        return (await pub.getBlock({ blockTag: 'latest' })).timestamp;
      },
      async nextBlockAt(timestamp) {
        await testClient.setNextBlockTimestamp({ timestamp });
      },
      async mineAt(timestamp) {
        await testClient.setNextBlockTimestamp({ timestamp });
        await testClient.mine({ blocks: 1 });
      },
      async increaseTime(seconds) {
        await testClient.increaseTime({ seconds: Number(seconds) });
        await testClient.mine({ blocks: 1 });
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

/**
 * Awaits `action` and asserts it reverted with the custom error `errorName` (and `args`, when given).
 * `abi` decodes raw revert data (deployments, or errors of a contract called through another).
 */
export async function expectRevert(action: Promise<unknown>, errorName: string, args?: readonly unknown[], abi?: Abi): Promise<void> {
  let caught: unknown;
  try {
    await action;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected a revert with ${errorName}, but the call succeeded`);
  let name: string | undefined;
  let decodedArgs: readonly unknown[] | undefined;
  if (caught instanceof BaseError) {
    const reverted = caught.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
      name = reverted.data.errorName;
      decodedArgs = reverted.data.args;
    } else if (abi) {
      const withData = caught.walk((e) => typeof (e as { data?: unknown }).data === 'string' && ((e as { data: string }).data.startsWith('0x')));
      const data = (withData as { data?: Hex } | null)?.data ?? (reverted instanceof ContractFunctionRevertedError ? reverted.raw : undefined);
      if (data) {
        const decoded = decodeErrorResult({ abi, data });
        name = decoded.errorName;
        decodedArgs = decoded.args;
      }
    }
  }
  if (name === undefined) throw caught;
  assert.equal(name, errorName);
  if (args) assert.deepEqual(decodedArgs, args);
}

/** Event `eventName` from a receipt; fails unless exactly one is present. */
export function oneEvent(events: DecodedEvent[], eventName: string): Record<string, unknown> {
  const found = events.filter((e) => e.eventName === eventName);
  assert.equal(found.length, 1, `expected one ${eventName}, got ${found.length} (${events.map((e) => e.eventName).join(', ')})`);
  return found[0]!.args;
}

export const META = { legalName: 'Acme Mobility GmbH', dba: 'Acme', website: 'https://acme.example', supportEmail: 'help@acme.example' };

/** Issues a license (as the deployer, who holds LICENSING_ROLE) and returns its id. */
export async function issueLicense(c: P2Chain, to: Address, kind: number, meta = META): Promise<bigint> {
  const receipt = await c.write(c.actors.admin, 'Licenses', 'issue', [to, kind, meta]);
  return oneEvent(c.events(receipt, 'Licenses'), 'LicenseIssued').licenseId as bigint;
}

/** Mints `amount` DIMO to the holder and stakes it on `licenseId`. */
export async function stakeFor(c: P2Chain, holder: LocalAccount, licenseId: bigint, amount: bigint): Promise<void> {
  await c.fund(holder, amount, 'Licenses');
  await c.write(holder, 'Licenses', 'stake', [licenseId, amount]);
}

// --- OpenZeppelin-standard Merkle tree (double-hashed leaves, sorted-pair hashing) ---

export interface MerkleTree {
  root: Hex;
  leaves: Hex[];
  proof(index: number): Hex[];
}

function hashPair(a: Hex, b: Hex): Hex {
  return BigInt(a) < BigInt(b) ? keccak256(encodePacked(['bytes32', 'bytes32'], [a, b])) : keccak256(encodePacked(['bytes32', 'bytes32'], [b, a]));
}

/** leaf = keccak256(bytes.concat(keccak256(abi.encode(values)))), as the contracts compute it. */
export function standardLeaf(types: readonly string[], values: readonly unknown[]): Hex {
  const inner = keccak256(encodeAbiParameters(types.map((type) => ({ type })), values as never));
  return keccak256(inner);
}

export function merkleTree(leaves: Hex[]): MerkleTree {
  assert.ok(leaves.length > 0);
  const layers: Hex[][] = [leaves];
  while (layers.at(-1)!.length > 1) {
    const layer = layers.at(-1)!;
    const next: Hex[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(i + 1 < layer.length ? hashPair(layer[i]!, layer[i + 1]!) : layer[i]!);
    layers.push(next);
  }
  return {
    root: layers.at(-1)![0]!,
    leaves,
    proof(index: number) {
      const proof: Hex[] = [];
      let i = index;
      for (const layer of layers.slice(0, -1)) {
        const sibling = i ^ 1;
        if (sibling < layer.length) proof.push(layer[sibling]!);
        i >>= 1;
      }
      return proof;
    },
  };
}
