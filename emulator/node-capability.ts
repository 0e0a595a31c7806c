// The emulator inside `npm start` (dev mode only): a small seeded fleet on free loopback ports, its
// URLs logged and a health check. Production nodes talk to the real OEM APIs and never start it.
import type { Capability } from '../src/node/capability.ts';
import { startEmulator } from './emulator.ts';
import { describeUrls } from './urls-text.ts';

export const emulatorCapability: Capability = {
  name: 'emulator',
  async start(services) {
    if (services.config.mode !== 'dev') return;
    const logger = services.logger.child({ component: 'emulator' });
    const emulator = await startEmulator({ seed: 'opendimo-dev', fleet: { tesla: 3, smartcar: 3 }, logger });
    services.health.set('emulator', async () => {
      try {
        const res = await fetch(`${emulator.urls.control}/_emulator/health`, { signal: AbortSignal.timeout(1500) });
        return res.ok ? { ok: true, detail: `OEM emulator at ${emulator.urls.control}/_emulator, ${emulator.state.fleet.vehicles.length} vehicles` } : { ok: false, detail: `control plane answered ${res.status}` };
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
    });
    logger.info({ vehicles: emulator.state.fleet.vehicles.length }, `OEM emulator is up\n${describeUrls(emulator.urls).join('\n')}`);
    return { stop: () => emulator.stop() };
  },
};
