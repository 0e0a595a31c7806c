// What every protocol command (license, gov, issuance, pay) needs: the chain (--rpc), the deployed
// addresses (--deployment), the ABIs (compiled from contracts/, cached), and for transactions the key in
// OPENDIMO_KEY — never a flag, since flags land in shell history. Sends simulate first, so a refusal
// surfaces as a decoded custom error before anything is signed, then go out with a gas margin (DIMO's
// vote checkpoints are keyed by timestamp, so an estimate made one second early can fall short).
import { join, resolve } from 'node:path';
import { decodeEventLog, type Abi, type Address, type Hex, type TransactionReceipt } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { OdmError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Artifacts } from '../../chain/artifacts.ts';
import { createChainClients, redactRpcUrl, type ChainClients } from '../../chain/clients.ts';
import { compileContracts } from '../../chain/compile.ts';
import type { Deployment } from '../../chain/deploy.ts';
import { loadDeployment } from '../../chain/deployment-file.ts';
import { errorFragments, protocolError, type AbiError } from './contract-errors.ts';

export interface ChainFlags {
  rpc?: string;
  deployment?: string;
  dataDir?: string;
  cacheDir?: string;
  json?: boolean;
}

export interface ChainEvent {
  contract: string;
  eventName: string;
  args: Record<string, unknown>;
}

export interface SentTx {
  hash: Hex;
  receipt: TransactionReceipt;
  events: ChainEvent[];
}

export interface ProtocolClient {
  rpcUrl: string;
  chainId: number;
  deployment: Deployment;
  clients: ChainClients;
  errors: AbiError[];
  address(contract: string): Address;
  abi(contract: string): Abi;
  /** The signer from OPENDIMO_KEY; ODM_ERR_CONFIG_INVALID when unset. */
  signer(): PrivateKeyAccount;
  read<T>(contract: string, functionName: string, args?: readonly unknown[]): Promise<T>;
  /** Simulates, sends with a gas margin, waits for the receipt; throws the decoded refusal. */
  send(contract: string, functionName: string, args?: readonly unknown[]): Promise<SentTx>;
  /** Events of every deployed protocol contract in a receipt, decoded. */
  events(receipt: TransactionReceipt): ChainEvent[];
}

/** Help text for the options every protocol command shares. */
export const CHAIN_OPTIONS_HELP = `
Chain: --rpc <url> (or OPENDIMO_RPC_URL) is the JSON-RPC endpoint; for the embedded chain it is the
"chain" URL \`opendimo dev\` prints at start. Addresses come from --deployment <file> (or
OPENDIMO_DEPLOYMENT_FILE), by default <data dir>/chain/deployment.json, which the embedded node writes.
ABIs are compiled from contracts/ into --cache-dir (default <data dir>/cache, the node's own cache).
Transactions are signed with the 0x private key in OPENDIMO_KEY (never a flag). --json prints one JSON
object instead of text.`;

export async function openProtocolClient(flags: ChainFlags): Promise<ProtocolClient> {
  const rpcUrl = flags.rpc ?? process.env.OPENDIMO_RPC_URL;
  if (!rpcUrl) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', 'pass --rpc <url> (or set OPENDIMO_RPC_URL): the chain URL `opendimo dev` prints at start, or your chain\'s JSON-RPC endpoint');
  }
  const dataDir = resolve(flags.dataDir ?? process.env.OPENDIMO_DATA_DIR ?? '.opendimo');
  const deploymentFile = resolve(flags.deployment ?? process.env.OPENDIMO_DEPLOYMENT_FILE ?? join(dataDir, 'chain', 'deployment.json'));
  const [deployment, artifacts] = await Promise.all([
    loadDeployment(deploymentFile),
    compileContracts({ logger: silentLogger(), cacheDir: resolve(flags.cacheDir ?? join(dataDir, 'cache')) }),
  ]);
  if (!deployment) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `no deployment file at ${deploymentFile}; pass --deployment <file> (the JSON \`opendimo chain deploy\` prints) or start the embedded node once`, {
      details: { file: deploymentFile },
    });
  }
  const clients = createChainClients({ rpcUrl, chainId: deployment.chainId, retryCount: 1 });
  let chainId: number;
  try {
    chainId = await clients.publicClient.getChainId();
  } catch (err) {
    throw new OdmError('ODM_ERR_CHAIN_UNAVAILABLE', `the chain at ${redactRpcUrl(rpcUrl)} does not answer`, { cause: err, details: { rpcUrl: redactRpcUrl(rpcUrl) } });
  }
  if (chainId !== deployment.chainId) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', `${redactRpcUrl(rpcUrl)} serves chain ${chainId}, but ${deploymentFile} is for chain ${deployment.chainId}`, {
      details: { rpcChainId: chainId, deploymentChainId: deployment.chainId },
    });
  }
  return makeClient(rpcUrl, deployment, artifacts, clients);
}

