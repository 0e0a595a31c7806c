// The emulated Tesla for the owner journey. The dev node's own emulator starts its simulation at UTC
// midnight and runs on the wall clock, so whether any car drives depends on the hour the test runs.
// This one starts its simulation four days back, so whatever the hour and weekday the test runs, its
// span holds commutes: the test picks the longest past drive, sets the emulator's clock to its start,
// and points the dev node's Tesla connector here (OPENDIMO_TESLA_*).
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

const SPAN_DAYS = 4;

export async function startJourneyCar(now = Date.now()): Promise<JourneyCar> {
  const epochMs = Math.floor(now / DAY) * DAY - SPAN_DAYS * DAY;
  const emulator = await startEmulator({ seed: 'opendimo-web-journey', fleet: { tesla: 4, smartcar: 0 }, epochMs, rateLimits: false });
  try {
    // A long drive that ended at least an hour ago (its data is in the past, as the node expects).
    let best: { key: string; start: number; end: number } | undefined;
    // Half a day at a time, oldest first: a vehicle's timeline keeps only its recent segments.
    const last = now - 3_600_000;
    for (const v of emulator.state.fleet.vehicles.filter((x) => x.oem === 'tesla')) {
      for (let from = epochMs; from < last; from += DAY / 2) {
        const to = Math.min(from + DAY / 2, last);
        const r = await control<{ trips: Array<{ start: number; end: number }> }>(emulator, 'GET', `/vehicles/${v.key}/trips?from=${from}&to=${to}`);
        // The most recent drive of 12 minutes or more (the shorter past the dashboard's default ranges).
        for (const t of r.trips) if (t.end <= last && t.end - t.start >= 12 * 60_000 && (!best || t.end > best.end)) best = { key: v.key, start: t.start, end: t.end };
      }
    }
    if (!best || best.end - best.start < 12 * 60_000) throw new Error(`the emulated fleet has no drive of 12 minutes or more in the last ${SPAN_DAYS} days`);
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
