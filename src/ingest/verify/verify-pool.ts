// A small pool of worker threads that verify event signatures on every core. Calls made in the same
// turn of the event loop are merged into jobs (one copy of the bytes and one message per worker) so
// per-message overhead is paid per batch, not per event. A large batch that finds every worker idle is
// spread across all of them by event index; otherwise each call goes whole to the worker with the
// least work queued. Byte buffers travel to the worker and back (transferred, never shared): a
// SharedArrayBuffer would live until an idle worker happened to collect garbage, which let tens of
// megabytes pile up per worker.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { OdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { UNSCANNABLE, type VerifyJob, type VerifyReply } from './verify-worker.ts';

export interface VerifiedDoc {
  /** Events found in the document; -1 when it could not be scanned (not JSON). */
  events: number;
  /** One status per event (VERIFIED or a failure code from verify-codes.ts). */
  status: Uint8Array;
  /** 20 bytes per event: the recovered signer. */
  signers: Uint8Array;
  /** 2 per event: [start, end) of the event's JSON text within the document. */
  spans: Uint32Array;
}

export interface VerifyPoolOptions {
  /** Worker threads; default: one per core. */
  threads?: number;
  logger?: Logger;
}

/** Jobs at least this large are split over all workers (when they are all idle). */
const SPLIT_BYTES = 24 * 1024;

interface Pending {
  docs: Uint8Array[];
  resolve: (docs: VerifiedDoc[]) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  busyBytes: number;
  /** Buffers back from the worker, for reuse. */
  spares: ArrayBuffer[];
  waiting: Map<number, { bytes: number; done: (reply: VerifyReply) => void; fail: (err: unknown) => void }>;
}

export class VerifyPool {
  readonly threads: number;
  readonly #slots: Slot[] = [];
  readonly #logger: Logger | undefined;
  #queue: Pending[] = [];
  #scheduled = false;
  #nextId = 1;
  #closed = false;

