// Smartcar API v2.0 client: Connect (authorization code; client authenticated with HTTP Basic), token
// refresh (a used refresh token dies 60 s later: `invalid_grant`), the vehicles of a grant, the batch
// endpoint the poller uses, lock/unlock and disconnect.
import { OdmError } from '../../core/errors.ts';
import type { OemHttp, OemResponse } from '../http/oem-http.ts';
import type { OemAccountInfo, OemAuthApi, OemVehicle, RefreshOutcome, TokenGrant } from '../oem-types.ts';

export interface SmartcarSettings {
  clientId: string;
  clientSecret: string;
  /** connect.smartcar.com (/oauth/authorize). */
  connectUrl: string;
  /** auth.smartcar.com (/oauth/token). */
  authUrl: string;
  /** api.smartcar.com (/v2.0). */
  apiUrl: string;
  redirectUri: string;
  scopes: string;
  unitSystem: 'metric' | 'imperial';
  mode: 'live' | 'simulated' | 'test';
}

export const DEFAULT_SMARTCAR_SCOPES = 'read_vehicle_info read_vin read_odometer read_battery read_charge read_fuel read_location read_tires read_security control_security';

/** The paths one poll asks for in a batch (each has a catalogue mapping in smartcar-convert.ts). */
export const SMARTCAR_PATHS = ['/odometer', '/battery', '/charge', '/fuel', '/location', '/tires/pressure', '/security'];

export class SmartcarApi implements OemAuthApi {
  readonly oem = 'smartcar' as const;
  readonly usesPkce = false;
  readonly #http: OemHttp;
  readonly settings: SmartcarSettings;

  constructor(http: OemHttp, settings: SmartcarSettings) {
    this.#http = http;
    this.settings = settings;
  }

  #basic(): Record<string, string> {
    const s = this.settings;
    return { authorization: `Basic ${Buffer.from(`${s.clientId}:${s.clientSecret}`).toString('base64')}` };
  }

  authorizeUrl(p: { state: string }): string {
    const s = this.settings;
    const q = new URLSearchParams({ response_type: 'code', client_id: s.clientId, redirect_uri: s.redirectUri, scope: s.scopes, state: p.state, mode: s.mode });
    return `${trim(s.connectUrl)}/oauth/authorize?${q}`;
  }

  async exchangeCode(code: string): Promise<TokenGrant> {
    const s = this.settings;
    const res = await this.#http.request(`${trim(s.authUrl)}/oauth/token`, {
      method: 'POST',
      headers: this.#basic(),
      form: { grant_type: 'authorization_code', code, redirect_uri: s.redirectUri },
    });
    if (res.status !== 200) {
      throw new OdmError('ODM_ERR_OAUTH_EXCHANGE', `Smartcar refused the authorization code (${res.status} ${oauthError(res) ?? ''})`.trim(), { details: { oem: 'smartcar', status: res.status, error: oauthError(res) } });
    }
    return grantOf(res.body, s.scopes);
  }

  async refresh(refreshToken: string): Promise<RefreshOutcome> {
    const res = await this.#http.request(`${trim(this.settings.authUrl)}/oauth/token`, {
      method: 'POST',
      headers: this.#basic(),
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    if (res.status === 200) return { kind: 'ok', grant: grantOf(res.body, this.settings.scopes) };
    const error = oauthError(res);
    if (res.status === 400 && error === 'invalid_grant') return { kind: 'dead', reason: error };
    throw new OdmError(res.status >= 500 || res.status === 429 ? 'ODM_ERR_OEM_UNAVAILABLE' : 'ODM_ERR_OEM_REJECTED', `Smartcar token refresh answered ${res.status}`, {
      retryable: true,
      details: { oem: 'smartcar', status: res.status, error },
    });
  }

  async account(accessToken: string): Promise<OemAccountInfo> {
    const res = await this.#http.request(`${this.#api()}/user`, { headers: bearer(accessToken) });
    const id = (res.body as { id?: string } | null)?.id;
    if (res.status !== 200 || !id) throw new OdmError('ODM_ERR_OEM_REJECTED', `Smartcar user answered ${res.status}`, { retryable: res.status >= 500, details: { oem: 'smartcar', status: res.status } });
    return { userId: id };
  }

  async vehicles(accessToken: string): Promise<OemVehicle[]> {
    const ids: string[] = [];
    for (let offset = 0; offset < 10_000; ) {
      const res = await this.#http.request(`${this.#api()}/vehicles?limit=50&offset=${offset}`, { headers: bearer(accessToken) });
      if (res.status !== 200) throw new OdmError('ODM_ERR_OEM_REJECTED', `Smartcar vehicles answered ${res.status}`, { retryable: res.status >= 500, details: { oem: 'smartcar', status: res.status } });
      const body = res.body as { vehicles?: string[]; paging?: { count?: number } };
      const page = body.vehicles ?? [];
      ids.push(...page);
      offset += page.length;
      if (page.length === 0 || offset >= (body.paging?.count ?? 0)) break;
    }
    const out: OemVehicle[] = [];
    for (const id of ids) {
      const batch = await this.batch(accessToken, id, ['/', '/vin'], 'metric');
      const items = batchItems(batch);
      const info = items.find((i) => i.path === '/' && i.code === 200)?.body as { make?: string; model?: string; year?: number } | undefined;
      const vin = (items.find((i) => i.path === '/vin' && i.code === 200)?.body as { vin?: string } | undefined)?.vin;
      if (!info || !vin) throw new OdmError('ODM_ERR_OEM_REJECTED', 'Smartcar did not describe the vehicle (needs read_vehicle_info and read_vin)', { details: { oem: 'smartcar', status: batch.status } });
      out.push({ oemVehicleId: id, vin, make: titleCase(String(info.make ?? '')), model: String(info.model ?? ''), year: Number(info.year ?? 0) });
    }
    return out;
  }

  batch(accessToken: string, id: string, paths: readonly string[], unitSystem: 'metric' | 'imperial' = this.settings.unitSystem): Promise<OemResponse> {
    return this.#http.request(`${this.#api()}/vehicles/${encodeURIComponent(id)}/batch`, {
      method: 'POST',
      headers: { ...bearer(accessToken), 'sc-unit-system': unitSystem },
      json: { requests: paths.map((path) => ({ path })) },
    });
  }

  security(accessToken: string, id: string, action: 'LOCK' | 'UNLOCK'): Promise<OemResponse> {
    return this.#http.request(`${this.#api()}/vehicles/${encodeURIComponent(id)}/security`, { method: 'POST', headers: bearer(accessToken), json: { action } });
  }

  /** Revokes this application's access to the vehicle. */
  disconnect(accessToken: string, id: string): Promise<OemResponse> {
    return this.#http.request(`${this.#api()}/vehicles/${encodeURIComponent(id)}/application`, { method: 'DELETE', headers: bearer(accessToken) });
  }

  #api(): string {
    return `${trim(this.settings.apiUrl)}/v2.0`;
  }
}

