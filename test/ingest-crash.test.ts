// DESIGN.md §8: no acknowledged record is lost on kill -9. A node process ingests a sustained stream
// over HTTP; it is SIGKILLed mid-stream (mid-commit or mid-compaction, wherever it is), restarted on
// the same data dir, and every event it acknowledged must be in the vault exactly once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { loadDefaultCatalog } from '../src/ingest/normalize/signal-catalog.ts';
import { makeDevice, signedEvent, twentySignals } from '../src/ingest/testing.ts';
import { openStore } from '../src/store/open-store.ts';
import { loadOrCreateKek } from '../src/vault/kek-file.ts';
import { openVault } from '../src/vault/vault.ts';

const CHILD = new URL('./support/ingest-node-child.ts', import.meta.url).pathname;
const DEVICES = 20;

function startChild(dataDir: string): Promise<{ proc: ChildProcess; base: string; exited: Promise<unknown> }> {
  const proc = spawn(process.execPath, [CHILD, dataDir, String(DEVICES)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((r) => proc.once('exit', r));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start:\n${out}`)), 20_000);
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: `http://127.0.0.1:${m[1]}`, exited });
      }
    });
    proc.once('exit', (code) => reject(new Error(`child exited ${code}:\n${out}`)));
  });
}

test('every acknowledged event survives SIGKILL during sustained ingest, none is stored twice', { timeout: 90_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'opendimo-crash-'));
  // Runs before the store and vault below close, so files may still appear while it removes: retry.
  t.after(() => rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
  const devices = Array.from({ length: DEVICES }, (_, i) => makeDevice('crash', i));
  const time = new Date(Date.now() - 60_000).toISOString();
  const bodyOf = (ids: string[]) => `[${ids.map((id) => {
    const n = Number(id.split('-')[1]);
    return signedEvent(devices[n % DEVICES]!, { id, time, data: twentySignals(time, n) });
  }).join(',')}]`;

  const first = await startChild(dataDir);
  t.after(() => first.proc.kill('SIGKILL'));
  const acked: string[] = [];
  let next = 0;
  let killed = false;
  const sender = async () => {
    while (!killed) {
      const ids = Array.from({ length: 40 }, () => `ev-${next++}`);
      try {
        const res = await fetch(`${first.base}/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: bodyOf(ids) });
        const json = (await res.json()) as { stored: number; duplicates: number };
        if (res.status === 200 && json.stored + json.duplicates === ids.length) acked.push(...ids);
      } catch {
        // the node died with this request in flight: not acknowledged
      }
    }
  };
  const senders = [sender(), sender(), sender(), sender()];
  while (acked.length < 2000) await new Promise((r) => setTimeout(r, 20));
  first.proc.kill('SIGKILL');
  killed = true;
  await Promise.all(senders);
  await first.exited;
  assert.ok(acked.length >= 2000 && next > acked.length, `acked ${acked.length} of ${next} sent`);

  // Restart on the same data dir; resending acknowledged events only yields duplicates.
  const second = await startChild(dataDir);
  t.after(() => second.proc.kill('SIGKILL'));
  const resend = acked.slice(0, 120);
  const again = await fetch(`${second.base}/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: bodyOf(resend) });
  const json = (await again.json()) as { stored: number; duplicates: number };
  assert.deepEqual([again.status, json.stored, json.duplicates], [200, 0, resend.length]);
  second.proc.kill('SIGTERM');
  await second.exited;

  // Read the vault back with the node's keys.
  const store = await openStore({ dataDir, logger: silentLogger() });
  t.after(() => store.close());
  const vault = await openVault({
    store, kek: loadOrCreateKek(join(dataDir, 'keys', 'kek.key')), keyringFile: join(dataDir, 'keys', 'vault-keyring.json'),
    clock: systemClock, logger: silentLogger(), names: loadDefaultCatalog().signals.map((s) => s.name), dedupRetentionDays: 30, compactIntervalMs: 0,
  });
  t.after(() => vault.close());
  await vault.flush();
  const counts = new Map<string, number>();
  for (const d of devices) {
    for (const e of await vault.reader.events(String(d.vehicleTokenId), 1)) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
  }
  const missing = acked.filter((id) => !counts.has(id));
  const twice = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(missing, [], `${missing.length} acknowledged events lost`);
  assert.deepEqual(twice, [], 'no event stored twice');
  t.diagnostic(`acknowledged ${acked.length}, sent ${next}, stored ${counts.size}`);
});
