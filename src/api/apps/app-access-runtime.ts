// What app access runs for one node: the key that signs developer and vehicle tokens (sealed under the
// KEK in the data dir, published as a JWKS), the issuer name, the limits, the per-license rate limiter
// and the coalescing recorder of reads into owners' activity logs. Set by the app-access capability.
import { OdmError } from '../../core/errors.ts';
import type { NodeServices } from '../../node/start-node.ts';
import type { OwnerSigningKey as SigningKey } from '../auth/owner-signing-key.ts';
import type { DeveloperAuth } from './developer-auth.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { ReadRecorder } from './read-recorder.ts';
import type { TokenCache } from './token-cache.ts';

export type { SigningKey };

export interface AppAccessOptions {
  /** Developer JWT lifetime; default 1 hour. */
  developerTokenTtlSec: number;
  /** Vehicle JWT lifetime; default 10 minutes, as DIMO's token exchange. */
  vehicleTokenTtlSec: number;
  /** How long a web3 challenge may be answered; default 5 minutes. */
  challengeTtlMs: number;
  /** Per-license request budget on /query and /v1/tokens/exchange: refill per second and bucket size. */
  rateLimit: { perSecond: number; burst: number };
  /** Most work one telemetry query may ask for (see telemetry/query-cost.ts). */
  maxQueryCost: number;
  /** Reads of one app on one vehicle within this window share one activity entry; default 60 s. */
  readCoalesceMs: number;
  /** Bytes of decrypted chunk data the telemetry view keeps in memory; default 128 MiB. */
  telemetryCacheBytes: number;
}

export const DEFAULT_APP_ACCESS_OPTIONS: AppAccessOptions = {
  developerTokenTtlSec: 3600,
  vehicleTokenTtlSec: 600,
  challengeTtlMs: 5 * 60_000,
  rateLimit: { perSecond: 100, burst: 200 },
  maxQueryCost: 250_000,
  readCoalesceMs: 60_000,
  telemetryCacheBytes: 128 * 1024 * 1024,
};

export interface AppAccessRuntime {
  key: SigningKey;
  /** `iss` of every token this node signs: its base URL. */
  issuer: string;
  chainId: number;
  /** Lowercase address of the VehicleId contract (the asset vehicle tokens name). */
  vehicleContract: string;
  options: AppAccessOptions;
  rateLimiter: RateLimiter;
  reads: ReadRecorder;
  tokens: TokenCache;
  auth: DeveloperAuth;
  /** The public key set tokens verify against ({keys: [JWK]}). */
  jwks: { keys: Array<Record<string, unknown>> };
}

const runtimes = new WeakMap<NodeServices, AppAccessRuntime>();

export function setAppAccess(services: NodeServices, runtime: AppAccessRuntime | undefined): void {
  if (runtime) runtimes.set(services, runtime);
  else runtimes.delete(services);
}

/** The node's app access; ODM_ERR_UNAVAILABLE (503) until the capability has started. */
export function getAppAccess(services: NodeServices): AppAccessRuntime {
  const rt = runtimes.get(services);
  if (!rt) throw new OdmError('ODM_ERR_UNAVAILABLE', 'app access is starting; try again in a moment', { retryable: true });
  return rt;
}
