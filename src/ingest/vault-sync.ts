// Keeps the caches of a cluster's processes in step with what another process changed: each process
// caches owners' privacy policies (applied on the ingest hot path) and data keys. When one process
// changes a policy or crypto-shreds a vehicle it says so on the bus; the others reload the policy or
// drop the keys and cached reads. A single process publishes to itself only, and ignores its own news.
import { randomUUID } from 'node:crypto';
import type { Bus } from '../bus/bus.ts';
import type { Logger } from '../core/logger.ts';
import type { PrivacySettingsStore } from '../privacy/privacy-settings.ts';
import type { Vault } from '../vault/vault.ts';

export const PRIVACY_CHANGED = 'vault.privacy-changed';
export const SHREDDED = 'vault.shredded';

interface PrivacyChanged {
  origin: string;
  vehicleId: string;
  version: number;
}

interface Shredded {
  origin: string;
  vehicleId: string;
  versions: number[];
}

export function startVaultSync(o: { bus: Bus; vault: Vault; privacy: PrivacySettingsStore; logger: Logger }): { stop(): void } {
  const origin = randomUUID();
  const publish = (subject: string, message: PrivacyChanged | Shredded) =>
    o.bus.publish(subject, message).catch((err: unknown) => o.logger.warn({ err, subject }, 'could not tell the cluster about a vault change'));

  o.privacy.onChange((vehicleId, version) => void publish(PRIVACY_CHANGED, { origin, vehicleId, version }));
  o.vault.shredder.onShredded((vehicleId, versions, elsewhere) => {
    if (!elsewhere) void publish(SHREDDED, { origin, vehicleId, versions });
  });

  const offs = [
    o.bus.subscribe(PRIVACY_CHANGED, async (payload) => {
      const m = payload as PrivacyChanged;
      if (m.origin === origin || typeof m.vehicleId !== 'string' || !Number.isInteger(m.version)) return;
      await o.privacy.reload(m.vehicleId, m.version);
    }),
    o.bus.subscribe(SHREDDED, (payload) => {
      const m = payload as Shredded;
      if (m.origin === origin || typeof m.vehicleId !== 'string' || !Array.isArray(m.versions)) return;
      o.vault.shredder.forgetShreddedElsewhere(m.vehicleId, m.versions.filter((v) => Number.isInteger(v)));
    }),
  ];
  return { stop: () => offs.forEach((off) => off()) };
}
