// Maps every failure to the wire shape {code, message, details} with the error's own status. Internal
// errors are logged with their cause and answered without it.
import type { FastifyError, FastifyInstance } from 'fastify';
import { OdmError, isOdmError } from '../core/errors.ts';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | OdmError, request, reply) => {
    let error: OdmError;
    if (isOdmError(err)) {
      error = err;
    } else if ((err as FastifyError).validation) {
      error = new OdmError('ODM_ERR_VALIDATION', err.message, { details: { issues: (err as FastifyError).validation } });
    } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      // Fastify's own client errors (bad JSON, body too large, unsupported media type).
      error = new OdmError('ODM_ERR_VALIDATION', err.message, {
        status: (err as FastifyError).statusCode,
        details: { reason: (err as FastifyError).code },
      });
    } else {
      error = new OdmError('ODM_ERR_INTERNAL', 'internal error', { cause: err });
    }
    if (error.status >= 500) request.log.error({ err, code: error.code }, error.message);
    if (error.retryable && error.status === 503) void reply.header('retry-after', '1');
    void reply.status(error.status).send(error.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new OdmError('ODM_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    void reply.status(404).send(error.toJSON());
  });
}
