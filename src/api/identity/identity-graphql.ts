// Mounts the identity GraphQL at /identity/query. Mercurius sits in its own encapsulated plugin scope so
// the telemetry GraphQL (at /query) can be mounted beside it without clashing decorators.
import type { FastifyInstance } from 'fastify';
import mercurius from 'mercurius';
import { isOdmError } from '../../core/errors.ts';
import { identityResolvers, type IdentityView } from './identity-resolvers.ts';
import { identitySchema } from './identity-schema.ts';

export const IDENTITY_GRAPHQL_PATH = '/identity/query';

/** `view` is called per request; it may throw ODM_ERR_UNAVAILABLE while the node starts. */
export async function registerIdentityGraphql(app: FastifyInstance, view: () => IdentityView): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(mercurius, {
      schema: identitySchema,
      resolvers: identityResolvers as never,
      path: IDENTITY_GRAPHQL_PATH,
      graphiql: false,
      // Vehicle → device → vehicle → … cycles: bound how deep one query may go.
      queryDepth: 8,
      context: () => ({
        view(): IdentityView {
          try {
            return view();
          } catch (err) {
            // e.g. ODM_ERR_UNAVAILABLE while the node starts: keep the stable code in the GraphQL error.
            if (isOdmError(err)) throw new mercurius.ErrorWithProps(err.message, { code: err.code }, err.status);
            throw err;
          }
        },
      }),
    });
  });
}
