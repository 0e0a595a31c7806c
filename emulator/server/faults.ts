// Injected faults: answers the emulated APIs give instead of (or after) the real one. A fault matches
// requests by OEM, API, vehicle, token, account, method and path, lives for the next N matching
// requests or until a time, and is consumed first-in first-out.
import { OdmError } from '../../src/core/errors.ts';
import type { Oem } from '../fleet/models.ts';

export type ApiName = 'auth' | 'api';

export interface FaultSpec {
  /** Answer with this HTTP status in the OEM's own error shape (401, 403, 408, 409, 421, 429, 5xx…). */
  status?: number;
  /** Seconds for the Retry-After header (429 and 503); default 30 for 429. */
  retryAfterS?: number;
  /** Wait this long (real milliseconds) before answering — with the fault, or normally if no status. */
  delayMs?: number;
  /** Close the connection without an answer. */
  reset?: boolean;
  /** Replace the error body (JSON). */
  body?: unknown;
  // Matching; every given field must match.
  oem?: Oem;
  api?: ApiName;
  /** Vehicle: internal key, OEM id or VIN. */
  vehicle?: string;
  /** Exact bearer access token. */
  token?: string;
  /** Account id. */
  account?: string;
  method?: string;
  /** Substring of the request path (query excluded); batch items match as /v2.0/vehicles/<id><path>. */
  path?: string;
  /** Regular expression on the path. */
  pathRegex?: string;
  // Lifetime.
  /** Match only this many requests, then disappear. Default: until removed. */
  times?: number;
  /** Emulator-clock time (ms) after which the fault no longer applies. */
  untilMs?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  createdAt: number;
  /** Requests matched so far. */
  hits: number;
}

export interface FaultProbe {
  oem: Oem;
  api: ApiName;
  method: string;
  path: string;
  vehicleKey?: string;
  token?: string;
  accountId?: string;
  /** Batch items only consider faults that name a path. */
  batchItem?: boolean;
}

const STATUS_OK = new Set([400, 401, 403, 404, 408, 409, 421, 429, 500, 501, 502, 503, 504]);

export class FaultStore {
  #faults: Fault[] = [];
  #seq = 0;
  /** Resolves a vehicle alias to its internal key. */
  readonly #vehicleKey: (alias: string) => string | undefined;

  constructor(vehicleKey: (alias: string) => string | undefined) {
    this.#vehicleKey = vehicleKey;
  }

  add(spec: FaultSpec, now: number): Fault {
    if (spec.status !== undefined && !STATUS_OK.has(spec.status)) {
      throw new OdmError('ODM_ERR_VALIDATION', `fault status ${spec.status} is not one the emulator renders`, { details: { allowed: [...STATUS_OK] } });
    }
    if (spec.status === undefined && !spec.delayMs && !spec.reset) {
      throw new OdmError('ODM_ERR_VALIDATION', 'a fault needs a status, a delayMs or reset: true');
    }
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new OdmError('ODM_ERR_VALIDATION', 'times must be a positive integer');
    }
    if (spec.pathRegex !== undefined) {
      try {
        new RegExp(spec.pathRegex);
      } catch (err) {
        throw new OdmError('ODM_ERR_VALIDATION', `pathRegex is not a regular expression: ${String(err)}`);
      }
    }
    let vehicle = spec.vehicle;
    if (vehicle !== undefined) {
      vehicle = this.#vehicleKey(vehicle);
      if (!vehicle) throw new OdmError('ODM_ERR_NOT_FOUND', `no emulated vehicle ${spec.vehicle}`);
    }
    const fault: Fault = { ...spec, ...(vehicle ? { vehicle } : {}), id: `fault-${++this.#seq}`, createdAt: now, hits: 0 };
    this.#faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return [...this.#faults];
  }

  remove(id: string): boolean {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((f) => f.id !== id);
    return this.#faults.length < before;
  }

  clear(): void {
    this.#faults = [];
  }

  /** The first live fault matching the request, counted as hit (and dropped once used up). */
  take(probe: FaultProbe, now: number): Fault | undefined {
    if (this.#faults.length === 0) return undefined;
    this.#faults = this.#faults.filter((f) => f.untilMs === undefined || f.untilMs > now);
    const fault = this.#faults.find((f) => matches(f, probe));
    if (!fault) return undefined;
    fault.hits++;
    if (fault.times !== undefined && fault.hits >= fault.times) this.remove(fault.id);
    return fault;
  }
}

function matches(f: Fault, p: FaultProbe): boolean {
  if (p.batchItem && f.path === undefined && f.pathRegex === undefined) return false;
  if (f.oem !== undefined && f.oem !== p.oem) return false;
  if (f.api !== undefined && f.api !== p.api) return false;
  if (f.method !== undefined && f.method.toUpperCase() !== p.method) return false;
  if (f.vehicle !== undefined && f.vehicle !== p.vehicleKey) return false;
  if (f.token !== undefined && f.token !== p.token) return false;
  if (f.account !== undefined && f.account !== p.accountId) return false;
  if (f.path !== undefined && !p.path.includes(f.path)) return false;
  if (f.pathRegex !== undefined && !new RegExp(f.pathRegex).test(p.path)) return false;
  return true;
}
