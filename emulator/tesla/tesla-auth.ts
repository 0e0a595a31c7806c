// Tesla's auth server (auth.tesla.com / fleet-auth): /oauth2/v3/authorize and /oauth2/v3/token.
// Access tokens are JWTs lasting 8 h; a refresh token (only with offline_access) works once —
// presenting it again answers 401 login_required.
import type { FastifyInstance } from 'fastify';
import { registerOAuth } from '../server/oauth-routes.ts';
import { POLICIES } from '../server/tokens.ts';
import type { EmulatorState } from '../state.ts';
import { teslaFault } from './tesla-errors.ts';

export const TESLA_SCOPES = new Set([
  'openid', 'offline_access', 'user_data', 'vehicle_device_data', 'vehicle_location', 'vehicle_cmds',
  'vehicle_charging_cmds', 'energy_device_data', 'energy_cmds',
]);

export function registerTeslaAuth(app: FastifyInstance, state: EmulatorState): void {
  registerOAuth(app, state, {
    oem: 'tesla',
    brand: 'Tesla',
    authorizePath: '/oauth2/v3/authorize',
    tokenPath: '/oauth2/v3/token',
    knownScopes: TESLA_SCOPES,
    scopeName: (s) => s,
    redirectExtras: () => ({ locale: 'en-US', issuer: 'https://auth.tesla.com/oauth2/v3' }),
    // Refreshing needs only client_id; exchanging a code needs the secret too.
    secretRequired: (grantType) => grantType === 'authorization_code',
    tokenBody: (set, req) => ({
      access_token: set.access.token,
      ...(set.refresh ? { refresh_token: set.refresh.token } : {}),
      ...(set.idToken ? { id_token: set.idToken } : {}),
      expires_in: POLICIES.tesla.accessTtlMs / 1000,
      ...(req.state ? { state: req.state } : {}),
      token_type: 'Bearer',
    }),
    codeError: (reply, error) =>
      error === 'redirect_mismatch'
        ? reply.status(400).send({ error: 'invalid_redirect_url', error_description: 'The authorize redirect URI and token redirect URI must match' })
        : error === 'client_mismatch'
          ? reply.status(401).send({ error: 'invalid_client', error_description: 'The code was issued to another client' })
          : reply.status(400).send({ error: 'invalid_auth_code', error_description: `The authorization code is ${error === 'expired_code' ? 'expired' : error === 'used_code' ? 'already used' : 'invalid'}` }),
    refreshError: (reply, error) =>
      reply.status(401).send({
        error: 'login_required',
        error_description: {
          used: 'The refresh_token has already been used',
          expired: 'The refresh_token has expired',
          revoked: 'The user revoked access or changed their password; a new authorization is required',
          unknown: 'The refresh_token is invalid',
          client_mismatch: 'The refresh_token was issued to another client',
        }[error],
      }),
    clientError: (reply) => reply.status(401).send({ error: 'invalid_client', error_description: "We don't recognize this client_id and client_secret combination" }),
    badRequest: (reply, error, description) => reply.status(400).send({ error, error_description: description }),
    fault: teslaFault,
  });
}
