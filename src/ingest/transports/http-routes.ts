// POST /v1/ingest on the node's API server. Bodies are taken as raw bytes (the signature covers the
// exact bytes of each event's data), so this plugin replaces Fastify's JSON parser inside its own scope.
import type { FastifyInstance } from 'fastify';
import type { IngestPipeline } from '../pipeline/pipeline.ts';
import { handleIngestBody, INGEST_PATH } from './ingest-http.ts';

export interface IngestRoutesOptions {
  /** The pipeline; throws ODM_ERR_UNAVAILABLE while the node starts. */
  pipeline: () => IngestPipeline;
  maxRequestBytes: number;
}

export async function registerIngestRoutes(app: FastifyInstance, options: IngestRoutesOptions): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.maxRequestBytes }, (_req, body, done) => done(null, body));
    scope.post(INGEST_PATH, { bodyLimit: options.maxRequestBytes }, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const out = await handleIngestBody(options.pipeline(), request.headers['content-type'], body, { transport: 'http' });
      return reply.status(out.status).send(out.body);
    });
  });
}
