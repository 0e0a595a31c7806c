// Waits for many transactions' receipts with one poll loop: it asks for the block number each interval
// and fetches pending receipts only when a new block arrived. (One viem waitForTransactionReceipt per
// transaction polls the node once per transaction per interval, which swamps anvil at a few dozen in
// flight.) A receipt is also looked for right after sending, as automining chains have it at once.
import type { Hex, TransactionReceipt } from 'viem';
import { OdmError } from '../core/errors.ts';
import type { ChainPublicClient } from '../chain/clients.ts';

interface Pending {
  hash: Hex;
  resolve(receipt: TransactionReceipt): void;
  reject(err: unknown): void;
  deadline: number;
}

export class ReceiptWatcher {
  readonly #client: ChainPublicClient;
  readonly #intervalMs: number;
  readonly #pending = new Map<Hex, Pending[]>();
  #timer: NodeJS.Timeout | undefined;
  #lastBlock = -1n;
  #polling = false;

  constructor(client: ChainPublicClient, intervalMs: number) {
    this.#client = client;
    this.#intervalMs = intervalMs;
  }

  async wait(hash: Hex, timeoutMs: number): Promise<TransactionReceipt> {
    const now = await this.#client.getTransactionReceipt({ hash }).catch(() => undefined);
    if (now) return now;
    return new Promise<TransactionReceipt>((resolve, reject) => {
      const list = this.#pending.get(hash) ?? [];
      list.push({ hash, resolve, reject, deadline: Date.now() + timeoutMs });
      this.#pending.set(hash, list);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#timer || this.#pending.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#poll().finally(() => this.#schedule());
    }, this.#intervalMs);
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const block = await this.#client.getBlockNumber().catch(() => undefined);
      if (block !== undefined && block !== this.#lastBlock) {
        this.#lastBlock = block;
        await Promise.all(
          [...this.#pending.keys()].map(async (hash) => {
            const receipt = await this.#client.getTransactionReceipt({ hash }).catch(() => undefined);
            if (!receipt) return;
            for (const p of this.#pending.get(hash) ?? []) p.resolve(receipt);
            this.#pending.delete(hash);
          }),
        );
      }
      const now = Date.now();
      for (const [hash, list] of this.#pending) {
        const alive = list.filter((p) => {
          if (p.deadline > now) return true;
          p.reject(new OdmError('ODM_ERR_TIMEOUT', `no receipt for ${hash} in time`, { details: { txHash: hash } }));
          return false;
        });
        if (alive.length === 0) this.#pending.delete(hash);
        else this.#pending.set(hash, alive);
      }
    } finally {
      this.#polling = false;
    }
  }
}
