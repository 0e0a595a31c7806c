// One OEM call with the connectors' rules around it: nothing goes through a closed rate gate; the
// account's access token comes from the token manager (refreshed at 75 %); a 401 leads to one refresh
// and one retry; a 429 closes the vehicle's gate for that category or, when the limit is the app's, the
// whole OEM's gate, until Retry-After; 5xx answers and transport failures become retryable errors.
// Every other answer (200, 408, 501, 404…) goes back to the caller to read.
import type { Clock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import { header, retryAfterMs, type OemResponse } from '../http/oem-http.ts';
import type { TokenManager } from '../tokens/token-manager.ts';
import type { Oem } from '../store/connector-store.ts';
import { smartcarErrorCode } from '../smartcar/smartcar-api.ts';
import type { CallCategory, RateGates } from './rate-gates.ts';

export interface CallContext {
  oem: Oem;
  accountId: string;
  /** The connection id of the vehicle, or undefined for account-level calls. */
  vehicleKey: string | undefined;
  category: CallCategory;
}

/** When an OEM answers 429 without Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 60_000;

export class OemCaller {
  readonly #tokens: TokenManager;
  readonly #gates: RateGates;
  readonly #clock: Clock;

  constructor(tokens: TokenManager, gates: RateGates, clock: Clock) {
    this.#tokens = tokens;
    this.#gates = gates;
    this.#clock = clock;
  }

  get gates(): RateGates {
    return this.#gates;
  }

  async call(ctx: CallContext, send: (accessToken: string) => Promise<OemResponse>): Promise<OemResponse> {
    const now = this.#clock.now();
    const until = this.#gates.blockedUntil(ctx.oem, ctx.vehicleKey, ctx.category, now);
    if (until > now) throw rateLimited(ctx, until, 'gate');
    const token = await this.#tokens.access(ctx.accountId);
    let res = await send(token);
    if (isUnauthorized(ctx.oem, res)) {
      const fresh = await this.#tokens.afterUnauthorized(ctx.accountId, token);
      res = await send(fresh);
      if (isUnauthorized(ctx.oem, res)) {
        throw new OdmError('ODM_ERR_OEM_AUTH', `${ctx.oem} refused a freshly refreshed token`, { retryable: true, details: { oem: ctx.oem, status: res.status } });
      }
    }
    const limited = rateLimitOf(ctx, res, this.#clock.now());
    if (limited) {
      if (limited.scope === 'app') this.#gates.blockApp(ctx.oem, limited.until);
      else if (ctx.vehicleKey !== undefined) this.#gates.blockVehicle(ctx.vehicleKey, ctx.category, limited.until);
      throw rateLimited(ctx, limited.until, limited.scope);
    }
    if (res.status >= 500 && res.status !== 501) {
      throw new OdmError('ODM_ERR_OEM_UNAVAILABLE', `${ctx.oem} answered ${res.status}`, { details: { oem: ctx.oem, status: res.status } });
    }
    return res;
  }
}

function rateLimited(ctx: CallContext, until: number, scope: string): OdmError {
  return new OdmError('ODM_ERR_OEM_RATE_LIMITED', `${ctx.oem} asks to wait before the next ${ctx.category} call`, { details: { oem: ctx.oem, until, scope } });
}

export function isUnauthorized(oem: Oem, res: OemResponse): boolean {
  if (res.status !== 401) return false;
  return oem === 'tesla' || smartcarErrorCode(res.body)?.startsWith('AUTHENTICATION') !== false;
}

/**
 * Whose limit a 429 (or Smartcar's 503 UPSTREAM:RATE_LIMIT) is, and until when. Smartcar names it
 * (`RATE_LIMIT:VEHICLE` vs the app's); Tesla's per-vehicle limits answer on vehicle endpoints, and an
 * answer naming the app, client or partner — or any 429 on an account endpoint — is the app's.
 */
export function rateLimitOf(ctx: CallContext, res: OemResponse, now: number): { scope: 'app' | 'vehicle'; until: number } | undefined {
  const wait = () => now + (retryAfterMs(header(res, 'retry-after'), now) ?? DEFAULT_RETRY_AFTER_MS);
  if (res.status === 429) {
    if (ctx.oem === 'smartcar') {
      const code = smartcarErrorCode(res.body);
      return { scope: code === 'RATE_LIMIT:VEHICLE' && ctx.vehicleKey !== undefined ? 'vehicle' : 'app', until: wait() };
    }
    const b = res.body as { error?: unknown; error_description?: unknown } | null;
    const text = `${typeof b?.error === 'string' ? b.error : ''} ${typeof b?.error_description === 'string' ? b.error_description : ''}`;
    const app = ctx.vehicleKey === undefined || /\b(app|application|client|partner)\b/i.test(text);
    return { scope: app ? 'app' : 'vehicle', until: wait() };
  }
  if (res.status === 503 && ctx.oem === 'smartcar' && smartcarErrorCode(res.body) === 'UPSTREAM:RATE_LIMIT') {
    return { scope: 'app', until: wait() };
  }
  return undefined;
}
