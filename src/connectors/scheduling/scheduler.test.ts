import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { DueHeap } from './due-heap.ts';
import { backoffMs, RateGates } from './rate-gates.ts';
import { Scheduler } from './scheduler.ts';

test('the heap pops by due time, then by order of scheduling', () => {
  const h = new DueHeap();
  const dues = [50, 10, 30, 10, 70, 0, 30];
  dues.forEach((due, seq) => h.push({ due, seq, key: String(seq), gen: 1 }));
  const out: string[] = [];
  for (let e = h.pop(); e; e = h.pop()) out.push(`${e.due}:${e.key}`);
  assert.deepEqual(out, ['0:5', '10:1', '10:3', '30:2', '30:6', '50:0', '70:4']);
});

test('tasks run when due, reschedule themselves, and rescheduling replaces the pending time', async () => {
  const clock = new ManualClock(1_000);
  const ran: string[] = [];
  const s = new Scheduler({
    clock, concurrency: 4, logger: silentLogger(),
    run: async (key) => {
      ran.push(`${key}@${clock.now()}`);
      return key === 'once' ? undefined : clock.now() + 100;
    },
  });
  s.schedule('a', 1_000);
  s.schedule('once', 1_050);
  s.schedule('b', 5_000);
  s.schedule('b', 1_100); // replaces 5 000
  await s.runDue();
  assert.equal(s.runs, 1);
  clock.advance(100);
  await s.runDue();
  clock.advance(100);
  await s.runDue();
  assert.deepEqual(ran, ['a@1000', 'once@1100', 'b@1100', 'a@1100', 'b@1200', 'a@1200']);
  assert.equal(s.has('once'), false);
  s.cancel('a');
  clock.advance(1_000);
  await s.runDue();
  assert.equal(ran.filter((r) => r.startsWith('a@')).length, 3);
});

test('no more than `concurrency` tasks run at once, and all due ones run', async () => {
  const clock = new ManualClock(0);
  let running = 0;
  let peak = 0;
  const s = new Scheduler({
    clock, concurrency: 3, logger: silentLogger(),
    run: async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return undefined;
    },
  });
  for (let i = 0; i < 20; i++) s.schedule(`k${i}`, 0);
  await s.runDue();
  assert.equal(s.runs, 20);
  assert.equal(peak, 3);
});

test('a task rescheduled or cancelled while it runs keeps that decision', async () => {
  const clock = new ManualClock(0);
  let release: () => void = () => undefined;
  const s = new Scheduler({
    clock, concurrency: 2, logger: silentLogger(),
    run: async (key) => {
      if (key === 'slow') await new Promise<void>((r) => (release = r));
      return clock.now() + 10;
    },
  });
  s.schedule('slow', 0);
  const done = s.runDue();
  await new Promise((r) => setImmediate(r));
  s.cancel('slow');
  release();
  await done;
  assert.equal(s.has('slow'), false);
});

test('rate gates close per vehicle and category, or for the whole app', () => {
  const g = new RateGates();
  g.blockVehicle('v1', 'data', 2_000);
  assert.equal(g.blockedUntil('tesla', 'v1', 'data', 1_000), 2_000);
  assert.equal(g.blockedUntil('tesla', 'v1', 'state', 1_000), 0);
  assert.equal(g.blockedUntil('tesla', 'v2', 'data', 1_000), 0);
  g.blockApp('smartcar', 5_000);
  assert.equal(g.blockedUntil('smartcar', 'v9', 'command', 1_000), 5_000);
  assert.equal(g.blockedUntil('tesla', 'v2', 'data', 1_000), 0);
  assert.equal(g.blockedUntil('smartcar', 'v9', 'data', 5_000), 0);
});

test('backoff grows exponentially, is capped and jittered into [half, full]', () => {
  assert.equal(backoffMs(1, 5_000, 300_000, () => 1), 5_000);
  assert.equal(backoffMs(3, 5_000, 300_000, () => 1), 20_000);
  assert.equal(backoffMs(3, 5_000, 300_000, () => 0), 10_000);
  assert.equal(backoffMs(20, 5_000, 300_000, () => 1), 300_000);
});
