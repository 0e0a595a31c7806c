import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpServer } from './http-server.ts';
import { HealthRegistry } from '../core/health.ts';
import { createMetrics } from '../core/metrics.ts';
import { silentLogger } from '../core/logger.ts';
import { OdmError } from '../core/errors.ts';

async function server() {
  const health = new HealthRegistry();
  const app = await createHttpServer({ logger: silentLogger(), metrics: createMetrics({ defaults: false }), health });
  app.get('/boom/odm', async () => {
    throw new OdmError('ODM_ERR_DB_UNAVAILABLE', 'database is down', { details: { attempt: 3 } });
  });
  app.get('/boom/plain', async () => {
    throw new Error('secret internals');
  });
  app.post('/echo', { schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } } } }, async (req) => req.body);
  return { app, health };
}

test('/health is ok only when every component is, and says which is not', async (t) => {
  const { app, health } = await server();
  t.after(() => app.close());
  health.expect('chain');
  health.set('db', async () => ({ ok: true, detail: 'sqlite' }));
  let res = await app.inject('/health');
  assert.equal(res.statusCode, 503);
  assert.deepEqual(res.json(), { status: 'degraded', checks: { chain: { ok: false, detail: 'starting' }, db: { ok: true, detail: 'sqlite' } } });

  health.set('chain', async () => ({ ok: true, detail: 'block 1' }));
  res = await app.inject('/health');
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().status, 'ok');

  health.set('bus', async () => {
    throw new Error('bus exploded');
  });
  res = await app.inject('/health');
  assert.deepEqual(res.json().checks.bus, { ok: false, detail: 'bus exploded' });

  // A status decided by some checks only (the body keeps every check).
  res = await app.inject('/health?only=db,chain');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json().checks.bus, { ok: false, detail: 'bus exploded' });
  res = await app.inject('/health?only=db,bus');
  assert.equal(res.statusCode, 503);
  res = await app.inject('/health?only=db,nosuch');
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'ODM_ERR_VALIDATION');
});

test('a registry that is not ready reports degraded even when every probe is ok', async () => {
  const health = new HealthRegistry({ ready: false });
  health.set('db', async () => ({ ok: true, detail: 'sqlite' }));
  assert.equal((await health.report()).status, 'degraded');
  health.markReady();
  assert.equal((await health.report()).status, 'ok');
});

test('a probe that hangs is reported as failing instead of hanging /health', async (t) => {
  const { app, health } = await server();
  t.after(() => app.close());
  health.set('chain', () => new Promise(() => {}));
  const report = await health.report(50);
  assert.deepEqual(report.checks.chain, { ok: false, detail: 'no answer within 50 ms' });
});

test('errors map to {code, message, details} with the right status', async (t) => {
  const { app } = await server();
  t.after(() => app.close());
  let res = await app.inject('/boom/odm');
  assert.equal(res.statusCode, 503);
  assert.equal(res.headers['retry-after'], '1');
  assert.deepEqual(res.json(), { code: 'ODM_ERR_DB_UNAVAILABLE', message: 'database is down', details: { attempt: 3 } });

  res = await app.inject('/boom/plain');
  assert.equal(res.statusCode, 500);
  assert.deepEqual(res.json(), { code: 'ODM_ERR_INTERNAL', message: 'internal error', details: {} }, 'internals are not leaked');

  res = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'x' } });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'ODM_ERR_VALIDATION');

  res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{bad json' });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'ODM_ERR_VALIDATION');

  res = await app.inject('/nope?x=1');
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { code: 'ODM_ERR_NOT_FOUND', message: 'no route GET /nope', details: {} });
});

test('/metrics serves Prometheus text including request timings by route', async (t) => {
  const { app } = await server();
  t.after(() => app.close());
  await app.inject('/health');
  const res = await app.inject('/metrics');
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /text\/plain/);
  assert.match(res.body, /opendimo_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} 1/);
});
