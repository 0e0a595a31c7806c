// One bus subscription on JetStream, kept alive across NATS restarts by a loop that (re)creates its
// consumer whenever the previous one ends (connection lost, consumer gone, heartbeats missed):
// - fan-out (no group): an ephemeral, in-memory consumer without acks, starting at the time subscribe()
//   was called and, once messages have flowed, at the stream sequence after the last one handled — so
//   a restart resumes where it stopped (catch-up) and never replays older messages;
// - queue group: a durable consumer shared by every process, explicit acks after the handler resolves;
//   a handler that throws (or a process that dies) gets the message again after the ack wait.
import { AckPolicy, DeliverPolicy, ReplayPolicy, type ConsumerConfig, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import type { BusHandler } from './bus.ts';

export interface NatsSubscriptionDeps {
  stream: string;
  /** The full NATS subject filter (prefix included). */
  filter: string;
  pattern: string;
  group?: string;
  ackWaitMs: number;
  maxDeliver: number;
  retryMs: number;
  logger: Logger;
  /** Resolves with the JetStream handles once connected and the stream exists; undefined once closed. */
  ready(): Promise<{ js: JetStreamClient; jsm: JetStreamManager } | undefined>;
  /** Opens and decodes a message; the subject passed to the handler has the prefix removed. */
  decode(msg: JsMsg): { payload: unknown; subject: string };
}

/** Starts the loop; the returned function stops it. */
export function runNatsSubscription(deps: NatsSubscriptionDeps, handler: BusHandler): () => void {
  let stopped = false;
  let current: ConsumerMessages | undefined;
  const startTime = new Date().toISOString();
  let lastSeq = 0;
  const log = deps.logger.child({ pattern: deps.pattern, ...(deps.group !== undefined ? { group: deps.group } : {}) });

  const handle = async (m: JsMsg): Promise<boolean> => {
    let decoded: { payload: unknown; subject: string };
    try {
      decoded = deps.decode(m);
    } catch (err) {
      log.error({ err, seq: m.seq }, 'bus message does not open; dropped');
      return true;
    }
    try {
      await handler(decoded.payload, decoded.subject);
      return true;
    } catch (err) {
      log.error({ err, subject: decoded.subject, delivery: m.info.deliveryCount }, 'bus subscriber failed');
      return false;
    }
  };

  const consumerConfig = (): ConsumerConfig =>
    deps.group !== undefined
      ? {
          durable_name: durableName(deps.group, deps.pattern),
          ack_policy: AckPolicy.Explicit,
          replay_policy: ReplayPolicy.Instant,
          ack_wait: nanos(deps.ackWaitMs),
          max_deliver: deps.maxDeliver,
          max_ack_pending: 256,
          // Applies only when the durable is first made: a group starts with what is published from then on.
          deliver_policy: DeliverPolicy.StartTime,
          opt_start_time: startTime,
          filter_subject: deps.filter,
        }
      : {
          ack_policy: AckPolicy.None,
          replay_policy: ReplayPolicy.Instant,
          filter_subject: deps.filter,
          mem_storage: true,
          num_replicas: 1,
          inactive_threshold: nanos(60_000),
          ...(lastSeq > 0
            ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 }
            : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: startTime }),
        };

  const once = async (js: JetStreamClient, jsm: JetStreamManager): Promise<void> => {
    const config = consumerConfig();
    let name: string;
    try {
      name = (await jsm.consumers.add(deps.stream, config)).name;
    } catch (err) {
      // A durable made earlier with other settings (e.g. another ack wait): bring it in line.
      if (config.durable_name === undefined) throw err;
      name = (await jsm.consumers.update(deps.stream, config.durable_name, { ack_wait: config.ack_wait!, max_deliver: config.max_deliver!, max_ack_pending: config.max_ack_pending! })).name;
    }
    const consumer = await js.consumers.get(deps.stream, name);
    // A group pulls few at a time: buffered messages run down their ack wait while earlier ones are handled.
    const messages = await consumer.consume({ max_messages: deps.group !== undefined ? 16 : 128, expires: 10_000, abort_on_missing_resource: true });
    current = messages;
    if (stopped) messages.stop();
    void (async () => {
      for await (const s of messages.status()) {
        if (s.type === 'heartbeats_missed' && s.count >= 2) messages.stop();
      }
    })().catch(() => undefined);
    let expected = 1;
    try {
      for await (const m of messages) {
        if (stopped) break;
        if (deps.group === undefined) {
          // No acks: a gap in delivery sequence means messages were lost in flight; start over after the last one handled.
          if (m.info.deliverySequence !== expected) break;
          expected++;
          lastSeq = m.seq;
          await handle(m);
        } else if (await handle(m)) {
          m.ack();
        } else if (m.info.deliveryCount >= deps.maxDeliver) {
          log.error({ subject: m.subject, delivery: m.info.deliveryCount }, 'bus message failed every delivery; dropped');
          m.term();
        } else {
          m.nak(deps.ackWaitMs);
        }
      }
    } finally {
      messages.stop();
      current = undefined;
      if (deps.group === undefined) await jsm.consumers.delete(deps.stream, name).catch(() => undefined);
    }
  };

  void (async () => {
    while (!stopped) {
      const handles = await deps.ready();
      if (!handles || stopped) return;
      try {
        await once(handles.js, handles.jsm);
      } catch (err) {
        if (!stopped) log.debug({ err }, 'bus subscription interrupted; resuming');
      }
      if (!stopped) await new Promise((r) => setTimeout(r, deps.retryMs).unref());
    }
  })();

  return () => {
    stopped = true;
    current?.stop();
  };
}

/** Durable names allow no `.`, `*`, `>` or spaces; a hash keeps distinct (group, pattern) pairs apart. */
export function durableName(group: string, pattern: string): string {
  const hash = createHash('sha256').update(`${group}\0${pattern}`).digest('hex').slice(0, 12);
  return `odm_${group.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}_${hash}`;
}
