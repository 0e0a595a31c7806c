// An HTTPS listener for connection providers that authenticate with a client certificate (mutual TLS),
// as DIMO's ingest does. The certificate must chain to the configured CA and name the connection's
// address (0x…, in its subject CN or a subjectAltName); every event sent over it must carry that
// address as its `source`. The per-event signature is still checked as on any transport.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { isOdmError, OdmError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { checksumAddress } from '../envelope/did.ts';
import type { IngestPipeline } from '../pipeline/pipeline.ts';
import { handleIngestBody, INGEST_PATH } from './ingest-http.ts';

export interface MtlsOptions {
  host: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** CA certificate(s) that issue the connection providers' client certificates. */
  caFile: string;
  maxRequestBytes: number;
  pipeline: () => IngestPipeline;
  logger: Logger;
}

const ADDRESS = /0x[0-9a-fA-F]{40}/;

/** The connection address a client certificate names (CN first, then subjectAltName). */
export function certificateAddress(cert: { subject?: { CN?: string | string[] }; subjectaltname?: string }): string | undefined {
  const cn = cert.subject?.CN;
  const fromCn = ADDRESS.exec(Array.isArray(cn) ? cn.join(' ') : (cn ?? ''))?.[0];
  const found = fromCn ?? ADDRESS.exec(cert.subjectaltname ?? '')?.[0];
  return found ? checksumAddress(found) : undefined;
}

function send(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startMtlsServer(o: MtlsOptions): Promise<{ server: Server; port: number; stop(): Promise<void> }> {
  const server = createServer(
    { cert: readFileSync(o.certFile), key: readFileSync(o.keyFile), ca: readFileSync(o.caFile), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const fail = (err: unknown) => {
        const e = isOdmError(err) ? err : new OdmError('ODM_ERR_INTERNAL', 'internal error', { cause: err });
        if (e.status >= 500) o.logger.error({ err }, 'mtls ingest failed');
        send(res, e.status, e.toJSON());
      };
      if (req.method !== 'POST' || req.url?.split('?')[0] !== INGEST_PATH) return fail(new OdmError('ODM_ERR_NOT_FOUND', `no route ${req.method} ${req.url?.split('?')[0]}`));
      const connection = certificateAddress((req.socket as TLSSocket).getPeerCertificate());
      if (!connection) return fail(new OdmError('ODM_ERR_SOURCE_MISMATCH', 'the client certificate does not name a connection address (0x…) in its CN or subjectAltName'));
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > o.maxRequestBytes) {
          fail(new OdmError('ODM_ERR_ENVELOPE_TOO_LARGE', `request bodies are limited to ${o.maxRequestBytes} bytes`, { status: 413 }));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (size > o.maxRequestBytes) return;
        handleIngestBody(o.pipeline(), req.headers['content-type'], Buffer.concat(chunks), { transport: 'mtls', connection }).then((out) => send(res, out.status, out.body), fail);
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : o.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
