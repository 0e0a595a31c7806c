// The one data path up to storage (DESIGN.md §3): envelope → verify → normalize → privacy → vault → bus.
// Every transport (HTTP, MQTT, mTLS, connectors) hands raw documents here. Signatures are checked on
// worker threads, which also find where each event starts and ends; this thread then parses the
// events one by one (other requests keep it busy meanwhile). A bad event is rejected with its own code and
// a bad signal never drops the good ones beside it. Callers get their answer only after the events are
// durably appended.
import type { Counter } from 'prom-client';
import type { Bus } from '../../bus/bus.ts';
import type { Clock } from '../../core/clock.ts';
import { OdmError, type ErrorCode } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Metrics } from '../../core/metrics.ts';
import type { IdentityLookup } from '../../identity/identity-lookup.ts';
import type { PrivacyPolicy } from '../../privacy/apply-privacy.ts';
import { applyPrivacy } from '../../privacy/apply-privacy.ts';
import type { EventLog, PendingWrite } from '../../vault/event-log.ts';
import type { LogEvent } from '../../vault/log-record.ts';
import { readEnvelope, type Envelope } from '../envelope/envelope.ts';
import { normalizeSignals, type NormalizedSignals } from '../normalize/normalize.ts';
import type { SignalCatalog } from '../normalize/signal-catalog.ts';
import { VERIFIED, verifyFailure } from '../verify/verify-codes.ts';
import { createKeccak } from '../verify/keccak-wasm.ts';
import type { VerifyPool } from '../verify/verify-pool.ts';
import type { EventResult } from './ingest-result.ts';
import { StoredTelemetry, telemetrySubject } from './stored-telemetry.ts';

export interface IngestContext {
  transport: 'http' | 'mqtt' | 'mtls';
  /** mTLS: the connection address named by the client certificate (checksummed); each event's source must be it. */
  connection?: string;
  /** MQTT: the device address named by the topic (lowercase); each event must be signed by it. */
  topicAddress?: string;
}

export interface ChainFacts {
  chainId: number;
  /** Lowercase addresses; when known, subjects and producers must name these contracts. */
  vehicleContract?: string;
  aftermarketContract?: string;
  syntheticContract?: string;
}

/**
 * The identity mirror as ingest uses it. `deviceByToken` (optional) lets a signature that recovers to
 * an unregistered address be told apart: if the producer names a known device, the data or signature
 * was altered (ODM_ERR_SIGNATURE_INVALID); otherwise the signer is an unknown device.
 */
export type IngestIdentity = IdentityLookup & {
  deviceByToken?(kind: 'synthetic' | 'aftermarket', tokenId: bigint): { address: string } | undefined;
};

export interface IngestPipelineOptions {
  identity: IngestIdentity;
  verifier: VerifyPool;
  log: EventLog;
  privacy: { policy(vehicleId: string, version: number): PrivacyPolicy | undefined };
  catalog: SignalCatalog;
  clock: Clock;
  chain: ChainFacts;
  /** Keys the duplicate-detection hash so the table does not reveal which events a vehicle sent. */
  dedupSecret: Buffer;
  maxFutureMs: number;
  maxAgeMs: number;
  /** Events accepted but not yet answered; beyond it requests get ODM_ERR_INGEST_OVERLOADED. */
  maxInflight: number;
  bus?: Bus;
  logger: Logger;
  metrics?: Metrics;
}

/** Per document: the result of each event in it, or one result with index -1 for a document that is not JSON. */
export type DocumentResults = EventResult[];

interface Accepted {
  result: EventResult;
  write: PendingWrite;
}

/**
 * Parses each event of a document from the byte range the verifier found for it, or undefined if any
 * is not JSON (the scan has checked the brackets, commas and whitespace between them). Parsed one by
 * one, and only once verified, so the strings and objects stay small and short-lived: one string of a
 * whole batch would be allocated straight into the old generation, and objects parsed before the wait
 * for the workers would outlive it; either way each batch would end in a full garbage collection.
 */
