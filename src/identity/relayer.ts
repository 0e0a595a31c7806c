// Submits owner-signed actions (the contracts' *BySig functions) from the node's relayer key, so owners
// need no gas. Each action is simulated first (gas estimation runs the call), so a refusal becomes a
// stable error code before anything is sent. Sends are serialised through one queue per relayer key,
// which hands out nonces locally; receipts are awaited outside the queue so transactions pipeline.
import { encodeFunctionData, parseEventLogs, type Abi, type Address, type Hex, type TransactionReceipt } from 'viem';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { ChainPublicClient, ChainWalletClient } from '../chain/clients.ts';
import { ReceiptWatcher } from './receipt-watcher.ts';
import { relayError } from './relay-errors.ts';

export interface RelayCall {
  /** Deployment name of the target contract. */
  contract: string;
  functionName: string;
  args: readonly unknown[];
  /** Short description for errors and logs, e.g. "mint the vehicle". */
  action: string;
}

export interface RelayResult {
  txHash: Hex;
  blockNumber: bigint;
  receipt: TransactionReceipt;
  /** Decoded events of the target contract in the receipt. */
  events: { eventName: string; args: Record<string, unknown> }[];
}

export interface RelayerOptions {
  publicClient: ChainPublicClient;
  walletClient: ChainWalletClient;
  contracts: Record<string, Address>;
  abis: Record<string, Abi>;
  logger: Logger;
  metrics?: Metrics;
  /** How long to wait for a receipt. Default 60 s. */
  receiptTimeoutMs?: number;
}

export class Relayer {
  readonly address: Address;
  readonly #opts: RelayerOptions;
  readonly #log: Logger;
  #queue: Promise<unknown> = Promise.resolve();
  #nextNonce: number | undefined;
  readonly #count?: (action: string, outcome: string) => void;
  readonly #receipts: ReceiptWatcher;
  #feeCache: { at: number; value: Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> } | undefined;

  constructor(opts: RelayerOptions) {
    this.#opts = opts;
    this.address = opts.walletClient.account.address;
    this.#log = opts.logger.child({ component: 'relayer' });
    this.#receipts = new ReceiptWatcher(opts.publicClient, opts.publicClient.pollingInterval);
    if (opts.metrics) {
      const c = opts.metrics.counter('opendimo_relayer_actions_total', 'Owner-signed actions relayed, by outcome', ['action', 'outcome']);
      this.#count = (action, outcome) => c.inc({ action, outcome });
    }
  }

  async relay(call: RelayCall): Promise<RelayResult> {
    const address = this.#opts.contracts[call.contract];
    const abi = this.#opts.abis[call.contract];
    if (!address || !abi) throw new OdmError('ODM_ERR_RELAYER_UNAVAILABLE', `this node's deployment has no ${call.contract} contract`);
    const { publicClient, walletClient } = this.#opts;
    let gas: bigint;
    let fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };
    try {
      // Simulation (gas estimation runs the call) and fees side by side, outside the nonce queue.
      [gas, fees] = await Promise.all([
        publicClient.estimateContractGas({ address, abi, functionName: call.functionName, args: call.args, account: this.address } as Parameters<ChainPublicClient['estimateContractGas']>[0]),
        this.#fees(),
      ]);
    } catch (err) {
      const e = relayError(err, call.action);
      this.#count?.(call.functionName, e.code);
      throw e;
    }
    const data = encodeFunctionData({ abi, functionName: call.functionName, args: call.args } as Parameters<typeof encodeFunctionData>[0]);
    const account = walletClient.account;
    const chainId = walletClient.chain.id;
    // The queue holds only nonce assignment, local signing and the raw send.
    const hash = await this.#serial(async () => {
      // Twice at most: our nonce may be stale when something else sent from the same key.
      for (let attempt = 1; ; attempt++) {
        this.#nextNonce ??= await publicClient.getTransactionCount({ address: this.address, blockTag: 'pending' });
        try {
          const raw = await account.signTransaction({ type: 'eip1559', chainId, to: address, data, gas: (gas * 12n) / 10n, nonce: this.#nextNonce, ...fees });
          const sent = await publicClient.sendRawTransaction({ serializedTransaction: raw });
          this.#nextNonce++;
          return sent;
        } catch (err) {
          this.#nextNonce = undefined;
          if (attempt < 2) continue;
          this.#count?.(call.functionName, 'ODM_ERR_RELAY_FAILED');
          throw new OdmError('ODM_ERR_RELAY_FAILED', `could not send the transaction to ${call.action}`, { cause: err, details: { action: call.action } });
        }
      }
    });
    let receipt: TransactionReceipt;
    try {
      receipt = await this.#receipts.wait(hash, this.#opts.receiptTimeoutMs ?? 60_000);
    } catch (err) {
      this.#count?.(call.functionName, 'ODM_ERR_TIMEOUT');
      throw new OdmError('ODM_ERR_TIMEOUT', `the transaction to ${call.action} was sent but not mined in time`, { cause: err, details: { action: call.action, txHash: hash } });
    }
    if (receipt.status !== 'success') {
      // Passed simulation but reverted in its block (state changed in between, e.g. a deadline passed).
      this.#count?.(call.functionName, 'ODM_ERR_RELAY_FAILED');
      throw new OdmError('ODM_ERR_RELAY_FAILED', `the transaction to ${call.action} reverted on chain`, { retryable: false, details: { action: call.action, txHash: hash } });
    }
    this.#count?.(call.functionName, 'ok');
    this.#log.debug({ action: call.functionName, txHash: hash, block: String(receipt.blockNumber) }, 'relayed');
    const logs = receipt.logs.filter((l) => l.address.toLowerCase() === address.toLowerCase());
    const events = parseEventLogs({ abi, logs }) as unknown as { eventName: string; args: Record<string, unknown> }[];
    return { txHash: hash, blockNumber: receipt.blockNumber, receipt, events };
  }

  /** EIP-1559 fees, reused for a second: under load every relay would otherwise ask for them again. */
  #fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const now = Date.now();
    if (!this.#feeCache || now - this.#feeCache.at > 1_000) {
      const value = this.#opts.publicClient.estimateFeesPerGas() as Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }>;
      this.#feeCache = { at: now, value };
      value.catch(() => {
        if (this.#feeCache?.value === value) this.#feeCache = undefined;
      });
    }
    return this.#feeCache.value;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
