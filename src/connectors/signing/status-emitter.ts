// One poll's signals → one signed `dimo.status` CloudEvent in DIMO's envelope, handed to the ingest
// pipeline. The device key of the connection signs keccak256 of the exact `data` bytes (inside the
// signing module); the envelope carries those bytes verbatim. The event id is derived from the vehicle,
// the data's time and a hash of the data, so a re-sent identical record is a duplicate for ingest too.
// Events of polls that finish together are handed to ingest in one batch (one verification round trip).
import { createHash } from 'node:crypto';
import type { Signal } from '../oem-types.ts';
import type { DeviceKeys } from './device-keys.ts';

export interface EmitTarget {
  vehicleTokenId: string;
  deviceTokenId: string;
  devicePath: string;
}

export type EmitOutcome = { status: 'stored' | 'duplicate' } | { status: 'rejected'; code: string; message: string };

/** What ingest answered for each document (the pipeline's result shape, reduced). */
export type IngestFn = (docs: Buffer[]) => Promise<Array<Array<{ status: string; code?: string; message?: string }>>>;

export interface StatusEmitterOptions {
  keys: DeviceKeys;
  chainId: number;
  vehicleContract: string;
  deviceContract: string;
  /** The envelope's `source`: the connection's address. */
  source: string;
  ingest: IngestFn;
  /** Events per ingest call at most. Default 500. */
  batchMax?: number;
}

interface Pending {
  doc: Buffer;
  resolve(o: EmitOutcome): void;
  reject(err: unknown): void;
}

export class StatusEmitter {
  readonly #o: StatusEmitterOptions;
  #queue: Pending[] = [];
  #scheduled = false;
  #emitted = 0;

  constructor(options: StatusEmitterOptions) {
    this.#o = options;
  }

  get emitted(): number {
    return this.#emitted;
  }

  /** The signed event as sent (JSON text); exposed for tests and tooling. */
  build(target: EmitTarget, signals: Signal[]): string {
    const o = this.#o;
    const time = signals.reduce((m, s) => Math.max(m, s.timestamp), 0);
    const data = JSON.stringify({ signals: signals.map((s) => ({ name: s.name, timestamp: new Date(s.timestamp).toISOString(), value: s.value })) });
    const digest = createHash('sha256').update(data).digest('hex').slice(0, 16);
    const header = {
      specversion: '1.0',
      type: 'dimo.status',
      source: o.source,
      subject: `did:erc721:${o.chainId}:${o.vehicleContract}:${target.vehicleTokenId}`,
      producer: `did:erc721:${o.chainId}:${o.deviceContract}:${target.deviceTokenId}`,
      id: `${target.deviceTokenId}-${time}-${digest}`,
      time: new Date(time).toISOString(),
      datacontenttype: 'application/json',
      dataversion: 'default/v1.0',
      signature: o.keys.signData(target.devicePath, Buffer.from(data)),
    };
    return JSON.stringify(header).slice(0, -1) + `,"data":${data}}`;
  }

  emit(target: EmitTarget, signals: Signal[]): Promise<EmitOutcome> {
    const doc = Buffer.from(this.build(target, signals));
    return new Promise<EmitOutcome>((resolve, reject) => {
      this.#queue.push({ doc, resolve, reject });
      if (this.#queue.length >= (this.#o.batchMax ?? 500)) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.#o.ingest(batch.map((p) => p.doc)).then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const r = results[i]?.[0];
          const p = batch[i]!;
          if (r?.status === 'stored' || r?.status === 'duplicate') {
            if (r.status === 'stored') this.#emitted++;
            p.resolve({ status: r.status });
          } else p.resolve({ status: 'rejected', code: r?.code ?? 'ODM_ERR_INTERNAL', message: r?.message ?? 'no answer from ingest' });
        }
      },
      (err) => {
        for (const p of batch) p.reject(err);
      },
    );
  }
}
