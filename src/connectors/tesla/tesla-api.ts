// Tesla Fleet API client: OAuth on the auth host (authorization code with PKCE, single-use rotating
// refresh tokens), the regional Fleet API hosts, and the few vehicle endpoints the connector uses.
// It never calls wake_up except for a command (see tesla-commands.ts).
import { createHash } from 'node:crypto';
import { OdmError } from '../../core/errors.ts';
import type { OemHttp, OemResponse } from '../http/oem-http.ts';
import type { OemAccountInfo, OemAuthApi, OemVehicle, RefreshOutcome, TokenGrant } from '../oem-types.ts';

export interface TeslaSettings {
  clientId: string;
  clientSecret: string;
  /** auth.tesla.com (authorize and token). */
  authUrl: string;
  apiUrls: { na: string; eu: string };
  redirectUri: string;
  scopes: string;
}

export const DEFAULT_TESLA_SCOPES = 'openid offline_access user_data vehicle_device_data vehicle_location vehicle_cmds';

/** The sections a poll asks for; location_data adds the position to drive_state. */
export const TESLA_ENDPOINTS = ['charge_state', 'climate_state', 'drive_state', 'location_data', 'vehicle_state'];

export class TeslaApi implements OemAuthApi {
  readonly oem = 'tesla' as const;
  readonly usesPkce = true;
  readonly #http: OemHttp;
  readonly settings: TeslaSettings;

  constructor(http: OemHttp, settings: TeslaSettings) {
    this.#http = http;
    this.settings = settings;
  }

  authorizeUrl(p: { state: string; codeChallenge?: string }): string {
    const s = this.settings;
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: s.clientId,
      redirect_uri: s.redirectUri,
      scope: s.scopes,
      state: p.state,
      prompt_missing_scopes: 'true',
      ...(p.codeChallenge ? { code_challenge: p.codeChallenge, code_challenge_method: 'S256' } : {}),
    });
    return `${trim(s.authUrl)}/oauth2/v3/authorize?${q}`;
  }

  async exchangeCode(code: string, codeVerifier?: string): Promise<TokenGrant> {
    const s = this.settings;
    const res = await this.#http.request(`${trim(s.authUrl)}/oauth2/v3/token`, {
      method: 'POST',
      form: {
        grant_type: 'authorization_code', client_id: s.clientId, client_secret: s.clientSecret, code, redirect_uri: s.redirectUri,
        audience: trim(s.apiUrls.na), ...(codeVerifier ? { code_verifier: codeVerifier } : {}),
      },
    });
    if (res.status !== 200) {
      throw new OdmError('ODM_ERR_OAUTH_EXCHANGE', `Tesla refused the authorization code (${res.status} ${errorOf(res) ?? ''})`.trim(), { details: { oem: 'tesla', status: res.status, error: errorOf(res) } });
    }
    return grantOf(res.body, s.scopes);
  }

  async refresh(refreshToken: string): Promise<RefreshOutcome> {
    const s = this.settings;
    const res = await this.#http.request(`${trim(s.authUrl)}/oauth2/v3/token`, {
      method: 'POST',
      form: { grant_type: 'refresh_token', client_id: s.clientId, refresh_token: refreshToken },
    });
    if (res.status === 200) return { kind: 'ok', grant: grantOf(res.body, s.scopes) };
    const error = errorOf(res);
    if ((res.status === 401 || res.status === 400) && (error === 'login_required' || error === 'invalid_grant')) return { kind: 'dead', reason: error };
    if (res.status === 401 && error === 'invalid_client') {
      throw new OdmError('ODM_ERR_OEM_REJECTED', 'Tesla does not recognise this node\'s client id (OPENDIMO_TESLA_CLIENT_ID)', { details: { oem: 'tesla', status: res.status } });
    }
    throw new OdmError(res.status >= 500 || res.status === 429 ? 'ODM_ERR_OEM_UNAVAILABLE' : 'ODM_ERR_OEM_REJECTED', `Tesla token refresh answered ${res.status}`, {
      retryable: true,
      details: { oem: 'tesla', status: res.status, error },
    });
  }

  base(region: string | null | undefined): string {
    return trim(region === 'eu' ? this.settings.apiUrls.eu : this.settings.apiUrls.na);
  }

  async account(accessToken: string): Promise<OemAccountInfo> {
    const res = await this.#http.request(`${this.base('na')}/api/1/users/region`, { headers: bearer(accessToken) });
    if (res.status !== 200) throw new OdmError('ODM_ERR_OEM_REJECTED', `Tesla users/region answered ${res.status}`, { retryable: true, details: { oem: 'tesla', status: res.status } });
    const r = (res.body as { response?: { region?: string; fleet_api_base_url?: string } }).response ?? {};
    const region = r.region === 'eu' || trim(r.fleet_api_base_url ?? '') === trim(this.settings.apiUrls.eu) ? 'eu' : 'na';
    return { userId: subjectOf(accessToken) ?? (await this.#userId(accessToken, region)), region };
  }

  async #userId(accessToken: string, region: string): Promise<string> {
    const res = await this.#http.request(`${this.base(region)}/api/1/users/me`, { headers: bearer(accessToken) });
    const id = (res.body as { response?: { vault_uuid?: string; email?: string } } | null)?.response;
    if (res.status !== 200 || !(id?.vault_uuid ?? id?.email)) throw new OdmError('ODM_ERR_OEM_REJECTED', 'Tesla did not say who the user is (needs the user_data scope)', { details: { oem: 'tesla', status: res.status } });
    return String(id.vault_uuid ?? id.email);
  }

  async vehicles(accessToken: string, account: OemAccountInfo): Promise<OemVehicle[]> {
    const out: OemVehicle[] = [];
    for (let page = 1; page <= 100; page++) {
      const res = await this.#http.request(`${this.base(account.region)}/api/1/vehicles?page=${page}&per_page=100`, { headers: bearer(accessToken) });
      if (res.status !== 200) throw new OdmError('ODM_ERR_OEM_REJECTED', `Tesla vehicles answered ${res.status}`, { retryable: res.status >= 500, details: { oem: 'tesla', status: res.status } });
      const body = res.body as { response?: Array<{ id: number | string; id_s?: string; vin: string; display_name?: string }>; pagination?: { next?: number | null } };
      for (const v of body.response ?? []) {
        const decoded = decodeTeslaVin(v.vin);
        out.push({ oemVehicleId: String(v.id_s ?? v.id), vin: v.vin, make: 'Tesla', model: decoded.model, year: decoded.year, ...(v.display_name ? { displayName: v.display_name } : {}) });
      }
      if (!body.pagination?.next) break;
    }
    return out;
  }

  /** The cloud's view of the car (online/asleep/offline): never wakes it, never resets its sleep timer. */
  vehicleState(accessToken: string, region: string | null, id: string): Promise<OemResponse> {
    return this.#http.request(`${this.base(region)}/api/1/vehicles/${encodeURIComponent(id)}`, { headers: bearer(accessToken) });
  }

  vehicleData(accessToken: string, region: string | null, id: string, endpoints: readonly string[] = TESLA_ENDPOINTS): Promise<OemResponse> {
    return this.#http.request(`${this.base(region)}/api/1/vehicles/${encodeURIComponent(id)}/vehicle_data?endpoints=${endpoints.map(encodeURIComponent).join('%3B')}`, { headers: bearer(accessToken) });
  }

  command(accessToken: string, region: string | null, id: string, command: string): Promise<OemResponse> {
    return this.#http.request(`${this.base(region)}/api/1/vehicles/${encodeURIComponent(id)}/command/${command}`, { method: 'POST', headers: bearer(accessToken), json: {} });
  }

  /** Only for commands: the data path never wakes a car. */
  wakeUp(accessToken: string, region: string | null, id: string): Promise<OemResponse> {
    return this.#http.request(`${this.base(region)}/api/1/vehicles/${encodeURIComponent(id)}/wake_up`, { method: 'POST', headers: bearer(accessToken), json: {} });
  }
}

