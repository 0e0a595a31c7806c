// The emulator's clock: a base clock (the system clock, or a ManualClock in tests) plus an offset the
// control plane moves. Advancing never touches the base clock, so the node beside the emulator keeps
// real time while the simulated fleet jumps ahead.
import type { Clock } from '../../src/core/clock.ts';
import { OdmError } from '../../src/core/errors.ts';

export class EmulatorClock implements Clock {
  readonly #base: Clock;
  #offsetMs = 0;

  constructor(base: Clock) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now() + this.#offsetMs;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new OdmError('ODM_ERR_VALIDATION', 'the emulator clock only moves forward: advance by a non-negative number of milliseconds', { details: { ms } });
    }
    this.#offsetMs += ms;
    return this.now();
  }

  /** Jumps to an absolute time (backwards too; vehicle state is a function of time, so it follows). */
  set(ms: number): number {
    if (!Number.isFinite(ms)) throw new OdmError('ODM_ERR_VALIDATION', 'clock time must be a finite number of milliseconds', { details: { ms } });
    this.#offsetMs = ms - this.#base.now();
    return this.now();
  }

  /** Back to the base clock's time. */
  reset(): void {
    this.#offsetMs = 0;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }
}