function makeClient(rpcUrl: string, deployment: Deployment, artifacts: Artifacts, clients: ChainClients): ProtocolClient {
  const errors = errorFragments(Object.values(artifacts).map((a) => a.abi));
  const byAddress = new Map(Object.entries(deployment.contracts).map(([name, address]) => [address.toLowerCase(), name]));
  let account: PrivateKeyAccount | undefined;
  let signing: ChainClients | undefined;

  const address = (contract: string): Address => {
    const found = deployment.contracts[contract];
    if (!found) throw new OdmError('ODM_ERR_CONTRACT_NOT_DEPLOYED', `the deployment has no ${contract} contract`, { details: { contract, deployed: Object.keys(deployment.contracts) } });
    return found;
  };
  const abi = (contract: string): Abi => {
    const artifact = artifacts[contract];
    if (!artifact) throw new OdmError('ODM_ERR_CONTRACT_ARTIFACT_MISSING', `no compiled contract ${contract}`, { details: { contract } });
    return artifact.abi;
  };
  // The target's functions and events plus every known error, so nested reverts decode too.
  const callAbi = (contract: string): Abi => [...abi(contract).filter((i) => i.type !== 'error'), ...errors];

  const self: ProtocolClient = {
    rpcUrl,
    chainId: deployment.chainId,
    deployment,
    clients,
    errors,
    address,
    abi,
    signer() {
      if (account) return account;
      const key = process.env.OPENDIMO_KEY;
      if (!key) throw new OdmError('ODM_ERR_CONFIG_INVALID', 'set OPENDIMO_KEY to the 0x private key that signs this transaction (it is never taken as a flag)');
      signing = createChainClients({ rpcUrl, chainId: deployment.chainId, privateKey: key as Hex, retryCount: 1 });
      account = signing.account!;
      return account;
    },
    async read<T>(contract: string, functionName: string, args: readonly unknown[] = []): Promise<T> {
      try {
        return (await clients.publicClient.readContract({ address: address(contract), abi: callAbi(contract), functionName, args })) as T;
      } catch (err) {
        throw protocolError(err, `${contract}.${functionName}`, errors);
      }
    },
    async send(contract, functionName, args = []) {
      const from = self.signer();
      const what = `${contract}.${functionName}`;
      const call = { address: address(contract), abi: callAbi(contract), functionName, args, account: from };
      let hash: Hex;
      try {
        await clients.publicClient.simulateContract(call);
        const gas = await clients.publicClient.estimateContractGas(call);
        hash = await signing!.walletClient!.writeContract({ ...call, chain: signing!.chain, gas: (gas * 3n) / 2n + 100_000n });
      } catch (err) {
        throw protocolError(err, what, errors);
      }
      const receipt = await clients.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
      if (receipt.status !== 'success') {
        throw new OdmError('ODM_ERR_CHAIN_REVERTED', `${what} reverted on chain (tx ${hash})`, { status: 422, details: { tx: hash } });
      }
      return { hash, receipt, events: self.events(receipt) };
    },
    events(receipt) {
      const out: ChainEvent[] = [];
      for (const log of receipt.logs) {
        const contract = byAddress.get(log.address.toLowerCase());
        const artifact = contract ? artifacts[contract] : undefined;
        if (!contract || !artifact) continue;
        try {
          const decoded = decodeEventLog({ abi: artifact.abi, data: log.data, topics: log.topics });
          out.push({ contract, eventName: String(decoded.eventName), args: decoded.args as unknown as Record<string, unknown> });
        } catch {
          // An event this ABI does not declare (e.g. an inherited one compiled away); not ours to show.
        }
      }
      return out;
    },
  };
  return self;
}

/** The first `eventName` of `contract` among the events; ODM_ERR_INTERNAL when the chain emitted none. */
export function eventOf(events: ChainEvent[], contract: string, eventName: string): Record<string, unknown> {
  const found = events.find((e) => e.contract === contract && e.eventName === eventName);
  if (!found) throw new OdmError('ODM_ERR_INTERNAL', `${contract} emitted no ${eventName}`);
  return found.args;
}
