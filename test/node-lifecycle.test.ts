// The foundation's acceptance, tried as a new user would: start, health, lock, SIGTERM, restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from '../src/core/ports.ts';
import { runCli, waitForHealthy, descendants, isAlive } from './support/cli-process.ts';

test('dev node: healthy, exclusive data dir, clean stop, restart on the same chain', { timeout: 240_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'odm-node-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['dev', '--port', String(port), '--data-dir', dataDir];

  // First start: compile (cached across the suite) + deploy + every component up.
  const first = runCli(args);
  t.after(() => first.proc.kill('SIGKILL'));
  const health = await waitForHealthy(`${base}/health`, 60_000, first);
  // Every core component reports (features may add their own checks); waitForHealthy saw all ok.
  for (const name of ['bus', 'chain', 'db', 'mqtt']) assert.ok(health.checks[name]?.ok, `${name}: ${JSON.stringify(health.checks[name])}`);
  assert.match(health.checks.db!.detail, /sqlite/);
  assert.match(first.output(), new RegExp(`API +${base}`), 'the node prints the URLs it serves');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /opendimo_node_info\{mode="dev",roles="all",db="sqlite",chain="embedded",mqtt="embedded",bus="memory"/);
  const deployment = JSON.parse(readFileSync(join(dataDir, 'chain', 'deployment.json'), 'utf8'));
  assert.match(deployment.contracts.DimoToken, /^0x[0-9a-fA-F]{40}$/);

  // A second node on the same data dir is refused at once, naming the lock.
  const second = runCli(['dev', '--port', String(await freePort()), '--data-dir', dataDir]);
  const refused = await second.exited;
  assert.notEqual(refused.code, 0);
  assert.match(second.output(), /ODM_ERR_DATA_DIR_LOCKED/);
  assert.ok(second.output().includes(join(dataDir, 'opendimo.lock')), second.output());

  // SIGTERM stops everything: no child process survives, the lock is released.
  const children = descendants(first.proc.pid!);
  assert.ok(children.length >= 1, 'anvil runs as a child of the node');
  first.proc.kill('SIGTERM');
  const stopped = await first.exited;
  assert.equal(stopped.code, 0, first.output());
  for (const pid of children) assert.equal(isAlive(pid), false, `child ${pid} outlived the node`);
  assert.equal(existsSync(join(dataDir, 'opendimo.lock')), false);

  // Restart: healthy within 15 s, same contracts, chain state resumed.
  const restartedAt = Date.now();
  const again = runCli(args);
  t.after(() => again.proc.kill('SIGKILL'));
  await waitForHealthy(`${base}/health`, 15_000, again);
  assert.ok(Date.now() - restartedAt < 15_000);
  const after = JSON.parse(readFileSync(join(dataDir, 'chain', 'deployment.json'), 'utf8'));
  assert.deepEqual(after.contracts, deployment.contracts, 'contracts are reused, not redeployed');
  const code = await rpc(again.output(), 'eth_getCode', [deployment.contracts.DimoToken, 'latest']);
  assert.notEqual(code, '0x', 'the token still has code on the resumed chain');
  again.proc.kill('SIGTERM');
  assert.equal((await again.exited).code, 0);
});

/** Calls the node's chain through the RPC URL it printed. */
async function rpc(output: string, method: string, params: unknown[]): Promise<unknown> {
  const url = /chain RPC +(\S+)/.exec(output)?.[1];
  assert.ok(url, `no RPC URL in output:\n${output}`);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return ((await res.json()) as { result: unknown }).result;
}
