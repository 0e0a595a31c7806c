// JSON views of emulator internals for the control plane.
import type { VehicleInteraction } from '../fleet/connectivity.ts';
import type { Account, VehicleProfile } from '../fleet/fleet.ts';
import type { Grant } from '../server/tokens.ts';
import type { EmulatorState } from '../state.ts';

export function vehicleView(v: VehicleProfile): Record<string, unknown> {
  return {
    key: v.key,
    oem: v.oem,
    oemId: v.oemId,
    ...(v.teslaVehicleId !== undefined ? { teslaVehicleId: v.teslaVehicleId } : {}),
    vin: v.vin,
    make: v.make,
    model: v.model,
    year: v.year,
    color: v.color,
    displayName: v.displayName,
    powertrain: v.spec.powertrain,
    region: v.region,
    city: v.city.name,
    accountId: v.accountId,
    persona: v.persona,
    home: v.home,
    work: v.work,
    homeCharger: v.homeCharger,
    workGarage: v.workGarage,
    smartcarLacks: v.oem === 'smartcar' ? (v.spec.lacks ?? []) : undefined,
  };
}

export function accountView(state: EmulatorState, a: Account): Record<string, unknown> {
  return { ...a, vehicles: state.fleet.vehiclesOf(a).map(vehicleView) };
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

export function interactionView(it: VehicleInteraction): Record<string, unknown> {
  return {
    lastDataAt: finite(it.lastDataAt),
    lastCommandAt: finite(it.lastCommandAt),
    wakeReadyAt: finite(it.wakeReadyAt),
    forcedSleepAt: finite(it.forcedSleepAt),
    forcedOffline: it.forcedOffline,
    lock: it.lock ?? null,
  };
}

export function grantView(state: EmulatorState, g: Grant, now: number): Record<string, unknown> {
  const { access, refresh } = state.tokens.tokensOf(g.id);
  const status = (t: { expiresAt: number; revokedAt?: number; firstUsedAt?: number }) =>
    g.revokedAt !== undefined || t.revokedAt !== undefined ? 'revoked' : now >= t.expiresAt ? 'expired' : t.firstUsedAt !== undefined ? 'used' : 'active';
  return {
    ...g,
    access: access.map((t) => ({ token: t.token, issuedAt: t.issuedAt, expiresAt: t.expiresAt, status: status(t) })),
    refresh: refresh.map((t) => ({ token: t.token, issuedAt: t.issuedAt, expiresAt: t.expiresAt, firstUsedAt: t.firstUsedAt ?? null, status: status(t) })),
  };
}
