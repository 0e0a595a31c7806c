// mTLS ingest for connection providers, with a CA, server and client certificates made by openssl in
// the test: the client certificate names the connection's address and events must carry it as source.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { silentLogger } from '../src/core/logger.ts';
import { signedEvent, twentySignals } from '../src/ingest/testing.ts';
import { startMtlsServer } from '../src/ingest/transports/mtls-server.ts';
import { HARNESS_T0, startHarness, type Harness } from './support/ingest-harness.ts';

const T = new Date(HARNESS_T0 - 30_000).toISOString();
const CONNECTION = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
let h: Harness;
let port: number;
let stop: () => Promise<void>;
let pki: Record<'ca' | 'clientCert' | 'clientKey' | 'otherCert' | 'otherKey', Buffer>;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makePki(dir: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=opendimo test CA']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const leaf = (name: string, cn: string, ext?: string) => {
    openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...(ext ? ['-extfile', ext] : [])]);
  };
  leaf('server', 'localhost', 'server.ext');
  leaf('client', CONNECTION);
  // A certificate from a CA the node does not trust.
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', `/CN=${CONNECTION}`]);
}

before(async () => {
  h = await startHarness({ devices: 1 });
  makePki(h.dir);
  const f = (n: string) => join(h.dir, n);
  pki = { ca: readFileSync(f('ca.pem')), clientCert: readFileSync(f('client.pem')), clientKey: readFileSync(f('client.key')), otherCert: readFileSync(f('other.pem')), otherKey: readFileSync(f('other.key')) };
  const server = await startMtlsServer({
    host: '127.0.0.1', port: 0, certFile: f('server.pem'), keyFile: f('server.key'), caFile: f('ca.pem'), maxRequestBytes: 1 << 20,
    pipeline: () => h.svc.pipeline, logger: silentLogger(),
  });
  port = server.port;
  stop = server.stop;
});
after(async () => {
  await stop();
  await h.close();
});

function post(body: string, cert: Buffer | undefined, key: Buffer | undefined): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/ingest', method: 'POST', ca: pki.ca, ...(cert ? { cert, key } : {}), headers: { 'content-type': 'application/cloudevents+json' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

it('accepts events whose source is the connection the client certificate names', async () => {
  const body = signedEvent(h.devices[0]!, { id: 'mtls-1', time: T, data: twentySignals(T, 1), source: CONNECTION.toLowerCase() });
  const r = await post(body, pki.clientCert, pki.clientKey);
  assert.deepEqual([r.status, r.json.stored], [200, 1]);
});

it('rejects events from another source over that connection', async () => {
  const body = signedEvent(h.devices[0]!, { id: 'mtls-2', time: T, data: twentySignals(T, 1), source: '0x0000000000000000000000000000000000000001' });
  const r = await post(body, pki.clientCert, pki.clientKey);
  assert.deepEqual([r.status, r.json.code], [403, 'ODM_ERR_SOURCE_MISMATCH']);
});

it('refuses clients without a certificate from the configured CA', async () => {
  const body = signedEvent(h.devices[0]!, { id: 'mtls-3', time: T, data: twentySignals(T, 1), source: CONNECTION });
  await assert.rejects(post(body, undefined, undefined));
  await assert.rejects(post(body, pki.otherCert, pki.otherKey));
});
