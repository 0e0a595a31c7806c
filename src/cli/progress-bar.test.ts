// The CLI progress bar draws only on a terminal, only once a run is long, and clears itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressBar } from './progress-bar.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

test('silent when stderr is not a terminal', () => {
  const { writes, stream } = fakeStream(false);
  const bar = progressBar('week 1', stream, () => 10_000);
  bar.update(5, 10);
  bar.done();
  assert.deepEqual(writes, []);
});

test('on a terminal: nothing for short runs, then a bar, then cleared', () => {
  const { writes, stream } = fakeStream(true);
  let now = 0;
  const bar = progressBar('week 1', stream, () => now);
  bar.update(1, 100);
  assert.equal(writes.length, 0, 'not in the first half second');
  now = 600;
  bar.update(50, 100);
  assert.match(writes[0]!, /^\rweek 1 \[#{15} {15}\] 50% 50\/100$/);
  now = 650;
  bar.update(51, 100);
  assert.equal(writes.length, 1, 'at most ten redraws a second');
  bar.done();
  bar.done();
  assert.deepEqual(writes.slice(1), ['\r\x1b[2K']);
});
