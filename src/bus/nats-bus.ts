// The bus over NATS JetStream, for a node running as several processes (cluster mode). Every publish
// lands in one stream (file storage, bounded by age and bytes: a delivery buffer, not an archive) under
// `<prefix>.<subject>`, with a Nats-Msg-Id so a republish within the duplicate window is dropped.
// Payloads are sealed (AES-256-GCM, key derived from the KEK, the subject as associated data), so
// NATS's store never holds plaintext. When NATS is down or does not acknowledge in time, publish keeps
// the sealed message in the store's bus_outbox and resolves; a drain loop republishes it oldest-first
// once NATS is back, and new publishes queue behind it meanwhile so per-subject order holds.
import { hkdfSync, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { OdmError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Store } from '../store/store.ts';
import { open, seal, toKey } from '../vault/aead.ts';
import type { Bus } from './bus.ts';
import { decodePayload, encodePayload } from './bus-codec.ts';
import { createBusOutbox } from './bus-outbox.ts';
import { runNatsSubscription } from './nats-subscription.ts';

export interface NatsBusOptions {
  url: string;
  logger: Logger;
  metrics?: Metrics;
  store: Store;
  kek: Buffer;
  streamName?: string;
  subjectPrefix?: string;
  /** How long a queue-group message may stay unacknowledged before redelivery (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries of a failing queue-group message before it is dropped (default 20). */
  maxDeliver?: number;
  /** How long publish waits for the stream's ack before keeping the message in the outbox (default 2 s). */
  publishTimeoutMs?: number;
  /** How long createNatsBus waits for a first connection before starting with the outbox only (default 5 s). */
  connectTimeoutMs?: number;
  /** Pause between reconnect / resubscribe / drain attempts (default 500 ms). */
  retryMs?: number;
  maxAgeMs?: number;
  maxBytes?: number;
}

const DRAIN_BATCH = 500;
const LEASE_MS = 30_000;

export async function createNatsBus(o: NatsBusOptions): Promise<Bus> {
  const stream = o.streamName ?? 'OPENDIMO_BUS';
  const prefix = o.subjectPrefix ?? 'odm';
  const retryMs = o.retryMs ?? 500;
  const publishTimeoutMs = o.publishTimeoutMs ?? 2_000;
  const key = toKey(Buffer.from(hkdfSync('sha256', o.kek, Buffer.from('opendimo-bus'), Buffer.from('bus'), 32)));
  const outbox = createBusOutbox(o.store);
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = o.logger;
  const published = o.metrics?.counter('opendimo_bus_published_total', 'Bus messages acknowledged by NATS', ['path']);
  const outboxed = o.metrics?.counter('opendimo_bus_outboxed_total', 'Bus messages kept in the outbox while NATS was unavailable');

  let nc: NatsConnection | undefined;
  let handles: { js: JetStreamClient; jsm: JetStreamManager } | undefined;
  let connected = false;
  let closed = false;
  let streamReady: Promise<void> | undefined;
  // Set while this process knows the outbox holds rows: new publishes queue behind them.
  let backlog = (await outbox.depth()) > 0;
  let waiters: Array<() => void> = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

  const ensureStream = (jsm: JetStreamManager): Promise<void> =>
    (streamReady ??= (async () => {
      const config = {
        name: stream,
        subjects: [`${prefix}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        max_age: nanos(o.maxAgeMs ?? 3_600_000),
        max_bytes: o.maxBytes ?? 1024 ** 3,
        duplicate_window: nanos(120_000),
        num_replicas: 1,
      };
      await jsm.streams.info(stream).catch(() => jsm.streams.add(config));
    })().catch((err: unknown) => {
      streamReady = undefined;
      throw err;
    }));

  /** Connected with the stream in place; undefined once the bus is closed. */
  const ready = async (): Promise<{ js: JetStreamClient; jsm: JetStreamManager } | undefined> => {
    while (!closed) {
      if (connected && handles) {
        try {
          await ensureStream(handles.jsm);
          return handles;
        } catch (err) {
          log.debug({ err }, 'bus stream not ready');
          await sleep(retryMs);
          continue;
        }
      }
      await new Promise<void>((r) => waiters.push(r));
    }
    return undefined;
  };

  const watch = async (c: NatsConnection) => {
    for await (const s of c.status()) {
      if (s.type === 'disconnect') {
        connected = false;
        streamReady = undefined;
        log.warn('NATS disconnected; bus messages go to the outbox until it returns');
      } else if (s.type === 'reconnect') {
        connected = true;
        log.info('NATS reconnected');
        wake();
        kickDrain();
      }
    }
  };

  const connectLoop = async () => {
    while (!closed && !nc) {
      try {
        const c = await connect({ servers: o.url, name: `opendimo ${owner}`, maxReconnectAttempts: -1, reconnectTimeWait: retryMs, timeout: 2_000, pingInterval: 10_000 });
        if (closed) {
          await c.close();
          return;
        }
        nc = c;
        handles = { js: jetstream(c, { timeout: publishTimeoutMs }), jsm: await jetstreamManager(c, { timeout: 5_000 }) };
        connected = true;
        void watch(c).catch(() => undefined);
        log.info({ url: o.url }, 'connected to NATS');
        wake();
        kickDrain();
      } catch (err) {
        log.debug({ err }, 'NATS not reachable; retrying');
        await sleep(retryMs);
      }
    }
  };

  const publishSealed = async (subject: string, data: Buffer, msgId: string): Promise<void> => {
    if (!connected || !handles) throw new OdmError('ODM_ERR_BUS_UNAVAILABLE', 'NATS is not connected');
    await handles.js.publish(subject, data, { msgID: msgId, timeout: publishTimeoutMs });
  };

  const keep = async (subject: string, data: Buffer, msgId: string) => {
    backlog = true;
    await outbox.add(msgId, subject, data, Date.now());
    outboxed?.inc();
    kickDrain();
  };

  // The drain: one loop per process, restarted on demand; rows are leased so several processes can drain one outbox.
  let draining: Promise<void> | undefined;
  let rerun = false;
  const drainOnce = async (): Promise<void> => {
    const h = await ready();
    if (!h) return;
    for (;;) {
      if (closed || !connected) return;
      const rows = await outbox.claim(owner, DRAIN_BATCH, Date.now(), LEASE_MS);
      if (rows.length === 0) {
        if ((await outbox.depth()) === 0) backlog = false;
        return;
      }
      // Pipelined: one connection keeps the sends in order, and the acks are awaited together.
      const results = await Promise.allSettled(rows.map((row) => publishSealed(row.subject, row.payload, row.msgId)));
      const done = rows.filter((_, i) => results[i]!.status === 'fulfilled').map((r) => r.id);
      published?.inc({ path: 'outbox' }, done.length);
      await outbox.remove(owner, done);
      if (done.length < rows.length) {
        await outbox.release(owner, rows.filter((r) => !done.includes(r.id)).map((r) => r.id));
        return;
      }
    }
  };
  function kickDrain(): void {
    if (closed) return;
    if (draining) {
      rerun = true;
      return;
    }
    rerun = false;
    draining = (async () => {
      while (!closed) {
        try {
          await drainOnce();
          if (!backlog || closed) break;
        } catch (err) {
          log.debug({ err }, 'bus outbox drain interrupted');
        }
        await sleep(retryMs);
      }
    })().finally(() => {
      draining = undefined;
      if ((backlog || rerun) && !closed) kickDrain();
    });
  }
  // Rows left by a process that died (shared PostgreSQL outbox) are found by this poll.
  const poll = setInterval(() => {
    if (connected && !draining) void outbox.depth().then((n) => n > 0 && ((backlog = true), kickDrain())).catch(() => undefined);
  }, 5_000);
  poll.unref();

  const connecting = connectLoop();
  await Promise.race([connecting, sleep(o.connectTimeoutMs ?? 5_000)]);
  if (!connected) log.warn({ url: o.url }, 'NATS not reachable yet; bus messages go to the outbox until it is');

  async function publish(subject: string, payload: unknown): Promise<void> {
    const full = `${prefix}.${subject}`;
    const data = seal(key, encodePayload(payload), full);
    const msgId = randomUUID();
    if (!backlog && connected) {
      try {
        await publishSealed(full, data, msgId);
        published?.inc({ path: 'direct' });
        return;
      } catch (err) {
        log.debug({ err, subject }, 'NATS publish not acknowledged; keeping it in the outbox');
      }
    }
    try {
      await keep(full, data, msgId);
    } catch (err) {
      throw new OdmError('ODM_ERR_BUS_UNAVAILABLE', 'NATS is unavailable and the outbox could not be written', { cause: err });
    }
  }

  const subscriptions = new Set<() => void>();
  // Publishes under way, so close() lets each finish (acknowledged or in the outbox) before the store closes.
  const inflight = new Set<Promise<void>>();
  return {
    kind: 'nats',
    publish(subject, payload) {
      if (closed) return Promise.reject(new OdmError('ODM_ERR_BUS_UNAVAILABLE', 'the bus is closed'));
      const p = publish(subject, payload);
      inflight.add(p);
      void p.catch(() => undefined).finally(() => inflight.delete(p));
      return p;
    },
    subscribe(pattern, handler, options) {
      const stop = runNatsSubscription(
        {
          stream,
          filter: `${prefix}.${pattern}`,
          pattern,
          ...(options?.group !== undefined ? { group: options.group } : {}),
          ackWaitMs: o.ackWaitMs ?? 30_000,
          maxDeliver: o.maxDeliver ?? 20,
          retryMs,
          logger: log,
          ready,
          decode: (m: JsMsg) => ({ payload: decodePayload(open(key, m.data, m.subject)), subject: m.subject.slice(prefix.length + 1) }),
        },
        handler,
      );
      subscriptions.add(stop);
      return () => {
        subscriptions.delete(stop);
        stop();
      };
    },
    probe: async () => {
      const depth = await outbox.depth().catch(() => -1);
      if (closed) return { ok: false, detail: 'closed' };
      if (!connected || !handles) return { ok: false, detail: `NATS disconnected; ${depth} messages kept in the outbox until it returns` };
      try {
        const info = await handles.jsm.streams.info(stream);
        return { ok: true, detail: `nats ${nc?.info?.version ?? ''}, stream ${stream} ${info.state.messages} msgs, ${subscriptions.size} subscriptions, outbox ${depth}` };
      } catch (err) {
        return { ok: false, detail: `stream ${stream} unavailable (${(err as Error).message}); outbox ${depth}` };
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      for (const stop of subscriptions) stop();
      subscriptions.clear();
      wake();
      await Promise.allSettled([...inflight]);
      await draining?.catch(() => undefined);
      await connecting.catch(() => undefined);
      if (nc && !nc.isClosed()) {
        // drain() flushes to the server; when NATS is down that would wait forever.
        const drained = await Promise.race([nc.drain().then(() => true, () => false), sleep(2_000).then(() => false)]);
        if (!drained) await nc.close().catch(() => undefined);
      }
    },
  };
}