  constructor(options: VerifyPoolOptions = {}) {
    this.threads = Math.max(1, options.threads || availableParallelism());
    this.#logger = options.logger;
    for (let i = 0; i < this.threads; i++) this.#slots.push(this.#spawn());
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./verify-worker.ts', import.meta.url));
    const slot: Slot = { worker, busyBytes: 0, spares: [], waiting: new Map() };
    worker.unref();
    worker.on('message', (reply: VerifyReply) => {
      const w = slot.waiting.get(reply.id);
      if (!w) return;
      slot.waiting.delete(reply.id);
      slot.busyBytes -= w.bytes;
      keep(slot, reply.buf);
      w.done(reply);
    });
    const failAll = (err: unknown) => {
      for (const w of slot.waiting.values()) w.fail(err);
      slot.waiting.clear();
      slot.busyBytes = 0;
    };
    worker.on('error', (err) => {
      this.#logger?.error({ err }, 'signature verification worker failed');
      failAll(new OdmError('ODM_ERR_INTERNAL', 'signature verification worker failed', { cause: err }));
    });
    worker.on('exit', () => {
      failAll(new OdmError('ODM_ERR_UNAVAILABLE', 'signature verification worker stopped', { retryable: true }));
      if (!this.#closed) this.#slots[this.#slots.indexOf(slot)] = this.#spawn();
    });
    return slot;
  }

  /** Verifies every event in each document (a CloudEvent object or an array of them). */
  verify(docs: Uint8Array[]): Promise<VerifiedDoc[]> {
    if (this.#closed) return Promise.reject(new OdmError('ODM_ERR_UNAVAILABLE', 'the verifier is stopped'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ docs, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    let total = 0;
    for (const p of batch) for (const d of p.docs) total += d.length;
    // Split by event index only while every worker is idle, for latency: each worker of a split job
    // scans all of it to find its events. Under sustained load each call goes whole to the worker
    // with the least work queued, so the workers stay balanced without scanning anything twice.
    if (this.threads > 1 && total >= SPLIT_BYTES && this.#slots.every((s) => s.busyBytes === 0)) {
      this.#send(batch, total, this.#slots);
      return;
    }
    const groups = new Map<Slot, { calls: Pending[]; bytes: number }>();
    const load = (slot: Slot) => slot.busyBytes + (groups.get(slot)?.bytes ?? 0);
    for (const p of batch) {
      let bytes = 0;
      for (const d of p.docs) bytes += d.length;
      const slot = this.#slots.reduce((a, b) => (load(b) < load(a) ? b : a));
      const g = groups.get(slot);
      if (g) (g.calls.push(p), (g.bytes += bytes));
      else groups.set(slot, { calls: [p], bytes });
    }
    for (const [slot, g] of groups) this.#send(g.calls, g.bytes, [slot]);
  }

  /** One job over the documents of `batch`: to one worker, or split by event index over several. */
  #send(batch: Pending[], total: number, targets: Slot[]): void {
    let nDocs = 0;
    for (const p of batch) nDocs += p.docs.length;
    const offsets = new Uint32Array(nDocs * 2);
    let at = 0, k = 0;
    for (const p of batch) {
      for (const d of p.docs) {
        offsets[k++] = at;
        at += d.length;
        offsets[k++] = at;
      }
    }
    const id = this.#nextId++;
    const replies = targets.map((slot, phase) =>
      new Promise<VerifyReply>((done, fail) => {
        const buf = take(slot, total);
        const bytes = new Uint8Array(buf);
        let o = 0;
        for (const p of batch) for (const d of p.docs) (bytes.set(d, o), (o += d.length));
        const share = Math.ceil(total / targets.length);
        slot.waiting.set(id, { bytes: share, done, fail });
        slot.busyBytes += share;
        const job: VerifyJob = { id, buf, docs: offsets, stride: targets.length, phase };
        slot.worker.postMessage(job, [buf]);
      }),
    );
    Promise.all(replies).then(
      (parts) => {
        const merged = merge(parts);
        let doc = 0, event = 0;
        for (const p of batch) {
          const out: VerifiedDoc[] = [];
          for (let i = 0; i < p.docs.length; i++, doc++) {
            const count = merged.docEvents[doc]!;
            if (count === UNSCANNABLE) {
              out.push({ events: -1, status: new Uint8Array(0), signers: new Uint8Array(0), spans: new Uint32Array(0) });
              continue;
            }
            out.push({
              events: count,
              status: merged.status.subarray(event, event + count),
              signers: merged.signers.subarray(event * 20, (event + count) * 20),
              spans: merged.spans.subarray(event * 2, (event + count) * 2),
            });
            event += count;
          }
          p.resolve(out);
        }
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}

/** Spare buffers kept per worker: about as many as it has jobs in flight under sustained load. */
const MAX_SPARES = 8;
const MAX_SPARE_BYTES = 32 << 20;

/**
 * The smallest spare buffer of at least `size` bytes, or a new one rounded up to a power of two so that
 * it fits later jobs too. A fresh buffer is not free: the kernel zeroes each of its pages on first
 * write, which cost more than the copy into it while jobs of varying sizes kept missing the spares.
 */
function take(slot: Slot, size: number): ArrayBuffer {
  let best = -1;
  for (let i = 0; i < slot.spares.length; i++) {
    const n = slot.spares[i]!.byteLength;
    if (n >= size && (best < 0 || n < slot.spares[best]!.byteLength)) best = i;
  }
  if (best >= 0) return slot.spares.splice(best, 1)[0]!;
  return new ArrayBuffer(Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(size))));
}

/** Keeps a buffer back from the worker for reuse: past the count the smallest go, past the bytes the largest. */
function keep(slot: Slot, buf: ArrayBuffer): void {
  const spares = slot.spares;
  spares.push(buf);
  let bytes = 0;
  for (const b of spares) bytes += b.byteLength;
  while (spares.length > MAX_SPARES || bytes > MAX_SPARE_BYTES) {
    const largest = bytes > MAX_SPARE_BYTES;
    let pick = 0;
    for (let i = 1; i < spares.length; i++) {
      if (largest ? spares[i]!.byteLength > spares[pick]!.byteLength : spares[i]!.byteLength < spares[pick]!.byteLength) pick = i;
    }
    bytes -= spares[pick]!.byteLength;
    spares.splice(pick, 1);
  }
}

/** Each worker filled in the events of its phase; take each event from the worker that computed it. */
function merge(parts: VerifyReply[]): { docEvents: Uint32Array; status: Uint8Array; signers: Uint8Array; spans: Uint32Array } {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const stride = parts.length;
  const status = first.status;
  const signers = first.signers;
  for (let phase = 1; phase < stride; phase++) {
    const p = parts[phase]!;
    for (let i = phase; i < status.length; i += stride) {
      status[i] = p.status[i]!;
      signers.set(p.signers.subarray(i * 20, i * 20 + 20), i * 20);
    }
  }
  return { docEvents: first.docEvents, status, signers, spans: first.spans };
}
