// Runs one task per key (a vehicle's poll, an account's token refresh) at the time it is due, on the
// node's clock, with bounded concurrency. A task answers with its next due time (or undefined to stop).
// One min-heap holds every pending entry (10,000+ keys cost a few hundred KB); rescheduling bumps the
// key's generation so stale entries are skipped. With real timers (`start()`) one timeout is armed for
// the earliest entry, capped at a second so a clock jump is noticed; tests on a manual clock instead
// move the clock and call `runDue()`, which runs everything due and waits for it.
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { DueHeap } from './due-heap.ts';

export interface SchedulerOptions {
  clock: Clock;
  /** Tasks running at once. */
  concurrency: number;
  /** Runs the task of `key`; resolves to its next due time (epoch ms) or undefined to drop it. */
  run(key: string): Promise<number | undefined>;
  logger: Logger;
  /** Called as each task starts, with how late it starts (ms after its due time). */
  onStart?(key: string, latenessMs: number): void;
  /** When a task throws (it should not): retried after this long. Default 60 s. */
  errorDelayMs?: number;
}

interface Task {
  gen: number;
  due: number | undefined;
  running: boolean;
  /** Its current entry was popped while it ran; push it again when the run ends. */
  deferred: boolean;
}

const MAX_TIMER_MS = 1000;

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #heap = new DueHeap();
  readonly #tasks = new Map<string, Task>();
  readonly #active = new Set<Promise<void>>();
  #seq = 0;
  #live = false;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #runs = 0;
  #driving = 0;

  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#tasks.size;
  }

  get inflight(): number {
    return this.#active.size;
  }

  get runs(): number {
    return this.#runs;
  }

  has(key: string): boolean {
    const t = this.#tasks.get(key);
    return t !== undefined && (t.running || t.due !== undefined);
  }

  /** When `key` is next due, if it is scheduled. */
  dueOf(key: string): number | undefined {
    return this.#tasks.get(key)?.due;
  }

  /** (Re)schedules `key` at `due`, replacing any pending time. */
  schedule(key: string, due: number): void {
    let t = this.#tasks.get(key);
    if (!t) {
      t = { gen: 0, due: undefined, running: false, deferred: false };
      this.#tasks.set(key, t);
    }
    t.gen++;
    t.due = due;
    t.deferred = false;
    this.#heap.push({ due, seq: this.#seq++, key, gen: t.gen });
    this.#pump();
  }

  cancel(key: string): void {
    const t = this.#tasks.get(key);
    if (!t) return;
    t.gen++;
    t.due = undefined;
    t.deferred = false;
    if (!t.running) this.#tasks.delete(key);
  }

  /** Runs on real timers until stop(). */
  start(): void {
    this.#live = true;
    this.#pump();
  }

  async stop(): Promise<void> {
    this.#live = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    while (this.#active.size > 0) await Promise.allSettled([...this.#active]);
  }

  /** Runs every task due at the clock's current time (and waits for them); returns how many ran. */
  async runDue(): Promise<number> {
    const before = this.#runs;
    this.#driving++;
    try {
      for (let i = 0; i < 100_000; i++) {
        this.#pump();
        if (this.#active.size === 0) break;
        await Promise.allSettled([...this.#active]);
      }
    } finally {
      this.#driving--;
    }
    return this.#runs - before;
  }

  #pump(): void {
    // Without real timers, tasks run only inside runDue(): the caller decides when time has passed.
    if (!this.#live && this.#driving === 0) return;
    const now = this.#o.clock.now();
    while (this.#active.size < this.#o.concurrency) {
      const e = this.#heap.peek();
      if (!e || e.due > now) break;
      this.#heap.pop();
      const t = this.#tasks.get(e.key);
      if (!t || t.gen !== e.gen) continue;
      if (t.running) {
        t.deferred = true;
        continue;
      }
      this.#start(e.key, t, now - e.due);
    }
    if (this.#live) this.#arm(now);
  }

  #arm(now: number): void {
    // Drop stale entries so the timer aims at a live one.
    for (let e = this.#heap.peek(); e; e = this.#heap.peek()) {
      const t = this.#tasks.get(e.key);
      if (t && t.gen === e.gen) break;
      this.#heap.pop();
    }
    const top = this.#heap.peek();
    if (!top || this.#active.size >= this.#o.concurrency) return;
    const at = Math.min(top.due, now + MAX_TIMER_MS);
    if (this.#timer && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.max(0, at - now));
    this.#timer.unref();
  }

  #start(key: string, t: Task, latenessMs: number): void {
    t.running = true;
    t.due = undefined;
    const gen = t.gen;
    this.#runs++;
    this.#o.onStart?.(key, latenessMs);
    const p: Promise<void> = (async () => {
      let next: number | undefined;
      try {
        next = await this.#o.run(key);
      } catch (err) {
        this.#o.logger.error({ err, key }, 'scheduled task failed; retrying later');
        next = this.#o.clock.now() + (this.#o.errorDelayMs ?? 60_000);
      }
      t.running = false;
      if (t.gen !== gen) {
        // Rescheduled or cancelled while it ran: that decision wins.
        if (t.due === undefined) this.#tasks.delete(key);
        else if (t.deferred) {
          t.deferred = false;
          this.#heap.push({ due: t.due, seq: this.#seq++, key, gen: t.gen });
        }
      } else if (next !== undefined) {
        t.gen++;
        t.due = Math.max(next, this.#o.clock.now() + 1);
        this.#heap.push({ due: t.due, seq: this.#seq++, key, gen: t.gen });
      } else {
        this.#tasks.delete(key);
      }
    })().finally(() => {
      this.#active.delete(p);
      this.#pump();
    });
    this.#active.add(p);
  }
}
