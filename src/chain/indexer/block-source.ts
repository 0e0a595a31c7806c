// Reads what the indexer needs from JSON-RPC: block headers, and the logs of the mirrored contracts in a
// block range (halving the range when a provider refuses a large one), decoded with each contract's ABI.
import { BlockNotFoundError, decodeEventLog, numberToHex, toEventSelector, type Abi, type AbiEvent, type Hex } from 'viem';
import { OdmError } from '../../core/errors.ts';
import type { ChainPublicClient } from '../clients.ts';
import type { BlockRef, DecodedEvent } from './indexer-types.ts';

export interface WatchedEvent {
  contract: string;
  address: Hex;
  abiEvent: AbiEvent;
}

/** Which (address, topic0) pairs to fetch, and how to decode them. */
export class EventCatalog {
  readonly #byKey = new Map<string, WatchedEvent>();
  readonly #addresses = new Set<Hex>();
  readonly #topics = new Set<Hex>();

  /** Every handled event of the registered contracts, at their deployed addresses, decoded with their ABIs. */
  static of(registered: ReadonlyMap<string, { handlers: object; artifact: string }>, addresses: Record<string, Hex>, abis: Record<string, Abi>): EventCatalog {
    const catalog = new EventCatalog();
    for (const [contract, reg] of registered) {
      const address = addresses[contract];
      if (!address) throw new OdmError('ODM_ERR_INDEXER_CONFIG', `the deployment has no ${contract} contract`, { details: { contract } });
      const abi = abis[reg.artifact];
      if (!abi) throw new OdmError('ODM_ERR_CONTRACT_ARTIFACT_MISSING', `no ABI for ${reg.artifact}`, { details: { artifact: reg.artifact } });
      for (const eventName of Object.keys(reg.handlers)) catalog.add(contract, address, abi, eventName);
    }
    return catalog;
  }

  /** Adds `eventName` of the contract at `address`; refuses names its ABI does not declare. */
  add(contract: string, address: Hex, abi: Abi, eventName: string): void {
    const items = abi.filter((item): item is AbiEvent => item.type === 'event' && item.name === eventName);
    if (items.length === 0) {
      throw new OdmError('ODM_ERR_INDEXER_CONFIG', `${contract} declares no event ${eventName}; was the contract changed?`, {
        details: { contract, eventName },
      });
    }
    const lower = address.toLowerCase() as Hex;
    for (const abiEvent of items) {
      const topic = toEventSelector(abiEvent);
      this.#byKey.set(`${lower}:${topic}`, { contract, address: lower, abiEvent });
      this.#topics.add(topic);
    }
    this.#addresses.add(lower);
  }

  get addresses(): Hex[] {
    return [...this.#addresses];
  }

  get topics(): Hex[] {
    return [...this.#topics];
  }

  lookup(address: string, topic0: string | undefined): WatchedEvent | undefined {
    return topic0 ? this.#byKey.get(`${address.toLowerCase()}:${topic0}`) : undefined;
  }
}

export interface RawLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
}

export class BlockSource {
  readonly #client: ChainPublicClient;
  readonly #headerConcurrency: number;

  constructor(client: ChainPublicClient, opts: { headerConcurrency?: number } = {}) {
    this.#client = client;
    this.#headerConcurrency = opts.headerConcurrency ?? 8;
  }

  async head(): Promise<BlockRef> {
    const block = await this.#client.getBlock({ blockTag: 'latest' });
    return { number: block.number, hash: block.hash, timestamp: block.timestamp };
  }

  /** The canonical block at `number` now, or undefined when the chain is shorter. */
  async header(number: bigint): Promise<BlockRef | undefined> {
    try {
      const block = await this.#client.getBlock({ blockNumber: number });
      return { number: block.number, hash: block.hash, timestamp: block.timestamp };
    } catch (err) {
      if (err instanceof BlockNotFoundError) return undefined;
      throw err;
    }
  }

  async headers(numbers: bigint[]): Promise<Map<bigint, BlockRef | undefined>> {
    const out = new Map<bigint, BlockRef | undefined>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < numbers.length) {
        const n = numbers[next++]!;
        out.set(n, await this.header(n));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#headerConcurrency, numbers.length) }, worker));
    return out;
  }

  /**
   * Logs of `catalog` in [from, to]; if the provider refuses the range (too many results or blocks) it
   * is fetched in halves. Returns the logs and the last block actually covered.
   */
  async logs(catalog: EventCatalog, from: bigint, to: bigint): Promise<{ logs: RawLog[]; to: bigint }> {
    let end = to;
    for (;;) {
      try {
        const raw = await this.#client.request({
          method: 'eth_getLogs',
          params: [{ address: catalog.addresses, fromBlock: numberToHex(from), toBlock: numberToHex(end), topics: [catalog.topics] }],
        });
        const logs = raw
          .filter((l) => !l.removed && l.blockNumber !== null && l.blockHash !== null && l.transactionHash !== null && l.logIndex !== null)
          .map((l) => ({
            address: l.address,
            topics: l.topics as Hex[],
            data: l.data,
            blockNumber: BigInt(l.blockNumber!),
            blockHash: l.blockHash!,
            transactionHash: l.transactionHash!,
            logIndex: Number(l.logIndex!),
          }));
        return { logs, to: end };
      } catch (err) {
        if (end <= from) throw err;
        end = from + (end - from) / 2n;
      }
    }
  }
}

export function decodeLog(catalog: EventCatalog, log: RawLog, block: BlockRef): DecodedEvent | undefined {
  const watched = catalog.lookup(log.address, log.topics[0]);
  if (!watched) return undefined;
  const decoded = decodeEventLog({ abi: [watched.abiEvent], data: log.data, topics: log.topics as [Hex, ...Hex[]], strict: true });
  return {
    contract: watched.contract,
    address: watched.address,
    eventName: decoded.eventName as string,
    args: decoded.args as unknown as Record<string, unknown>,
    block,
    transactionHash: log.transactionHash,
    logIndex: log.logIndex,
  };
}
