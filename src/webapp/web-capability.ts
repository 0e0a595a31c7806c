// How the dashboard joins the node: web/dist served at `/` (client routes fall back to index.html; API
// paths untouched), the GeoJSON basemap, and a rebuild at start when web/ changed since the last build.
import type { Capability } from '../node/capability.ts';
import { basemapRoutes } from './basemap.ts';
import { startWebBuild, WEB_DIST, type WebBuild, type WebBuildState } from './web-build.ts';
import { registerWebRoutes } from './web-routes.ts';

export interface WebCapabilityOptions {
  /** Folder of the built dashboard; default web/dist of this checkout. */
  dist?: string;
  /** Skip the staleness check and build at start (tests that serve a prepared folder). */
  build?: boolean;
}

export function createWebCapability(options: WebCapabilityOptions = {}): Capability {
  let build: WebBuild | undefined;
  const status = (): WebBuildState => build?.status ?? { state: 'ready', built: false };
  return {
    name: 'web',
    async routes(app, ctx) {
      basemapRoutes(app, ctx);
      await registerWebRoutes(app, { dist: options.dist ?? WEB_DIST, status });
    },
    async start(services) {
      const logger = services.logger.child({ component: 'web' });
      if (options.build !== false) build = startWebBuild(logger);
      services.health.set('web', async () => {
        const s = status();
        // Never unhealthy: the API works without its dashboard; the detail says what is going on.
        const detail = s.state === 'failed' ? `dashboard build failed: ${s.error}` : s.state === 'ready' ? 'dashboard served at /' : `dashboard ${s.state}…`;
        return { ok: true, detail };
      });
      return { stop: () => build?.stop() };
    },
  };
}

export const webCapability = createWebCapability();
