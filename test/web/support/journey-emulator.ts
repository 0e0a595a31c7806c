// The emulated Tesla for the owner journey. The dev node's own emulator starts its simulation at UTC
// midnight and runs on the wall clock, so whether any car drives depends on the hour the test runs.
// This one starts its simulation two days back: the test picks a long drive from yesterday, sets the
// emulator's clock to its start, and points the dev node's Tesla connector here (OPENDIMO_TESLA_*).
import { startEmulator, type Emulator } from '../../../emulator/index.ts';

const DAY = 86_400_000;

export interface JourneyCar {
  emulator: Emulator;
  account: string;
  vehicleKey: string;
  displayName: string;
  make: string;
  model: string;
  year: number;
  /** Emulator time the drive starts; the clock is set a little after it by `startDriving`. */
  driveStart: number;
  driveEnd: number;
  env: Record<string, string>;
  startDriving(): Promise<void>;
  stop(): Promise<void>;
}

async function control<T>(emu: Emulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.urls.control}/_emulator${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function startJourneyCar(): Promise<JourneyCar> {
  const now = Date.now();
  const emulator = await startEmulator({ seed: 'opendimo-web-journey', fleet: { tesla: 4, smartcar: 0 }, epochMs: Math.floor(now / DAY) * DAY - 2 * DAY, rateLimits: false });
  try {
    // The longest drive that ended at least an hour ago (its data is in the past, as the node expects).
    let best: { key: string; start: number; end: number } | undefined;
    for (const v of emulator.state.fleet.vehicles.filter((x) => x.oem === 'tesla')) {
      const r = await control<{ trips: Array<{ start: number; end: number }> }>(emulator, 'GET', `/vehicles/${v.key}/trips?from=${now - 40 * 3_600_000}&to=${now - 3_600_000}`);
      for (const t of r.trips) if (t.end <= now - 3_600_000 && (!best || t.end - t.start > best.end - best.start)) best = { key: v.key, start: t.start, end: t.end };
    }
    if (!best || best.end - best.start < 12 * 60_000) throw new Error('the emulated fleet has no drive of 12 minutes or more in the last 40 hours');
    const profile = emulator.state.fleet.vehicles.find((v) => v.key === best!.key)!;
    const drive = best;
    return {
      emulator, account: profile.accountId, vehicleKey: profile.key, displayName: profile.displayName, make: profile.make, model: profile.model, year: profile.year,
      driveStart: drive.start, driveEnd: drive.end,
      env: {
        OPENDIMO_TESLA_CLIENT_ID: 'opendimo-tesla-client',
        OPENDIMO_TESLA_CLIENT_SECRET: 'opendimo-tesla-secret',
        OPENDIMO_TESLA_AUTH_URL: emulator.urls.tesla.auth,
        OPENDIMO_TESLA_API_URL_NA: emulator.urls.tesla.na,
        OPENDIMO_TESLA_API_URL_EU: emulator.urls.tesla.eu,
      },
      async startDriving() {
        await control(emulator, 'POST', '/clock/set', { time: drive.start + 20_000 });
      },
      stop: () => emulator.stop(),
    };
  } catch (err) {
    await emulator.stop();
    throw err;
  }
}
