// Smartcar Connect (connect.smartcar.com/oauth/authorize) and its token endpoint
// (auth.smartcar.com/oauth/token). Access tokens last 2 h, refresh tokens 60 days; a used refresh
// token keeps working for 60 s (so a retried refresh does not lock the user out), then invalid_grant.
import type { FastifyInstance } from 'fastify';
import { registerOAuth } from '../server/oauth-routes.ts';
import { POLICIES } from '../server/tokens.ts';
import type { EmulatorState } from '../state.ts';
import { smartcarFault } from './smartcar-errors.ts';

export const SMARTCAR_SCOPES = new Set([
  'read_vehicle_info', 'read_vin', 'read_odometer', 'read_battery', 'read_charge', 'read_fuel', 'read_location',
  'read_tires', 'read_engine_oil', 'read_security', 'control_security', 'control_charge', 'read_user_profile',
]);

export function registerSmartcarAuth(app: FastifyInstance, state: EmulatorState): void {
  registerOAuth(app, state, {
    oem: 'smartcar',
    brand: 'Smartcar',
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    knownScopes: SMARTCAR_SCOPES,
    scopeName: (s) => s.replace(/^required:/, ''),
    redirectExtras: () => ({}),
    secretRequired: () => true,
    tokenBody: (set) => ({
      access_token: set.access.token,
      token_type: 'Bearer',
      expires_in: POLICIES.smartcar.accessTtlMs / 1000,
      refresh_token: set.refresh!.token,
    }),
    codeError: (reply, error) =>
      error === 'client_mismatch'
        ? reply.status(401).send({ error: 'invalid_client', error_description: 'The code was issued to another client.' })
        : reply.status(400).send({ error: 'invalid_grant', error_description: error === 'redirect_mismatch' ? 'The redirect_uri does not match the one used to get the code.' : 'Invalid or expired authorization code.' }),
    refreshError: (reply, error) =>
      error === 'client_mismatch'
        ? reply.status(401).send({ error: 'invalid_client', error_description: 'The refresh token was issued to another client.' })
        : reply.status(400).send({ error: 'invalid_grant', error_description: error === 'revoked' ? 'The user revoked access.' : 'Invalid or expired refresh token.' }),
    clientError: (reply) => reply.status(401).send({ error: 'invalid_client', error_description: 'Invalid client credentials.' }),
    badRequest: (reply, error, description) => reply.status(400).send({ error, error_description: description }),
    fault: smartcarFault,
  });
}
