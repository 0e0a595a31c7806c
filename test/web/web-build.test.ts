// The dashboard's build step as install and start run it: `--if-stale` builds only when web/ changed
// since the build in web/dist, and a second run right after is a no-op.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/cli-process.ts';

const run = () => {
  const r = spawnSync(process.execPath, ['scripts/build-web.mjs', '--if-stale', '--json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { built: boolean; fresh: boolean; hash: string };
};

test('web/dist holds a build of the current web/ sources; checking again builds nothing', { timeout: 200_000 }, () => {
  const first = run();
  assert.equal(first.fresh, true);
  const dist = join(REPO_ROOT, 'web', 'dist');
  assert.ok(existsSync(join(dist, 'index.html')));
  assert.equal(JSON.parse(readFileSync(join(dist, '.build-info.json'), 'utf8')).hash, first.hash);
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  assert.doesNotMatch(html, /https?:\/\//, 'the page loads nothing from elsewhere');
  const second = run();
  assert.deepEqual([second.built, second.fresh, second.hash], [false, true, first.hash]);
});