export interface BatchItem {
  path: string;
  code: number;
  body: unknown;
  headers: Record<string, string>;
}

export function batchItems(res: OemResponse): BatchItem[] {
  const list = (res.body as { responses?: unknown } | null)?.responses;
  if (!Array.isArray(list)) return [];
  return list.map((r: { path?: unknown; code?: unknown; body?: unknown; headers?: unknown }) => ({
    path: String(r.path ?? ''),
    code: Number(r.code ?? 0),
    body: r.body,
    headers: Object.fromEntries(Object.entries((r.headers ?? {}) as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), String(v)])),
  }));
}

/** Smartcar's API error shape: `{type, code, …}` → "TYPE:CODE". */
export function smartcarErrorCode(body: unknown): string | undefined {
  const b = body as { type?: unknown; code?: unknown } | null;
  if (typeof b?.type !== 'string') return undefined;
  return typeof b.code === 'string' && b.code ? `${b.type}:${b.code}` : b.type;
}

function oauthError(res: OemResponse): string | undefined {
  const e = (res.body as { error?: unknown } | null)?.error;
  return typeof e === 'string' ? e : undefined;
}

function grantOf(body: unknown, scopes: string): TokenGrant {
  const b = body as { access_token?: string; refresh_token?: string; expires_in?: number; scope?: string };
  if (!b?.access_token) throw new OdmError('ODM_ERR_OAUTH_EXCHANGE', 'Smartcar answered without an access token', { details: { oem: 'smartcar' } });
  return { accessToken: b.access_token, refreshToken: b.refresh_token ?? null, expiresInS: Number(b.expires_in ?? 7200), scopes: (b.scope ?? scopes).split(/\s+/).filter(Boolean) };
}

function titleCase(make: string): string {
  return make.length <= 3 ? make : make.charAt(0) + make.slice(1).toLowerCase();
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const trim = (url: string) => url.replace(/\/+$/, '');
