// Serves the built dashboard (web/dist) at `/`: real files as they are (hashed assets cached for a
// year), every other path that is not an API path gets index.html so client-side routes survive a
// reload. API prefixes keep their JSON 404s. While the first build runs, a small page says so.
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { OdmError } from '../core/errors.ts';
import type { WebBuildState } from './web-build.ts';

/** Paths the dashboard never answers: they belong to the API (and keep its 404 shape). */
export const API_PREFIXES = ['/v1/', '/auth/', '/query', '/identity/', '/health', '/metrics', '/.well-known/', '/keys'];

// The dashboard talks only to this node; maps are GeoJSON, fonts are the system's.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // Leaflet positions its layers with inline styles
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

function page(title: string, body: string, refreshS?: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refreshS ? `<meta http-equiv="refresh" content="${refreshS}">` : ''}<title>${title}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style></head><body><h1>${title}</h1>${body}</body></html>`;
}

export async function registerWebRoutes(app: FastifyInstance, opts: { dist: string; status: () => WebBuildState }): Promise<void> {
  await app.register(fastifyStatic, { root: opts.dist, serve: false, suppressWarning: true });

  const sendIndex = (reply: FastifyReply) => {
    void reply.header('cache-control', 'no-cache').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    return reply.sendFile('index.html', opts.dist, { cacheControl: false });
  };

  app.get('/*', async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0]!);
    } catch {
      throw new OdmError('ODM_ERR_NOT_FOUND', 'no such page (malformed address)');
    }
    if (isApiPath(path)) throw new OdmError('ODM_ERR_NOT_FOUND', `no route ${request.method} ${path}`);
    const built = existsSync(join(opts.dist, 'index.html'));
    if (!built) {
      const s = opts.status();
      const failed = s.state === 'failed';
      void reply.status(503).header('retry-after', '2').type('text/html; charset=utf-8');
      return failed
        ? page('The dashboard did not build', `<p>The API works; the web dashboard could not be built on this machine. Run <code>npm run build:web</code> in the project folder to see why.</p>`)
        : page('opendimo is building its dashboard…', '<p>This takes a few seconds on first start. The page reloads by itself.</p>', 2);
    }
    const rel = normalize(path).replace(/^[/\\]+/, '');
    if (rel && !rel.split(sep).some((s) => s === '..' || s.startsWith('.'))) {
      const file = join(opts.dist, rel);
      let isFile = false;
      try {
        isFile = statSync(file).isFile();
      } catch {
        // not a file of the build: a client route
      }
      if (isFile) {
        const hashed = rel.startsWith(`assets${sep}`);
        void reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache').header('x-content-type-options', 'nosniff');
        if (rel === 'index.html') return sendIndex(reply);
        return reply.sendFile(rel, opts.dist, { cacheControl: false });
      }
      // A missing asset is a 404, not the app: a stale tab asking for an old hashed file must not get HTML.
      if (rel.startsWith(`assets${sep}`)) throw new OdmError('ODM_ERR_NOT_FOUND', `no file ${path}`);
    }
    return sendIndex(reply);
  });
}
