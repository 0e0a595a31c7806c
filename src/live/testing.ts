// Fakes for live-stream and webhook tests: an AppAccess whose grants the test sets by hand (and whose
// change signal it fires), an AppAuth that maps opaque tokens to claims, and stored batches built
// directly (the bus payload ingest publishes).
import type { DataAccessRequest } from '../licensing/data-access.ts';
import { OdmError } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { LogEvent } from '../vault/log-record.ts';
import { loadDefaultCatalog } from '../ingest/normalize/signal-catalog.ts';
import { StoredTelemetry } from '../ingest/pipeline/stored-telemetry.ts';
import type { AccessGrant, AppAccess } from './app-access.ts';
import type { AppAuth, DeveloperClaims, VehicleTokenClaims } from './app-auth.ts';

interface FakeGrant {
  privileges: number[];
  /** Epoch ms. */
  expiresAt: number;
}

export class FakeAccess implements AppAccess {
  readonly #clock: Clock;
  readonly #listeners = new Set<() => void>();
  readonly grants = new Map<string, FakeGrant>();
  readonly vehicles = new Map<bigint, { owner: string; version: number }>();
  /** License ids that fail the gate, with the code they fail with. */
  readonly licenseRefusals = new Map<string, string>();
  authorizations = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  grant(grantee: string, vehicleId: bigint, privileges: number[], expiresAt = Infinity, notify = true): void {
    this.grants.set(`${grantee.toLowerCase()}|${vehicleId}`, { privileges, expiresAt });
    if (!this.vehicles.has(vehicleId)) this.vehicles.set(vehicleId, { owner: '0x' + '0a'.repeat(20), version: 1 });
    if (notify) this.changed();
  }

  revoke(grantee: string, vehicleId: bigint, notify = true): void {
    this.grants.delete(`${grantee.toLowerCase()}|${vehicleId}`);
    if (notify) this.changed();
  }

  changed(): void {
    for (const l of this.#listeners) l();
  }

  held(grantee: string, vehicleId: bigint): number[] {
    const g = this.grants.get(`${grantee.toLowerCase()}|${vehicleId}`);
    return g && g.expiresAt > this.#clock.now() ? [...g.privileges] : [];
  }

  authorize(request: DataAccessRequest): AccessGrant {
    this.authorizations++;
    const licenseId = String(request.licenseId ?? '1');
    const refusal = this.licenseRefusals.get(licenseId);
    if (refusal) throw new OdmError(refusal as `ODM_ERR_${string}`, `license ${licenseId} refused`, { status: 403 });
    const held = this.held(request.grantee, request.vehicleId);
    const missing = request.privileges.filter((p) => !held.includes(p));
    if (missing.length > 0 || request.privileges.length === 0) {
      throw new OdmError('ODM_ERR_CONSENT_MISSING', `not granted: ${missing.join(', ')}`, { status: 403, details: { missing } });
    }
    const v = this.vehicles.get(request.vehicleId);
    if (!v) throw new OdmError('ODM_ERR_TOKEN_NOT_FOUND', 'no such vehicle', { status: 404 });
    return { grantee: request.grantee.toLowerCase(), licenseId, appName: `app ${licenseId}`, owner: v.owner };
  }

  nextExpiry(grantee: string, vehicleId: bigint): number | undefined {
    const g = this.grants.get(`${grantee.toLowerCase()}|${vehicleId}`);
    return g && Number.isFinite(g.expiresAt) && g.expiresAt > this.#clock.now() ? g.expiresAt : undefined;
  }

  vehicle(vehicleId: bigint): { owner: string; version: number } | undefined {
    return this.vehicles.get(vehicleId);
  }

  sharedVehicles(grantee: string, privileges: readonly number[]): bigint[] {
    const out: bigint[] = [];
    for (const key of this.grants.keys()) {
      const [who, id] = key.split('|') as [string, string];
      if (who !== grantee.toLowerCase()) continue;
      const held = this.held(who, BigInt(id));
      if (privileges.every((p) => held.includes(p))) out.push(BigInt(id));
    }
    return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}

export class FakeAuth implements AppAuth {
  readonly vehicleTokens = new Map<string, VehicleTokenClaims>();
  readonly developerTokens = new Map<string, DeveloperClaims>();

  async verifyVehicleToken(token: string): Promise<VehicleTokenClaims> {
    const c = this.vehicleTokens.get(token);
    if (!c) throw new OdmError('ODM_ERR_AUTH_REQUIRED', 'unknown token', { status: 401 });
    return c;
  }

  async verifyDeveloperToken(token: string): Promise<DeveloperClaims> {
    const c = this.developerTokens.get(token);
    if (!c) throw new OdmError('ODM_ERR_AUTH_REQUIRED', 'unknown token', { status: 401 });
    return c;
  }
}

export interface SampleEvent {
  id?: string;
  time: number;
  source?: string;
  /** Catalogue name → value (timestamp = time). */
  signals?: Record<string, number | string>;
  location?: [number, number];
  locationSignals?: Record<string, number>;
}

/** The bus payload of one stored batch, as ingest publishes it. */
export function storedBatch(vehicleId: bigint, events: SampleEvent[], ownerVersion = 1): StoredTelemetry {
  const catalog = loadDefaultCatalog();
  const names = catalog.signals.map((s) => s.name);
  const id = (name: string) => {
    const def = catalog.byName.get(name);
    if (!def) throw new Error(`no signal ${name}`);
    return def.id;
  };
  let n = 0;
  const raw: LogEvent[] = events.map((e) => ({
    vehicleId: vehicleId.toString(), version: ownerVersion, owner: '0x' + '0a'.repeat(20), id: e.id ?? `ev-${e.time}-${n++}`, source: e.source ?? '0xsource',
    type: 'dimo.status', time: e.time, producer: 'did:erc721:1:0x0000000000000000000000000000000000000001:1', signer: '0x' + '0b'.repeat(20), dataversion: null,
    samples: Object.entries(e.signals ?? {}).flatMap(([name, value]) => [id(name), e.time, value]),
    locationSamples: Object.entries(e.locationSignals ?? {}).flatMap(([name, value]) => [id(name), e.time, value]),
    points: e.location ? [{ ts: e.time, lat: e.location[0], lng: e.location[1] }] : [],
    extra: null, rejected: 0,
  }));
  return new StoredTelemetry(vehicleId.toString(), ownerVersion, raw, names);
}
