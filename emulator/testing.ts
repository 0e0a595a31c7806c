// Helpers for tests that drive the emulator over real HTTP: start it on a manual clock, complete an
// OEM login without a browser, call the control plane. Connector tests use these too.
import { ManualClock } from '../src/core/clock.ts';
import { OdmError } from '../src/core/errors.ts';
import type { VehicleProfile } from './fleet/fleet.ts';
import { DEFAULT_CLIENTS } from './state.ts';
import { type Emulator, type EmulatorOptions, startEmulator } from './emulator.ts';

/** Monday 5 January 2026, 12:00 UTC: a weekday, so commuters are at work in Berlin. */
export const TEST_START = Date.UTC(2026, 0, 5, 12);

export interface TestEmulator extends Emulator {
  base: ManualClock;
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const base = options.clock instanceof ManualClock ? options.clock : new ManualClock(TEST_START);
  const emu = await startEmulator({ epochMs: Date.UTC(2026, 0, 5), ...options, clock: base });
  return { ...emu, base };
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function http<T = any>(url: string, init: RequestInit & { json?: unknown; form?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers.set('content-type', 'application/x-www-form-urlencoded');
    body = new URLSearchParams(init.form).toString();
  }
  const res = await fetch(url, { ...init, headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (HTML page, plain text): keep the text.
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/** A control-plane call; throws unless it answers 2xx. */
export async function control<T = any>(emu: Emulator, method: string, path: string, json?: unknown): Promise<T> {
  const res = await http<T>(`${emu.urls.control}/_emulator${path}`, { method, ...(json !== undefined ? { json } : {}) });
  if (res.status >= 300) throw new OdmError('ODM_ERR_INTERNAL', `control ${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

export interface TeslaTokens {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  token_type: string;
}

/** Tesla's authorization-code flow for an account, with `auto=1` instead of a browser. */
export async function teslaLogin(emu: Emulator, account: string, scopes = 'openid offline_access user_data vehicle_device_data vehicle_location vehicle_cmds'): Promise<TeslaTokens> {
  const client = DEFAULT_CLIENTS.find((c) => c.oem === 'tesla')!;
  const q = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT_URI, scope: scopes, state: 'st-1', login_hint: account, auto: '1' });
  const auth = await http(`${emu.urls.tesla.auth}/oauth2/v3/authorize?${q}`);
  const code = new URL(auth.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (auth.status !== 302 || !code) throw new OdmError('ODM_ERR_INTERNAL', `Tesla authorize answered ${auth.status}: ${String(auth.body)}`);
  const token = await http<TeslaTokens>(`${emu.urls.tesla.auth}/oauth2/v3/token`, {
    method: 'POST',
    form: { grant_type: 'authorization_code', client_id: client.clientId, client_secret: client.clientSecret, code, redirect_uri: REDIRECT_URI, audience: emu.urls.tesla.na },
  });
  if (token.status !== 200) throw new OdmError('ODM_ERR_INTERNAL', `Tesla token answered ${token.status}: ${JSON.stringify(token.body)}`);
  return token.body;
}

export interface SmartcarTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

export function smartcarBasic(): string {
  const client = DEFAULT_CLIENTS.find((c) => c.oem === 'smartcar')!;
  return `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
}

/** Smartcar Connect for an account, with `auto=1` instead of a browser. */
export async function smartcarConnect(emu: Emulator, account: string, scopes = 'read_vehicle_info read_vin read_odometer read_battery read_charge read_fuel read_location read_tires read_engine_oil read_security control_security'): Promise<SmartcarTokens> {
  const client = DEFAULT_CLIENTS.find((c) => c.oem === 'smartcar')!;
  const q = new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT_URI, scope: scopes, state: 'sc-1', mode: 'simulated', login_hint: account, auto: '1' });
  const auth = await http(`${emu.urls.smartcar.connect}/oauth/authorize?${q}`);
  const code = new URL(auth.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (auth.status !== 302 || !code) throw new OdmError('ODM_ERR_INTERNAL', `Smartcar authorize answered ${auth.status}: ${String(auth.body)}`);
  const token = await http<SmartcarTokens>(`${emu.urls.smartcar.auth}/oauth/token`, {
    method: 'POST',
    headers: { authorization: smartcarBasic() },
    form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
  });
  if (token.status !== 200) throw new OdmError('ODM_ERR_INTERNAL', `Smartcar token answered ${token.status}: ${JSON.stringify(token.body)}`);
  return token.body;
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

/**
 * A vehicle of `oem` that stays parked (not driving, not charging, reachable) from now for `forMs`,
 * checked minute by minute in the simulator. Deterministic for a given seed and clock.
 */
export function findParkedVehicle(emu: Emulator, oem: 'tesla' | 'smartcar', forMs: number, filter: (v: VehicleProfile) => boolean = () => true): VehicleProfile {
  const t0 = emu.state.now();
  for (const v of emu.state.fleet.vehicles) {
    if (v.oem !== oem || !filter(v)) continue;
    let ok = true;
    for (let t = t0; t <= t0 + forMs && ok; t += 60_000) {
      const s = emu.state.snapshot(v, t);
      ok = s.activity === 'parked' && !(v.workGarage && s.place === v.work) && !s.plugged;
    }
    if (ok) return v;
  }
  throw new OdmError('ODM_ERR_NOT_FOUND', `no ${oem} vehicle stays parked for ${forMs} ms in this fleet`);
}

/** The first time from now (minute steps, within `withinMs`) some vehicle of `oem` is driving. */
export function findDrivingMoment(emu: Emulator, oem: 'tesla' | 'smartcar', withinMs = 86_400_000): { vehicle: VehicleProfile; at: number } {
  const t0 = emu.state.now();
  for (let t = t0; t <= t0 + withinMs; t += 60_000) {
    for (const v of emu.state.fleet.vehicles) {
      if (v.oem === oem && emu.state.snapshot(v, t).speedKph > 20) return { vehicle: v, at: t };
    }
  }
  throw new OdmError('ODM_ERR_NOT_FOUND', `no ${oem} vehicle drives within ${withinMs} ms`);
}
