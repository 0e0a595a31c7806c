import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig, DEFAULT_HTTP_PORT } from './load-config.ts';
import { OdmError } from '../core/errors.ts';

const cwd = '/srv/app';

test('embedded defaults: loopback 8780, data dir ./.opendimo, key file inside it', () => {
  const config = loadConfig({ mode: 'dev', env: {}, cwd });
  assert.equal(config.http.host, '127.0.0.1');
  assert.equal(config.http.port, DEFAULT_HTTP_PORT);
  assert.equal(config.dataDir, '/srv/app/.opendimo');
  assert.equal(config.kekFile, '/srv/app/.opendimo/keys/kek.key');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.chain.rpcUrl, undefined);
  assert.equal(config.mqtt.url, undefined);
});

test('precedence: file < environment < flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'odm-config-'));
  try {
    const file = join(dir, 'opendimo.json');
    writeFileSync(file, JSON.stringify({ http: { port: 9001, host: '0.0.0.0' }, log: { level: 'debug' } }));
    const fromFile = loadConfig({ mode: 'node', env: { OPENDIMO_CONFIG: file }, cwd });
    assert.equal(fromFile.http.port, 9001);
    assert.equal(fromFile.http.host, '0.0.0.0');
    assert.equal(fromFile.log.level, 'debug');

    const fromEnv = loadConfig({ mode: 'node', env: { OPENDIMO_CONFIG: file, OPENDIMO_HTTP_PORT: '9002' }, cwd });
    assert.equal(fromEnv.http.port, 9002);
    assert.equal(fromEnv.http.host, '0.0.0.0', 'file values the environment does not set are kept');

    const fromFlag = loadConfig({ mode: 'node', env: { OPENDIMO_CONFIG: file, OPENDIMO_HTTP_PORT: '9002' }, overrides: { 'http.port': '9003', dataDir: undefined }, cwd });
    assert.equal(fromFlag.http.port, 9003);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('production adapters are selected by URL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'odm-config-'));
  try {
    const deployment = join(dir, 'deployment.json');
    writeFileSync(deployment, JSON.stringify({ chainId: 137, contracts: { DimoToken: '0x' + 'ab'.repeat(20) }, blockNumber: '42' }));
    const config = loadConfig({
      mode: 'node',
      cwd: dir,
      env: {
        OPENDIMO_DATABASE_URL: 'postgres://odm:secret@db.internal:5432/odm',
        OPENDIMO_RPC_URL: 'https://rpc.example.org',
        OPENDIMO_DEPLOYMENT_FILE: 'deployment.json',
        OPENDIMO_MQTT_URL: 'mqtts://broker.internal:8883',
        OPENDIMO_NATS_URL: 'nats://nats.internal:4222',
        OPENDIMO_KEK_FILE: 'secrets/kek.key',
      },
    });
    assert.equal(config.databaseUrl, 'postgres://odm:secret@db.internal:5432/odm');
    assert.equal(config.chain.deployment?.chainId, 137);
    assert.equal(config.chain.deployment?.blockNumber, '42');
    assert.equal(config.mqtt.url, 'mqtts://broker.internal:8883');
    assert.equal(config.natsUrl, 'nats://nats.internal:4222');
    assert.equal(config.kekFile, join(dir, 'secrets/kek.key'), 'an operator-given key path is taken from the working dir');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every problem is reported at once, named by its environment variable', () => {
  let caught: unknown;
  try {
    loadConfig({ mode: 'node', cwd, env: { OPENDIMO_HTTP_PORT: 'eighty', OPENDIMO_DATABASE_URL: 'mysql://x', OPENDIMO_LOG_LEVEL: 'loud' } });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof OdmError);
  assert.equal(caught.code, 'ODM_ERR_CONFIG_INVALID');
  const problems = caught.details.problems as string[];
  assert.equal(problems.length, 3);
  assert.match(caught.message, /OPENDIMO_HTTP_PORT/);
  assert.match(caught.message, /OPENDIMO_DATABASE_URL \(databaseUrl\): must be a URL with scheme postgres/);
  assert.match(caught.message, /OPENDIMO_LOG_LEVEL/);
});

test('an external chain without its contract addresses is refused with the fix', () => {
  assert.throws(
    () => loadConfig({ mode: 'node', cwd, env: { OPENDIMO_RPC_URL: 'http://127.0.0.1:8545' } }),
    (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_CONFIG_INVALID' && /OPENDIMO_DEPLOYMENT_FILE/.test(err.message),
  );
});

test('a missing or malformed config file is a config error naming the file', () => {
  assert.throws(
    () => loadConfig({ mode: 'node', cwd, env: { OPENDIMO_CONFIG: '/nonexistent/opendimo.json' } }),
    (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_CONFIG_INVALID' && err.message.includes('/nonexistent/opendimo.json'),
  );
  const dir = mkdtempSync(join(tmpdir(), 'odm-config-'));
  try {
    writeFileSync(join(dir, 'bad.json'), '[1,2]');
    assert.throws(
      () => loadConfig({ mode: 'node', cwd: dir, env: { OPENDIMO_CONFIG: 'bad.json' } }),
      (err: unknown) => err instanceof OdmError && /not a JSON object/.test(err.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
