// openStore's failures that need no running server: bad configuration and an unreachable PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { isOdmError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { freePort } from '../core/ports.ts';
import { openStore } from './open-store.ts';

const logger = silentLogger();
const dataDir = mkdtempSync(join(tmpdir(), 'opendimo-open-store-test-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('an unsupported URL scheme is ODM_ERR_CONFIG_INVALID', async () => {
  await assert.rejects(openStore({ dataDir, logger, databaseUrl: 'mongodb://db/odm' }), (err) => {
    assert.ok(isOdmError(err));
    assert.equal(err.code, 'ODM_ERR_CONFIG_INVALID');
    assert.match(err.message, /unsupported database URL scheme "mongodb:"/);
    return true;
  });
});

test('an unreachable PostgreSQL is ODM_ERR_DB_UNAVAILABLE, quickly, with the password masked', async () => {
  const port = await freePort(); // nothing listens there
  const databaseUrl = `postgres://odm:hunter2secret@127.0.0.1:${port}/odm`;
  const started = Date.now();
  await assert.rejects(openStore({ dataDir, logger, databaseUrl, pool: { connectTimeoutMs: 2000 } }), (err) => {
    assert.ok(isOdmError(err));
    assert.equal(err.code, 'ODM_ERR_DB_UNAVAILABLE');
    assert.equal(err.retryable, true);
    assert.equal(err.details.url, `postgres://odm:***@127.0.0.1:${port}/odm`);
    assert.match(err.message, new RegExp(`cannot connect to PostgreSQL at postgres://odm:\\*\\*\\*@127\\.0\\.0\\.1:${port}/odm: .*ECONNREFUSED`));
    assert.doesNotMatch(`${err.message} ${JSON.stringify(err.toJSON())}`, /hunter2secret/);
    return true;
  });
  assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
});

test('a PostgreSQL server that accepts but never answers fails within the connect timeout', async () => {
  // A listener that takes the connection and says nothing: only our timeout can end the wait.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const { port } = silent.address() as AddressInfo;
  const started = Date.now();
  await assert.rejects(
    openStore({ dataDir, logger, databaseUrl: `postgres://odm:pw-secret@127.0.0.1:${port}/odm`, pool: { connectTimeoutMs: 500 } }),
    (err) => {
      assert.ok(isOdmError(err));
      assert.equal(err.code, 'ODM_ERR_DB_UNAVAILABLE');
      assert.match(err.message, /timeout/i);
      assert.doesNotMatch(err.message, /pw-secret/);
      return true;
    },
  );
  const ms = Date.now() - started;
  assert.ok(ms >= 400 && ms < 2000, `took ${ms} ms`);
});
