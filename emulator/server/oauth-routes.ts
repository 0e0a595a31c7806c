// The authorization-code flow both OEMs share: an authorize page (or `auto=1` redirect) that issues a
// code for an emulated account, and a token endpoint for `authorization_code` and `refresh_token`
// grants. Each OEM plugs in its scopes, redirect extras, client authentication and error shapes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../fleet/fleet.ts';
import type { Oem } from '../fleet/models.ts';
import type { EmulatorState, OAuthClient } from '../state.ts';
import { type FaultRenderer, gate } from './http-kit.ts';
import { renderLoginPage, withQuery } from './login-page.ts';
import type { RedeemError, RefreshError, TokenSet } from './tokens.ts';

export interface OAuthConfig {
  oem: Oem;
  brand: string;
  authorizePath: string;
  tokenPath: string;
  knownScopes: ReadonlySet<string>;
  /** Smartcar writes `required:read_odometer`; the grant keeps the bare name. */
  scopeName(raw: string): string;
  /** Extra query parameters on the redirect back (Tesla adds issuer and locale). */
  redirectExtras(): Record<string, string>;
  /** Whether the token request must carry the client secret for this grant type. */
  secretRequired(grantType: string): boolean;
  tokenBody(set: TokenSet, request: Record<string, string>): Record<string, unknown>;
  codeError(reply: FastifyReply, error: RedeemError): FastifyReply;
  refreshError(reply: FastifyReply, error: RefreshError): FastifyReply;
  clientError(reply: FastifyReply): FastifyReply;
  badRequest(reply: FastifyReply, error: string, description: string): FastifyReply;
  fault: FaultRenderer;
}

type Params = Record<string, string | undefined>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function registerOAuth(app: FastifyInstance, state: EmulatorState, cfg: OAuthConfig): void {
  const noLimit = (reply: FastifyReply) => reply;

  const checkClient = (q: Params): { client?: OAuthClient; problem?: string } => {
    const client = state.client(cfg.oem, q.client_id);
    if (!client) return { problem: `unknown client_id ${q.client_id ?? '(missing)'}` };
    if (!q.redirect_uri) return { problem: 'redirect_uri is required' };
    try {
      new URL(q.redirect_uri);
    } catch {
      return { problem: 'redirect_uri is not a URL' };
    }
    if (client.redirectUris.length && !client.redirectUris.includes(q.redirect_uri)) return { problem: 'redirect_uri is not registered for this client' };
    if (q.response_type !== 'code') return { problem: 'response_type must be code' };
    return { client };
  };

  const finish = (reply: FastifyReply, q: Params, account: Account | undefined, decision: string): FastifyReply => {
    const redirect = q.redirect_uri!;
    if (decision === 'deny') {
      return reply.redirect(withQuery(redirect, { error: 'access_denied', error_description: 'The user denied access to your application', state: q.state }), 302);
    }
    const scopes = (q.scope ?? '').split(/[\s+]+/).filter(Boolean).map(cfg.scopeName);
    const now = state.now();
    const code = state.tokens.issueCode(cfg.oem, {
      oem: cfg.oem,
      accountId: account!.id,
      userId: account!.oemUserId,
      region: account!.region,
      clientId: q.client_id!,
      scopes,
      ...(cfg.oem === 'smartcar' ? { vehicleKeys: [...account!.vehicleKeys] } : {}),
    }, redirect, now);
    return reply.redirect(withQuery(redirect, { code, state: q.state, ...cfg.redirectExtras() }), 302);
  };

  const page = (reply: FastifyReply, q: Params, status: number, error?: string): FastifyReply => {
    const accounts = state.fleet.accounts.filter((a) => a.oem === cfg.oem).slice(0, 25);
    const params = Object.fromEntries(Object.entries(q).filter(([k, v]) => v !== undefined && !['account', 'decision', 'auto'].includes(k))) as Record<string, string>;
    const html = renderLoginPage({
      brand: cfg.brand, action: cfg.authorizePath, params, accounts,
      prefill: q.login_hint ?? q.account ?? accounts[0]?.email ?? '',
      scopes: (q.scope ?? '').split(/[\s+]+/).filter(Boolean), ...(error ? { error } : {}),
    });
    return reply.status(status).type('text/html; charset=utf-8').send(html);
  };

  const authorize = async (q: Params, request: FastifyRequest, reply: FastifyReply, submitted: boolean) => {
    if (!(await gate(state, request, reply, { category: 'auth', noRateLimit: true }, cfg.fault, noLimit))) return reply;
    const { problem } = checkClient(q);
    if (problem) return reply.status(400).type('text/plain; charset=utf-8').send(`${cfg.brand}: ${problem}`);
    const scopes = (q.scope ?? '').split(/[\s+]+/).filter(Boolean);
    const unknown = scopes.map(cfg.scopeName).filter((s) => !cfg.knownScopes.has(s));
    if (!scopes.length || unknown.length) {
      return reply.redirect(withQuery(q.redirect_uri!, { error: 'invalid_scope', error_description: unknown.length ? `unknown scope ${unknown.join(' ')}` : 'scope is required', state: q.state }), 302);
    }
    const decision = submitted ? (q.decision ?? 'approve') : q.auto === 'deny' ? 'deny' : q.auto === '1' || q.auto === 'true' ? 'approve' : undefined;
    if (decision === undefined) return page(reply, q, 200);
    if (decision === 'deny') return finish(reply, q, undefined, 'deny');
    const who = submitted ? q.account : q.login_hint;
    const account = who ? state.fleet.account(who) : undefined;
    if (!account || account.oem !== cfg.oem) return page(reply, q, 400, `no emulated ${cfg.brand} account ${who ?? '(none given)'}`);
    return finish(reply, q, account, 'approve');
  };

  app.get(cfg.authorizePath, (request, reply) => authorize(request.query as Params, request, reply, false));
  app.post(cfg.authorizePath, (request, reply) => authorize((request.body ?? {}) as Params, request, reply, true));

  app.post(cfg.tokenPath, async (request, reply) => {
    if (!(await gate(state, request, reply, { category: 'auth', noRateLimit: true }, cfg.fault, noLimit))) return reply;
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const body: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) if (str(v) !== undefined) body[k] = v as string;
    const basic = basicFrom(request);
    const clientId = basic?.id ?? body.client_id;
    const secret = basic?.secret ?? body.client_secret;
    const grantType = body.grant_type;
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return cfg.badRequest(reply, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    }
    const client = state.client(cfg.oem, clientId);
    if (!client || (cfg.secretRequired(grantType) && secret !== client.clientSecret) || (secret !== undefined && secret !== client.clientSecret)) {
      return cfg.clientError(reply);
    }
    const now = state.now();
    if (grantType === 'authorization_code') {
      if (!body.code) return cfg.badRequest(reply, 'invalid_request', 'code is required');
      const result = state.tokens.redeemCode(cfg.oem, body.code, client.clientId, body.redirect_uri, now);
      if (typeof result === 'string') return cfg.codeError(reply, result);
      request.log.debug({ grant: result.grant.id }, 'code redeemed');
      return reply.send(cfg.tokenBody(result, body));
    }
    if (!body.refresh_token) return cfg.badRequest(reply, 'invalid_request', 'refresh_token is required');
    const result = state.tokens.refresh(cfg.oem, body.refresh_token, client.clientId, now);
    if (typeof result === 'string') return cfg.refreshError(reply, result);
    return reply.send(cfg.tokenBody(result, body));
  });
}

function basicFrom(request: FastifyRequest): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}
