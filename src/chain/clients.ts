// viem clients for any EVM JSON-RPC endpoint: the embedded anvil or a production chain.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Chain,
  type Hex,
  type HttpTransport,
  type PublicClient,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { OdmError } from '../core/errors.ts';

export type ChainPublicClient = PublicClient<HttpTransport, Chain>;
export type ChainWalletClient = WalletClient<HttpTransport, Chain, PrivateKeyAccount>;

export interface ChainClients {
  chain: Chain;
  publicClient: ChainPublicClient;
  /** Present when a private key was given. */
  walletClient?: ChainWalletClient;
  /** The signer for `privateKey` (`account.address` is its address); present when a key was given. */
  account?: PrivateKeyAccount;
}

/** Clients made with a private key: the wallet side is always there. */
export interface SignerChainClients extends ChainClients {
  walletClient: ChainWalletClient;
  account: PrivateKeyAccount;
}

export interface CreateChainClientsOptions {
  rpcUrl: string;
  chainId: number;
  privateKey?: Hex;
  /** Per-request timeout. Default 15 s. */
  timeoutMs?: number;
  /** Retries of failed requests (with backoff). Default 3. */
  retryCount?: number;
  /** How often to poll for blocks and receipts. Default 100 ms on loopback (anvil mines instantly), 2 s elsewhere. */
  pollingIntervalMs?: number;
}

export function createChainClients(opts: CreateChainClientsOptions & { privateKey: Hex }): SignerChainClients;
export function createChainClients(opts: CreateChainClientsOptions): ChainClients;
export function createChainClients(opts: CreateChainClientsOptions): ChainClients {
  const chain = defineChain({
    id: opts.chainId,
    name: `opendimo-${opts.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [opts.rpcUrl] } },
  });
  const transport = http(opts.rpcUrl, { timeout: opts.timeoutMs ?? 15_000, retryCount: opts.retryCount ?? 3, retryDelay: 150 });
  const pollingInterval = opts.pollingIntervalMs ?? (isLoopback(opts.rpcUrl) ? 100 : 2_000);
  // cacheTime 0: a block number read right after a transaction must not be a cached older one.
  const publicClient: ChainPublicClient = createPublicClient({ chain, transport, pollingInterval, cacheTime: 0 });
  if (opts.privateKey === undefined) return { chain, publicClient };
  const account = accountFromKey(opts.privateKey);
  const walletClient: ChainWalletClient = createWalletClient({ chain, transport, account, pollingInterval, cacheTime: 0 });
  return { chain, publicClient, walletClient, account };
}

/** The account for a 0x-prefixed 32-byte hex key; the error never echoes the key. */
export function accountFromKey(privateKey: Hex): PrivateKeyAccount {
  if (typeof privateKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', 'The private key must be 0x followed by 64 hex digits');
  }
  try {
    return privateKeyToAccount(privateKey);
  } catch {
    throw new OdmError('ODM_ERR_CONFIG_INVALID', 'The private key is not a valid secp256k1 key');
  }
}

function isLoopback(rpcUrl: string): boolean {
  try {
    const host = new URL(rpcUrl).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

/** An RPC URL safe to log: hosted endpoints put API keys in the path, query or userinfo. */
export function redactRpcUrl(rpcUrl: string): string {
  try {
    const url = new URL(rpcUrl);
    const hidden = url.pathname !== '/' || url.search !== '' || url.username !== '' || url.password !== '';
    return `${url.protocol}//${url.host}${hidden ? '/…' : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}
