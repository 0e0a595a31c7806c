import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseEther } from 'viem';
import { OdmError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { freePort } from '../core/ports.ts';
import { startAnvil, type AnvilHandle } from './anvil.ts';
import { isAlive, isAnvilProcess } from './anvil-pid-file.ts';
import { backupPath } from './anvil-state-file.ts';
import { createChainClients } from './clients.ts';
import { ANVIL_DEV_PRIVATE_KEY } from './constants.ts';
import { makeTempDir } from './testing.ts';

const logger = silentLogger();
const handles: AnvilHandle[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  await Promise.all(handles.map((h) => h.stop()));
  for (const c of cleanups) await c();
});

async function start(opts: Omit<Parameters<typeof startAnvil>[0], 'logger'> = {}): Promise<AnvilHandle> {
  const h = await startAnvil({ logger, ...opts });
  handles.push(h);
  return h;
}

async function tempDir(): Promise<string> {
  const { dir, cleanup } = await makeTempDir('anvil');
  cleanups.push(cleanup);
  return dir;
}

describe('startAnvil', () => {
  test('starts on loopback, answers JSON-RPC, and stop leaves no process', async () => {
    const dir = await tempDir();
    const pidFile = join(dir, 'anvil.pid');
    const anvil = await start({ pidFile });
    assert.match(anvil.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(anvil.chainId, 31337);
    assert.equal((await readFile(pidFile, 'utf8')).trim(), String(anvil.pid));
    const { publicClient } = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId });
    assert.equal(await publicClient.getChainId(), 31337);
    assert.equal(await publicClient.getBlockNumber(), 0n);

    await anvil.stop();
    assert.equal(isAlive(anvil.pid), false, 'anvil process is gone');
    assert.equal(existsSync(pidFile), false, 'pid file removed');
    await anvil.stop(); // idempotent
  });

  test('honours chainId and port', async () => {
    const port = await freePort();
    const anvil = await start({ chainId: 4242, port });
    assert.equal(anvil.rpcUrl, `http://127.0.0.1:${port}`);
    const { publicClient } = createChainClients({ rpcUrl: anvil.rpcUrl, chainId: 4242 });
    assert.equal(await publicClient.getChainId(), 4242);
    await anvil.stop();
  });

  test('state persists across a restart, and a damaged state file falls back to the last good copy', async () => {
    const dir = await tempDir();
    const stateFile = join(dir, 'state.json');
    const recipient = '0x000000000000000000000000000000000000dEaD';

    const first = await start({ stateFile });
    const clients = createChainClients({ rpcUrl: first.rpcUrl, chainId: first.chainId, privateKey: ANVIL_DEV_PRIVATE_KEY });
    const hash = await clients.walletClient.sendTransaction({ to: recipient, value: parseEther('1.5') });
    await clients.publicClient.waitForTransactionReceipt({ hash });
    const block = await clients.publicClient.getBlockNumber();
    assert.equal(block, 1n);
    await first.stop();
    assert.ok(existsSync(backupPath(stateFile)), 'a last-good copy is kept after a clean stop');

    const second = await start({ stateFile });
    const again = createChainClients({ rpcUrl: second.rpcUrl, chainId: second.chainId });
    assert.equal(await again.publicClient.getBlockNumber(), block);
    assert.equal(await again.publicClient.getBalance({ address: recipient }), parseEther('1.5'));
    const receipt = await again.publicClient.getTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success', 'history (receipts) survives too');
    await second.stop();

    // A crash in the middle of anvil's in-place dump leaves a truncated file.
    const text = await readFile(stateFile, 'utf8');
    await writeFile(stateFile, text.slice(0, Math.floor(text.length / 2)));
    const third = await start({ stateFile });
    const restored = createChainClients({ rpcUrl: third.rpcUrl, chainId: third.chainId });
    assert.equal(await restored.publicClient.getBalance({ address: recipient }), parseEther('1.5'));
    await third.stop();
  });

  test('a live anvil left by a crashed run is stopped, other processes named in the pid file are not', async () => {
    const dir = await tempDir();
    const pidFile = join(dir, 'anvil.pid');
    // "Crash": the first anvil is never stopped by its owner.
    const orphan = await start({ pidFile });
    const next = await start({ pidFile });
    assert.equal(isAlive(orphan.pid), false, 'orphan ended');
    assert.ok(isAlive(next.pid));
    assert.equal((await readFile(pidFile, 'utf8')).trim(), String(next.pid));
    await next.stop();

    // A reused pid that is not anvil must survive.
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    cleanups.push(() => void bystander.kill('SIGKILL'));
    await writeFile(pidFile, `${bystander.pid}\n`);
    const third = await start({ pidFile });
    assert.ok(isAlive(bystander.pid!), 'non-anvil process untouched');
    await third.stop();
  });

  test('anvil does not outlive a node process that is killed with SIGKILL', async () => {
    const dir = await tempDir();
    const stateFile = join(dir, 'state.json');
    const script = join(dir, 'crashing-node.ts');
    const anvilModule = new URL('./anvil.ts', import.meta.url).href;
    const loggerModule = new URL('../core/logger.ts', import.meta.url).href;
    await writeFile(script, [
      `import { startAnvil } from ${JSON.stringify(anvilModule)};`,
      `import { silentLogger } from ${JSON.stringify(loggerModule)};`,
      `const a = await startAnvil({ logger: silentLogger(), stateFile: ${JSON.stringify(stateFile)} });`,
      'process.stdout.write(JSON.stringify({ pid: a.pid }) + "\\n");',
      'setInterval(() => {}, 1000);',
    ].join('\n'));
    const node = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => void node.kill('SIGKILL'));
    const line = await new Promise<string>((resolve, reject) => {
      node.stdout.once('data', (d: Buffer) => resolve(d.toString()));
      node.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    const anvilPid = (JSON.parse(line) as { pid: number }).pid;
    assert.ok(isAlive(anvilPid));
    node.kill('SIGKILL');
    const deadline = Date.now() + 5_000;
    while (isAnvilProcess(anvilPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(isAnvilProcess(anvilPid), false, 'the watchdog ended anvil');
    assert.ok(existsSync(stateFile), 'and anvil dumped its state on the way out');
  });

  test('a port already taken fails with ODM_ERR_CHAIN_START_FAILED and anvil’s error', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    await assert.rejects(startAnvil({ logger, port }), (err: unknown) => {
      assert.ok(err instanceof OdmError);
      assert.equal(err.code, 'ODM_ERR_CHAIN_START_FAILED');
      assert.match(err.message, /address already in use/i);
      assert.ok(Array.isArray(err.details.tail));
      assert.doesNotMatch(JSON.stringify(err.details), /ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80/);
      return true;
    });
  });
});
