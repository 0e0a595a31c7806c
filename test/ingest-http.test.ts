// POST /v1/ingest and the owner's privacy routes over real HTTP: media types, single events and
// batches, per-event and per-signal results, and owner-signed requests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { privateKeyToAccount } from 'viem/accounts';
import { createHttpServer } from '../src/api/http-server.ts';
import { HealthRegistry } from '../src/core/health.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createMetrics } from '../src/core/metrics.ts';
import type { IngestResponse } from '../src/ingest/pipeline/ingest-result.ts';
import { signedEvent, twentySignals } from '../src/ingest/testing.ts';
import { registerIngestRoutes } from '../src/ingest/transports/http-routes.ts';
import { OWNER_SIGNATURE_HEADER, OWNER_TIMESTAMP_HEADER, ownerMessage } from '../src/privacy/owner-auth.ts';
import { registerPrivacyRoutes } from '../src/privacy/privacy-routes.ts';
import { HARNESS_T0, startHarness, type Harness } from './support/ingest-harness.ts';

const T = new Date(HARNESS_T0 - 30_000).toISOString();
const owner = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const stranger = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
let h: Harness;
let app: FastifyInstance;
let base: string;
let n = 0;

before(async () => {
  h = await startHarness({ devices: 2 });
  const d0 = h.devices[0]!;
  h.identity.vehicles.set(d0.vehicleTokenId, { tokenId: d0.vehicleTokenId, owner: owner.address.toLowerCase(), version: 1 });
  app = await createHttpServer({ logger: silentLogger(), metrics: createMetrics({ defaults: false }), health: new HealthRegistry() });
  await registerIngestRoutes(app, { pipeline: () => h.svc.pipeline, maxRequestBytes: 1024 * 1024 });
  await registerPrivacyRoutes(app, { service: () => h.svc, clock: () => h.clock });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
after(async () => {
  await app.close();
  await h.close();
});

function event(i = 0, data: unknown = twentySignals(T, n)): string {
  return signedEvent(h.devices[i]!, { id: `http-${++n}`, time: T, data });
}

async function post(body: string, type: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/v1/ingest`, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, json: await res.json() };
}

describe('POST /v1/ingest', () => {
  it('stores one CloudEvent (application/cloudevents+json) and answers after the write', async () => {
    const r = await post(event(), 'application/cloudevents+json');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { stored: 1, duplicates: 0, rejected: 0, results: [] } satisfies IngestResponse);
  });

  it('answers a batch with per-event results, and per-signal errors beside the stored signals', async () => {
    const mixed = twentySignals(T, 3);
    mixed.signals[0] = { name: 'speed', timestamp: T, value: -5 };
    const tampered = event().replace('"value":', '"value":1');
    const body = `[${event()},${event(1, mixed)},${tampered}, 42]`;
    const r = await post(body, 'application/cloudevents-batch+json');
    assert.equal(r.status, 200);
    assert.equal(r.json.stored, 2);
    assert.equal(r.json.rejected, 2);
    const [m, t, x] = r.json.results;
    assert.deepEqual([m.index, m.status, m.signals.stored, m.signals.rejected], [1, 'stored', 18, 1]);
    assert.deepEqual(m.errors, [{ index: 0, name: 'speed', code: 'ODM_ERR_SIGNAL_OUT_OF_RANGE', message: 'speed must be within [0, 500] km/h' }]);
    assert.deepEqual([t.index, t.status, t.code], [2, 'rejected', 'ODM_ERR_SIGNATURE_INVALID']);
    assert.deepEqual([x.index, x.code], [3, 'ODM_ERR_ENVELOPE_INVALID']);
    assert.equal((await post(`[${event()}]`, 'application/json')).json.stored, 1, 'application/json takes either form');
  });

  it('a single rejected event is answered with its error and status', async () => {
    const tampered = event().replace('"value":', '"value":1');
    const r = await post(tampered, 'application/cloudevents+json');
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'ODM_ERR_SIGNATURE_INVALID');
    assert.equal(r.json.details.results[0].status, 'rejected');
    const future = new Date(HARNESS_T0 + 3_600_000).toISOString();
    const f = await post(signedEvent(h.devices[0]!, { id: 'future', time: future, data: twentySignals(future, 1) }), 'application/cloudevents+json');
    assert.deepEqual([f.status, f.json.code], [400, 'ODM_ERR_TIME_IN_FUTURE']);
  });

  it('refuses other media types, mismatched shapes and bodies that are not JSON', async () => {
    assert.deepEqual(await post(event(), 'text/plain').then((r) => [r.status, r.json.code]), [415, 'ODM_ERR_MEDIA_TYPE']);
    assert.deepEqual(await post(event(), 'application/cloudevents-batch+json').then((r) => [r.status, r.json.code]), [400, 'ODM_ERR_VALIDATION']);
    assert.deepEqual(await post(`[${event()}]`, 'application/cloudevents+json').then((r) => [r.status, r.json.code]), [400, 'ODM_ERR_VALIDATION']);
    assert.deepEqual(await post('[{"id": ', 'application/json').then((r) => [r.status, r.json.code]), [400, 'ODM_ERR_VALIDATION']);
    const big = await post(`[${'1,'.repeat(600_000)}1]`, 'application/json');
    assert.equal(big.status, 413);
  });
});

describe('owner routes', () => {
  async function signed(method: string, path: string, body: string | undefined, account = owner, at = h.clock.now()) {
    const signature = await account.signMessage({ message: ownerMessage(method, path, at, body ?? '') });
    const headers: Record<string, string> = { [OWNER_SIGNATURE_HEADER]: signature, [OWNER_TIMESTAMP_HEADER]: String(at) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    return { status: res.status, json: (await res.json()) as any };
  }

  it('needs the vehicle owner\'s signature, fresh', async () => {
    const path = `/v1/vehicles/${h.devices[0]!.vehicleTokenId}/privacy`;
    assert.deepEqual(await fetch(`${base}${path}`).then(async (r) => [r.status, ((await r.json()) as any).code]), [401, 'ODM_ERR_OWNER_AUTH']);
    assert.deepEqual(await signed('GET', path, undefined, stranger).then((r) => [r.status, r.json.code]), [403, 'ODM_ERR_NOT_OWNER']);
    assert.deepEqual(await signed('GET', path, undefined, owner, h.clock.now() - 600_000).then((r) => [r.status, r.json.code]), [401, 'ODM_ERR_OWNER_AUTH']);
    const ok = await signed('GET', path, undefined);
    assert.deepEqual([ok.status, ok.json], [200, { locationOptOut: false, zones: [] }]);
  });

  it('sets zones and opt-out that the next events obey, and rejects bad zones', async () => {
    const d0 = h.devices[0]!;
    const path = `/v1/vehicles/${d0.vehicleTokenId}/privacy`;
    const bad = await signed('PUT', path, JSON.stringify({ zones: [{ kind: 'circle', lat: 200, lng: 0, radiusM: 100 }] }));
    assert.deepEqual([bad.status, bad.json.code], [400, 'ODM_ERR_PRIVACY_ZONE_INVALID']);
    const settings = { locationOptOut: false, zones: [{ kind: 'circle', lat: 52.52, lng: 13.405, radiusM: 500, action: 'drop' }] };
    const put = await signed('PUT', path, JSON.stringify(settings));
    assert.deepEqual([put.status, put.json], [200, settings]);
    const r = await post(event(0, twentySignals(T, 1, [52.5201, 13.4051])), 'application/cloudevents+json');
    assert.deepEqual(r.json.results[0].signals, { stored: 18, rejected: 0, redacted: 0, withheld: 1, collapsed: 0 });
    assert.deepEqual((await signed('GET', path, undefined)).json, settings);
  });

  it('DELETE /v1/vehicles/:id/data crypto-shreds the owner epoch', async () => {
    const d0 = h.devices[0]!;
    await post(event(0), 'application/cloudevents+json');
    await h.svc.vault.flush();
    assert.ok((await h.svc.vault.reader.events(String(d0.vehicleTokenId), 1)).length > 0);
    const del = await signed('DELETE', `/v1/vehicles/${d0.vehicleTokenId}/data`, undefined);
    assert.equal(del.status, 200);
    assert.equal(del.json.deleted, true);
    assert.deepEqual(await h.svc.vault.reader.events(String(d0.vehicleTokenId), 1), []);
    assert.deepEqual((await signed('GET', `/v1/vehicles/${d0.vehicleTokenId}/privacy`, undefined)).json, { locationOptOut: false, zones: [] }, 'settings went with the data');
  });
});
