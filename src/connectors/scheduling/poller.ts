// What an OEM poller needs from the runtime, and the emit step they share: signals → one signed event →
// ingest; the dedupe marks advance only once ingest has stored (or already had) the record.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Signal } from '../oem-types.ts';
import type { StatusEmitter } from '../signing/status-emitter.ts';
import type { OemCaller } from './oem-call.ts';
import type { Cadence, PollState, VehicleRuntime } from './vehicle-state.ts';

export type PollEvent = 'data_call' | 'state_call' | 'emitted' | 'duplicate' | 'rejected' | 'nothing_new';

export interface PollDeps {
  clock: Clock;
  caller: OemCaller;
  emitter: StatusEmitter;
  cadence: Cadence;
  logger: Logger;
  random(): number;
  /** Persists that the vehicle is not capable of `path` (answered 501). */
  dropPath(v: VehicleRuntime, path: string): Promise<void>;
  /** Tesla: the account's regional host (na/eu). */
  regionOf(accountId: string): string | null;
  /** Tesla: asks the OEM again where the account lives (after a 421). */
  fixRegion(accountId: string): Promise<void>;
  count(event: PollEvent): void;
}

export interface Poller {
  /** One visit: OEM calls, conversion, emit. Resolves to when the vehicle is next due. */
  poll(v: VehicleRuntime): Promise<number>;
}

export function setState(v: VehicleRuntime, state: PollState): void {
  if (v.state !== state) {
    v.state = state;
    v.dirty = true;
  }
}

/** Emits one record; on success advances the dedupe marks to `marks`. Answers whether it was stored. */
export async function emitSignals(deps: PollDeps, v: VehicleRuntime, signals: Signal[], marks: Record<string, number>): Promise<boolean> {
  if (signals.length === 0) {
    deps.count('nothing_new');
    return false;
  }
  const outcome = await deps.emitter.emit(v.target, signals);
  if (outcome.status === 'rejected') {
    deps.count('rejected');
    deps.logger.warn({ connectionId: v.connectionId, code: outcome.code, reason: outcome.message }, 'ingest rejected a connector record');
    return false;
  }
  deps.count(outcome.status === 'stored' ? 'emitted' : 'duplicate');
  for (const [k, t] of Object.entries(marks)) if (t > (v.lastEmitted[k] ?? -Infinity)) v.lastEmitted[k] = t;
  const newest = signals.reduce((m, s) => Math.max(m, s.timestamp), 0);
  if (newest > (v.lastDataAt ?? 0)) v.lastDataAt = newest;
  v.dirty = true;
  return outcome.status === 'stored';
}