function parseEvents(doc: Buffer, spans: Uint32Array): unknown[] | undefined {
  const events = new Array<unknown>(spans.length / 2);
  try {
    for (let i = 0; i < events.length; i++) events[i] = JSON.parse(doc.toString('utf8', spans[2 * i], spans[2 * i + 1]));
  } catch {
    return undefined;
  }
  return events;
}

function rejected(index: number, id: string | undefined, code: ErrorCode, message: string): EventResult {
  return id === undefined ? { index, status: 'rejected', code, message } : { index, id, status: 'rejected', code, message };
}

export class IngestPipeline {
  readonly #o: IngestPipelineOptions;
  readonly #names: readonly string[];
  #inflight = 0;
  readonly #keccak = createKeccak();
  #scratch = Buffer.alloc(512);
  readonly #digest = new Uint8Array(32);
  readonly #events: Counter<string> | undefined;
  readonly #signals: Counter<string> | undefined;

  constructor(options: IngestPipelineOptions) {
    this.#o = options;
    this.#names = options.catalog.signals.map((s) => s.name);
    this.#events = options.metrics?.counter('opendimo_ingest_events_total', 'Ingested events by transport and outcome', ['transport', 'outcome', 'code']);
    this.#signals = options.metrics?.counter('opendimo_ingest_signals_total', 'Ingested signals by outcome', ['outcome']);
  }

  get inflight(): number {
    return this.#inflight;
  }

  /** Ingests documents (each one CloudEvent or a JSON array of them). */
  async ingest(docs: Buffer[], ctx: IngestContext): Promise<DocumentResults[]> {
    let bytes = 0;
    for (const d of docs) bytes += d.length;
    // A rough event count for back-pressure before anything is parsed.
    const estimate = Math.max(docs.length, Math.ceil(bytes / 2048));
    if (this.#inflight + estimate > this.#o.maxInflight) {
      throw new OdmError('ODM_ERR_INGEST_OVERLOADED', 'the node is ingesting as fast as it can; retry shortly', { retryable: true });
    }
    this.#inflight += estimate;
    try {
      return await this.#run(docs, ctx);
    } finally {
      this.#inflight -= estimate;
    }
  }

  async #run(docs: Buffer[], ctx: IngestContext): Promise<DocumentResults[]> {
    const verified = await this.#o.verifier.verify(docs);
    const now = this.#o.clock.now();
    const out: DocumentResults[] = [];
    const accepted: Accepted[] = [];
    for (let d = 0; d < docs.length; d++) {
      const v = verified[d]!;
      const events = v.events < 0 ? undefined : parseEvents(docs[d]!, v.spans);
      if (events === undefined) {
        out.push([rejected(-1, undefined, 'ODM_ERR_ENVELOPE_INVALID', 'the document is not valid JSON: a CloudEvent or a JSON array of CloudEvents')]);
        continue;
      }
      const results: EventResult[] = new Array(events.length);
      for (let i = 0; i < events.length; i++) {
        const r = this.#event(events[i], i, v.status[i]!, v.signers, now, ctx);
        if ('write' in r) {
          accepted.push(r);
          results[i] = r.result;
        } else {
          results[i] = r;
        }
      }
      out.push(results);
    }

