// How owner sign-in joins the node: the routes, the session-token key (sealed, in the database), and the
// WWW-Authenticate header on every ODM_ERR_AUTH_REQUIRED answer, whichever module's route refused.
//
// Sign-in messages must name this node's authority. Without a configured public URL that is the
// listening host:port, plus localhost:port and 127.0.0.1:port when listening on loopback or on all
// interfaces; a node behind a proxy needs its public authority here (a config field to add).
import type { AddressInfo } from 'node:net';
import type { OdmError } from '../../core/errors.ts';
import type { Capability } from '../../node/capability.ts';
import { OwnerAuth, setOwnerAuth } from './owner-auth.ts';
import { ownerRoutes } from './owner-routes.ts';
import { loadOrCreateOwnerSigningKey } from './owner-signing-key.ts';

/** The authorities owners may sign in at, for a server listening on host:port. */
export function signInDomains(host: string, port: number): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  const loopback = wildcard || host === 'localhost' || host === '::1' || host.startsWith('127.');
  const out: string[] = [];
  // IPv6 literals are left out: EIP-4361 tooling rejects bracketed authorities; localhost covers ::1.
  if (!wildcard && !host.includes(':')) out.push(`${host}:${port}`);
  if (loopback) out.push(`localhost:${port}`, `127.0.0.1:${port}`);
  return [...new Set(out)];
}

export const ownerAuthCapability: Capability = {
  name: 'owner-auth',

  routes(app, ctx) {
    app.addHook('onError', async (request, reply, error) => {
      if ((error as OdmError).code !== 'ODM_ERR_AUTH_REQUIRED') return;
      const invalid = request.headers.authorization !== undefined;
      void reply.header('www-authenticate', invalid ? 'Bearer realm="opendimo", error="invalid_token"' : 'Bearer realm="opendimo"');
    });
    ownerRoutes(app, ctx);
  },

  async start(services) {
    const { config, clock, chain, store } = services;
    // Shared by every process of a cluster; a key file left by an older node is imported once.
    const signingKey = await loadOrCreateOwnerSigningKey(store.db, services.kek, clock.now(), config.dataDir);
    const port = (services.http.server.address() as AddressInfo | null)?.port ?? config.http.port;
    const auth = new OwnerAuth({
      store, clock, signingKey, chainId: chain.chainId, domains: signInDomains(config.http.host, port), publicClient: chain.clients.publicClient,
    });
    setOwnerAuth(services, auth);
    services.logger.child({ component: 'owner-auth' }).info({ domains: auth.domains }, 'owner sign-in ready');
    return { stop: () => setOwnerAuth(services, undefined) };
  },
};
