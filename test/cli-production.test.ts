// `opendimo node`, `chain deploy` and `migrate` against external parts started here: a separate anvil,
// a throw-away PostgreSQL and a separate MQTT broker, all on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from '../src/core/ports.ts';
import { silentLogger } from '../src/core/logger.ts';
import { startAnvil } from '../src/chain/anvil.ts';
import { ANVIL_DEV_PRIVATE_KEY } from '../src/chain/constants.ts';
import { startEmbeddedBroker } from '../src/mqtt/embedded-broker.ts';
import { startPostgres } from './support/postgres.ts';
import { runCli, waitForHealth, waitForHealthy } from './support/cli-process.ts';

test('--help explains every command', async () => {
  const cli = runCli(['--help']);
  assert.equal((await cli.exited).code, 0);
  for (const command of ['dev', 'node', 'chain', 'migrate']) assert.match(cli.output(), new RegExp(`\\n  ${command}\\b`));
});

test('chain deploy refuses to run without a deployer key', async () => {
  const cli = runCli(['chain', 'deploy', '--rpc', 'http://127.0.0.1:1'], { OPENDIMO_DEPLOYER_KEY: '' });
  assert.equal((await cli.exited).code, 1);
  assert.match(cli.output(), /ODM_ERR_CONFIG_INVALID: set OPENDIMO_DEPLOYER_KEY/);
});

test('production node on external chain, PostgreSQL and MQTT broker', { timeout: 240_000 }, async (t) => {
  const pg = await startPostgres();
  if ('skipped' in pg) return t.skip(pg.skipped);
  t.after(() => pg.stop());
  const anvil = await startAnvil({ logger: silentLogger() });
  t.after(() => anvil.stop());
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silentLogger() });
  t.after(() => broker.stop());
  const dir = mkdtempSync(join(tmpdir(), 'odm-prod-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  // An operator deploys the contracts once and keeps the printed JSON.
  const deploy = runCli(['chain', 'deploy', '--rpc', anvil.rpcUrl], { OPENDIMO_DEPLOYER_KEY: ANVIL_DEV_PRIVATE_KEY });
  assert.equal((await deploy.exited).code, 0, deploy.output());
  const deployment = JSON.parse(deploy.output());
  assert.equal(deployment.chainId, anvil.chainId);
  assert.match(deployment.contracts.DimoToken, /^0x[0-9a-fA-F]{40}$/);
  writeFileSync(join(dir, 'deployment.json'), JSON.stringify(deployment));

  // Migrations can be applied ahead of the first start.
  const migrate = runCli(['migrate'], { OPENDIMO_DATABASE_URL: pg.url, OPENDIMO_DATA_DIR: dir });
  assert.equal((await migrate.exited).code, 0, migrate.output());
  assert.match(migrate.output(), /applied \d+ migration/);
  const again = runCli(['migrate'], { OPENDIMO_DATABASE_URL: pg.url, OPENDIMO_DATA_DIR: dir });
  assert.equal((await again.exited).code, 0);
  assert.match(again.output(), /up to date/);

  const port = await freePort();
  const node = runCli(['node', '--port', String(port)], {
    OPENDIMO_DATA_DIR: dir,
    OPENDIMO_DATABASE_URL: pg.url,
    OPENDIMO_RPC_URL: anvil.rpcUrl,
    OPENDIMO_DEPLOYMENT_FILE: join(dir, 'deployment.json'),
    OPENDIMO_MQTT_URL: broker.url,
  });
  t.after(() => node.proc.kill('SIGKILL'));
  const health = await waitForHealthy(`http://127.0.0.1:${port}/health`, 30_000, node);
  assert.match(health.checks.db!.detail, /postgres/);
  assert.match(health.checks.mqtt!.detail, /connected to mqtt:\/\/127\.0\.0\.1/);
  assert.match(node.output(), new RegExp(`chain RPC +${anvil.rpcUrl.replace(/[.]/g, '\\.')} \\(chain ${anvil.chainId}, external\\)`));

  // Losing the external broker shows as degraded, not as a crash.
  await broker.stop();
  const degraded = await waitForHealth(`http://127.0.0.1:${port}/health`, (res, body) => res.status === 503 && body.checks.mqtt?.ok === false, 10_000);
  assert.equal(degraded.status, 'degraded');
  node.proc.kill('SIGTERM');
  assert.equal((await node.exited).code, 0);
});

test('a node pointed at a chain other than its deployment refuses to start', { timeout: 60_000 }, async (t) => {
  const anvil = await startAnvil({ logger: silentLogger(), chainId: 4242 });
  t.after(() => anvil.stop());
  const dir = mkdtempSync(join(tmpdir(), 'odm-prod-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'deployment.json'), JSON.stringify({ chainId: 137, contracts: { DimoToken: '0x' + '11'.repeat(20) }, blockNumber: '1' }));
  const node = runCli(['node', '--port', String(await freePort())], {
    OPENDIMO_DATA_DIR: dir,
    OPENDIMO_RPC_URL: anvil.rpcUrl,
    OPENDIMO_DEPLOYMENT_FILE: join(dir, 'deployment.json'),
  });
  assert.equal((await node.exited).code, 1);
  assert.match(node.output(), /ODM_ERR_CONFIG_INVALID: OPENDIMO_RPC_URL serves chain 4242 but the deployment file is for chain 137/);
});
