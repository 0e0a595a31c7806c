// The HTTP ingest contract, independent of the server that carries it (Fastify for the API, a plain
// https server for mTLS): structured-mode CloudEvents, one event or a batch, answered after the
// durable write with per-event and per-signal results.
import { OdmError } from '../../core/errors.ts';
import type { IngestContext, IngestPipeline } from '../pipeline/pipeline.ts';
import { summarize, type IngestResponse } from '../pipeline/ingest-result.ts';

export const INGEST_PATH = '/v1/ingest';
export const SINGLE = 'application/cloudevents+json';
export const BATCH = 'application/cloudevents-batch+json';
export const JSON_TYPE = 'application/json';

/** The media type without parameters, lowercased. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function firstByte(body: Buffer): number {
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  }
  return -1;
}

/**
 * Runs one request body through the pipeline. A batch (or a JSON body holding an array) is answered
 * 200 with results per event; a single event that is rejected is answered with its error's status.
 */
export async function handleIngestBody(pipeline: IngestPipeline, contentType: string | undefined, body: Buffer, ctx: IngestContext): Promise<{ status: number; body: IngestResponse | ReturnType<OdmError['toJSON']> }> {
  const type = mediaType(contentType);
  if (type !== SINGLE && type !== BATCH && type !== JSON_TYPE) {
    throw new OdmError('ODM_ERR_MEDIA_TYPE', `send ${SINGLE} (one event) or ${BATCH} (a JSON array of events)`, { details: { contentType: type } });
  }
  const first = firstByte(body);
  const isBatch = first === 0x5b;
  if (type === BATCH && !isBatch) throw new OdmError('ODM_ERR_VALIDATION', `${BATCH} must be a JSON array of CloudEvents`);
  if (type === SINGLE && first !== 0x7b) throw new OdmError('ODM_ERR_VALIDATION', `${SINGLE} must be one CloudEvent (a JSON object)`);
  if (first !== 0x7b && first !== 0x5b) throw new OdmError('ODM_ERR_VALIDATION', 'the body must be a CloudEvent or a JSON array of CloudEvents');
  const [results] = await pipeline.ingest([body], ctx);
  if (results![0]?.index === -1) throw new OdmError('ODM_ERR_VALIDATION', results![0].message ?? 'the body is not valid JSON');
  const response = summarize(results!);
  if (!isBatch && response.rejected === 1) {
    const r = response.results[0]!;
    const err = new OdmError(r.code ?? 'ODM_ERR_ENVELOPE_INVALID', r.message ?? 'event rejected', { details: { results: response.results } });
    return { status: err.status, body: err.toJSON() };
  }
  return { status: 200, body: response };
}