/** Tesla's error answers: `{error, error_description}`. */
export function errorOf(res: OemResponse): string | undefined {
  const e = (res.body as { error?: unknown } | null)?.error;
  return typeof e === 'string' ? e : undefined;
}

function grantOf(body: unknown, scopes: string): TokenGrant {
  const b = body as { access_token?: string; refresh_token?: string; expires_in?: number; scope?: string };
  if (!b?.access_token) throw new OdmError('ODM_ERR_OAUTH_EXCHANGE', 'Tesla answered without an access token', { details: { oem: 'tesla' } });
  return { accessToken: b.access_token, refreshToken: b.refresh_token ?? null, expiresInS: Number(b.expires_in ?? 28_800), scopes: (b.scope ?? scopes).split(/\s+/).filter(Boolean) };
}

/** `sub` of a JWT access token (Tesla's user id), without verifying it (it came straight from Tesla). */
function subjectOf(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub ? sub : undefined;
  } catch {
    return undefined;
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const trim = (url: string) => url.replace(/\/+$/, '');

const YEAR_CODES = 'ABCDEFGHJKLMNPRSTVWXY123456789';
const TESLA_MODELS: Record<string, string> = { S: 'Model S', '3': 'Model 3', X: 'Model X', Y: 'Model Y', C: 'Cybertruck', R: 'Roadster' };

/** Model (VIN position 4) and model year (position 10, the latest year of its 30-year cycle not after next year). */
export function decodeTeslaVin(vin: string, nowYear = new Date().getUTCFullYear()): { model: string; year: number } {
  const model = TESLA_MODELS[vin[3] ?? ''] ?? 'Tesla';
  const code = YEAR_CODES.indexOf(vin[9] ?? '');
  let year = 0;
  if (code >= 0) {
    year = 1980 + code;
    while (year + 30 <= nowYear + 1) year += 30;
  }
  return { model, year };
}

/** A PKCE pair (RFC 7636, S256). */
export function pkcePair(verifier: string): { verifier: string; challenge: string } {
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

