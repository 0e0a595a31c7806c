// How the owner-facing dashboard API joins the node: email-and-password accounts with an embedded wallet,
// the owner's view of their vehicles' data, the glovebox, the consent inbox, export and deletion. It runs
// after ingest (the vault), the identity and licensing mirrors, owner sign-in and the activity log.
import type { Capability } from '../node/capability.ts';
import { getIngestService } from '../ingest/ingest-capability.ts';
import { consentRoutes } from '../consent-inbox/consent-routes.ts';
import { Glovebox } from '../glovebox/glovebox.ts';
import { gloveboxRoutes } from '../glovebox/glovebox-routes.ts';
import { setGlovebox } from '../glovebox/glovebox-service.ts';
import { OdmError } from '../core/errors.ts';
import { OwnerAccounts } from './accounts/owner-accounts.ts';
import { ownerAccountRoutes } from './accounts/owner-account-routes.ts';
import { setOwnerAccounts } from './accounts/owner-accounts-service.ts';
import { RecentTelemetry } from './data/recent-telemetry.ts';
import { ownerDataRoutes } from './owner-data-routes.ts';
import { retentionRoutes } from './retention-routes.ts';

export function createOwnersCapability(): Capability {
  let recent: RecentTelemetry | undefined;
  const recentOf = () => {
    if (!recent) throw new OdmError('ODM_ERR_UNAVAILABLE', 'owner data is starting; try again in a moment', { retryable: true });
    return recent;
  };
  return {
    name: 'owners',
    async routes(app, ctx) {
      ownerAccountRoutes(app, ctx);
      ownerDataRoutes(app, ctx, recentOf);
      retentionRoutes(app, ctx);
      consentRoutes(app, ctx);
      await gloveboxRoutes(app, ctx);
    },
    async start(services) {
      setOwnerAccounts(services, new OwnerAccounts(services.store, services.kek, services.clock));
      setGlovebox(services, new Glovebox(services.store, getIngestService(services).vault.keys, services.clock));
      recent = new RecentTelemetry(services.bus, services.clock);
      return {
        stop() {
          recent?.stop();
          recent = undefined;
          setGlovebox(services, undefined);
          setOwnerAccounts(services, undefined);
        },
      };
    },
  };
}

export const ownersCapability = createOwnersCapability();