    if (accepted.length > 0) {
      const stored = await this.#o.log.append(accepted.map((a) => a.write));
      const byVehicle = new Map<string, LogEvent[]>();
      for (let i = 0; i < accepted.length; i++) {
        const a = accepted[i]!;
        if (!stored[i]) {
          a.result.status = 'duplicate';
          delete a.result.signals;
          delete a.result.errors;
          continue;
        }
        if (this.#o.bus) {
          const e = a.write.event;
          const k = `${e.vehicleId}:${e.version}`;
          const list = byVehicle.get(k);
          if (list) list.push(e);
          else byVehicle.set(k, [e]);
        }
      }
      for (const list of byVehicle.values()) {
        const first = list[0]!;
        void this.#o.bus!.publish(telemetrySubject(first.vehicleId), new StoredTelemetry(first.vehicleId, first.version, list, this.#names)).catch(() => undefined);
      }
    }
    this.#count(out, ctx);
    return out;
  }

  #count(out: DocumentResults[], ctx: IngestContext): void {
    if (this.#o.logger.isLevelEnabled('debug')) {
      for (const results of out) {
        for (const r of results) if (r.status === 'rejected') this.#o.logger.debug({ transport: ctx.transport, index: r.index, code: r.code }, 'event rejected');
      }
    }
    if (!this.#events) return;
    let storedSignals = 0, rejectedSignals = 0;
    const tally = new Map<string, number>();
    for (const results of out) {
      for (const r of results) {
        const key = `${r.status}|${r.code ?? ''}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        if (r.status === 'stored' && r.signals) {
          storedSignals += r.signals.stored;
          rejectedSignals += r.signals.rejected;
        }
      }
    }
    for (const [key, n] of tally) {
      const [outcome, code] = key.split('|');
      this.#events.inc({ transport: ctx.transport, outcome: outcome!, code: code! }, n);
    }
    this.#signals?.inc({ outcome: 'stored' }, storedSignals);
    this.#signals?.inc({ outcome: 'rejected' }, rejectedSignals);
  }

  /** Checks one event; either a rejection or what to append. */
  #event(raw: unknown, index: number, status: number, signers: Uint8Array, now: number, ctx: IngestContext): Accepted | EventResult {
    const o = this.#o;
    const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? ((raw as { id: string }).id.slice(0, 128)) : undefined;
    if (status !== VERIFIED) {
      const f = verifyFailure(status);
      return rejected(index, id, f.code, f.message);
    }
    const env = readEnvelope(raw, { now, maxFutureMs: o.maxFutureMs, maxAgeMs: o.maxAgeMs });
    if (!('subjectDid' in env)) return rejected(index, id, env.code, env.message);
    const signerHex = '0x' + Buffer.from(signers.buffer, signers.byteOffset + index * 20, 20).toString('hex');
    if (ctx.topicAddress !== undefined && signerHex !== ctx.topicAddress) {
      return rejected(index, id, 'ODM_ERR_TOPIC_MISMATCH', 'the event is signed by a different device than the one the MQTT topic names');
    }
    if (ctx.connection !== undefined && env.source !== ctx.connection) {
      return rejected(index, id, 'ODM_ERR_SOURCE_MISMATCH', 'source must be the connection address named by the client certificate');
    }
    const authz = this.#authorize(env, signerHex);
    if (typeof authz === 'object' && 'code' in authz) return rejected(index, id, authz.code, authz.message);
    const { vehicleId, version, owner } = authz;

    const e = raw as { data?: unknown; data_base64?: unknown };
    let data = e.data;
    if (data === undefined && typeof e.data_base64 === 'string') {
      try {
        data = JSON.parse(Buffer.from(e.data_base64, 'base64').toString('utf8'));
      } catch {
        return rejected(index, id, 'ODM_ERR_DATA_INVALID', 'data_base64 must hold JSON');
      }
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return rejected(index, id, 'ODM_ERR_DATA_INVALID', 'data must be a JSON object');
    }

    const result: EventResult = { index, id: env.id, status: 'stored' };
    // Built once its contents are known: placeholder arrays would be garbage for every event.
    let n: NormalizedSignals | undefined;
    let extra: unknown = data;
    if (env.type === 'dimo.status') {
      const d = data as { signals?: unknown; vin?: unknown; events?: unknown };
      const normalized = normalizeSignals(o.catalog, d.signals ?? [], { now, maxFutureMs: o.maxFutureMs, maxAgeMs: o.maxAgeMs, eventTime: env.time });
      if ('error' in normalized) return rejected(index, id, normalized.error, normalized.message);
      n = normalized;
      const privacy = applyPrivacy(o.privacy.policy(vehicleId, version), n);
      extra = d.vin !== undefined || d.events !== undefined ? { vin: d.vin, events: d.events } : null;
      result.signals = {
        stored: n.samples.length / 3 + n.locationSamples.length / 3 + n.points.length,
        rejected: n.rejected.length,
        redacted: privacy.redacted,
        withheld: privacy.withheld,
        collapsed: n.collapsed,
      };
      if (n.rejected.length > 0) result.errors = n.rejected;
    }
    const event: LogEvent = {
      vehicleId, version, owner, id: env.id, source: env.source, type: env.type, time: env.time, producer: env.producer, signer: signerHex,
      dataversion: env.dataversion ?? null, samples: n ? n.samples : [], locationSamples: n ? n.locationSamples : [], points: n ? n.points : [],
      extra, rejected: n ? n.rejected.length : 0,
    };
    return { result, write: { event, dedupDay: Math.floor(env.time / 86_400_000), dedupHash: this.#dedupHash(env) } };
  }

  /** The recovered signer must be a device on chain, named as the producer and paired to the subject. */
  #authorize(env: Envelope, signer: string): { vehicleId: string; version: number; owner: string } | { code: ErrorCode; message: string } {
    const { identity, chain } = this.#o;
    const device = identity.deviceByAddress(signer);
    const p = env.producerDid;
    if (!device) {
      // ECDSA recovery never "fails" on altered data: it yields some other key. Compare with the key of
      // the device the producer names, when it is known.
      let claimed: string | undefined;
      if (p.kind === 'ethr') claimed = p.address;
      else if (identity.deviceByToken) {
        const kinds: Array<'aftermarket' | 'synthetic'> =
          p.contract === chain.aftermarketContract ? ['aftermarket'] : p.contract === chain.syntheticContract ? ['synthetic'] : ['aftermarket', 'synthetic'];
        for (const k of kinds) claimed ??= identity.deviceByToken(k, p.tokenId)?.address.toLowerCase();
      }
      if (claimed !== undefined && claimed !== signer) {
        return { code: 'ODM_ERR_SIGNATURE_INVALID', message: "the signature does not verify over the data bytes with the producer device's key" };
      }
      return { code: 'ODM_ERR_DEVICE_UNKNOWN', message: `the signer ${signer} is not a device registered on chain` };
    }
    const producerOk =
      p.kind === 'ethr'
        ? p.address === signer
        : p.tokenId === device.tokenId &&
          p.chainId === chain.chainId &&
          ((device.kind === 'aftermarket' ? chain.aftermarketContract : chain.syntheticContract) ?? p.contract) === p.contract;
    if (!producerOk) return { code: 'ODM_ERR_PRODUCER_MISMATCH', message: 'producer does not name the device that signed the event' };
    const s = env.subjectDid;
    if (s.chainId !== chain.chainId || (chain.vehicleContract !== undefined && s.contract !== chain.vehicleContract)) {
      return { code: 'ODM_ERR_SUBJECT_UNKNOWN', message: `subject must be a vehicle of this node's chain (${chain.chainId})` };
    }
    if (device.vehicleId === undefined || device.vehicleId !== s.tokenId) {
      return { code: 'ODM_ERR_DEVICE_NOT_PAIRED', message: `the device is not paired to vehicle ${s.tokenId}` };
    }
    const vehicle = identity.vehicle(s.tokenId);
    if (!vehicle) return { code: 'ODM_ERR_SUBJECT_UNKNOWN', message: `vehicle ${s.tokenId} is not known on chain` };
    return { vehicleId: String(s.tokenId), version: vehicle.version, owner: vehicle.owner };
  }

  /**
   * 16 bytes: the minute of the event's time (big-endian) then 12 bytes of a keyed hash of its identity.
   * The time prefix makes inserts land near the end of the index (random keys slow B-tree inserts
   * five-fold at a few million rows) and reveals only how many events some vehicle sent per minute.
   */
  #dedupHash(env: Envelope): Buffer {
    const key = Buffer.allocUnsafe(16);
    key.writeUInt32BE(Math.floor(env.time / 60_000) >>> 0, 0);
    // keyedHash (vault/keyed-hash.ts), written straight into the key without its two copies.
    const secret = this.#o.dedupSecret;
    const message = `${env.subject}\n${env.time}\n${env.type}\n${env.source}\n${env.id}`;
    const need = secret.length + Buffer.byteLength(message);
    if (need > this.#scratch.length) this.#scratch = Buffer.alloc(Math.max(need, this.#scratch.length * 2));
    secret.copy(this.#scratch, 0);
    this.#scratch.write(message, secret.length);
    this.#keccak.hashInto(this.#scratch.subarray(0, need), this.#digest, 0);
    key.set(this.#digest.subarray(0, 12), 4);
    return key;
  }

}
