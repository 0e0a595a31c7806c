// Smartcar v2 vehicle endpoints rendered from the simulator's truth. Metric by default; with
// `SC-Unit-System: imperial` distances are miles, pressures psi and fuel US gallons. `SC-Data-Age` is
// when the car last reported: now while it drives or charges, else when it went idle — and the values
// are the ones from that moment.
import { isLocked } from '../fleet/connectivity.ts';
import type { VehicleProfile } from '../fleet/fleet.ts';
import type { SmartcarCapability } from '../fleet/models.ts';
import { kmToMiles, kpaToPsi, litresToGallons, PRECISION, round } from '../core/units.ts';
import type { Grant } from '../server/tokens.ts';
import type { EmulatorState } from '../state.ts';
import { smartcarErrorBody } from './smartcar-errors.ts';

export type UnitSystem = 'metric' | 'imperial';

export interface PathAnswer {
  code: number;
  body: unknown;
  headers: Record<string, string>;
  /** Billable as a data request. */
  billable: boolean;
}

interface Endpoint {
  scope: string | null;
  needs?: SmartcarCapability;
  units?: boolean;
  data?: boolean;
  render(ctx: RenderContext): unknown;
}

interface RenderContext {
  state: EmulatorState;
  vehicle: VehicleProfile;
  grant: Grant;
  units: UnitSystem;
  /** Truth at the data's own time. */
  snap: ReturnType<EmulatorState['snapshot']>;
}

const P = PRECISION.smartcar;
const dist = (km: number, u: UnitSystem, digits: number) => round(u === 'imperial' ? kmToMiles(km) : km, digits);
const pressure = (kpa: number, u: UnitSystem) => round(u === 'imperial' ? kpaToPsi(kpa) : kpa, P.pressure);

/** Smartcar's make names are upper case. */
export function smartcarMake(v: VehicleProfile): string {
  return v.make.toUpperCase();
}

export const ENDPOINTS: Record<string, Endpoint> = {
  '/': { scope: 'read_vehicle_info', render: ({ vehicle: v }) => ({ id: v.oemId, make: smartcarMake(v), model: v.model, year: v.year }) },
  '/vin': { scope: 'read_vin', render: ({ vehicle: v }) => ({ vin: v.vin }) },
  '/odometer': { scope: 'read_odometer', units: true, data: true, render: ({ snap, units }) => ({ distance: dist(snap.odometerKm, units, P.distance) }) },
  '/battery': {
    scope: 'read_battery', needs: 'battery', units: true, data: true,
    render: ({ snap, units }) => ({ percentRemaining: round(snap.energyPct / 100, P.percent), range: dist(snap.rangeKm, units, P.range) }),
  },
  '/battery/capacity': { scope: 'read_battery', needs: 'battery', data: true, render: ({ vehicle: v }) => ({ capacity: v.spec.batteryKwh }) },
  '/charge': {
    scope: 'read_charge', needs: 'charge', data: true,
    render: ({ snap }) => ({
      isPluggedIn: snap.plugged,
      state: snap.chargingState === 'Charging' ? 'CHARGING' : snap.chargingState === 'Complete' ? 'FULLY_CHARGED' : 'NOT_CHARGING',
    }),
  },
  '/fuel': {
    scope: 'read_fuel', needs: 'fuel', units: true, data: true,
    render: ({ snap, units }) => ({
      range: dist(snap.rangeKm, units, P.range),
      percentRemaining: round(snap.energyPct / 100, P.percent),
      amountRemaining: round(units === 'imperial' ? litresToGallons(snap.energy) : snap.energy, P.fuelAmount),
    }),
  },
  '/location': { scope: 'read_location', needs: 'location', data: true, render: ({ snap }) => ({ latitude: round(snap.latitude, P.latLng), longitude: round(snap.longitude, P.latLng) }) },
  '/tires/pressure': {
    scope: 'read_tires', needs: 'tires', units: true, data: true,
    render: ({ snap, units }) => ({
      frontLeft: pressure(snap.tiresKpa[0], units), frontRight: pressure(snap.tiresKpa[1], units),
      backLeft: pressure(snap.tiresKpa[2], units), backRight: pressure(snap.tiresKpa[3], units),
    }),
  },
  '/engine/oil': { scope: 'read_engine_oil', needs: 'oil', data: true, render: ({ snap }) => ({ lifeRemaining: round((snap.oilLifePct ?? 0) / 100, P.oil) }) },
  '/security': {
    scope: 'read_security', needs: 'security', data: true,
    render: ({ state, vehicle, snap }) => {
      const closed = (types: string[]) => types.map((type) => ({ type, status: 'CLOSED' }));
      return {
        isLocked: isLocked(snap, state.interaction(vehicle)),
        doors: closed(['frontLeft', 'frontRight', 'backLeft', 'backRight']),
        windows: closed(['frontLeft', 'frontRight', 'backLeft', 'backRight']),
        sunroof: closed(['sunroof']),
        storage: closed(['front', 'rear']),
        chargingPort: [{ type: 'chargingPort', status: snap.plugged ? 'OPEN' : 'CLOSED' }],
      };
    },
  },
  '/permissions': { scope: null, render: ({ grant }) => ({ permissions: grant.scopes, paging: { count: grant.scopes.length, offset: 0 } }) },
};

/** Answers one GET path of a vehicle (also each item of a batch). */
export function readSmartcarPath(state: EmulatorState, grant: Grant, vehicle: VehicleProfile, rawPath: string, units: UnitSystem, requestId: string): PathAnswer {
  const path = rawPath === '' ? '/' : rawPath.replace(/\/+$/, '') || '/';
  const endpoint = ENDPOINTS[path];
  const fail = (status: number, description?: string): PathAnswer => {
    const { status: code, body } = smartcarErrorBody(status, requestId, description ? { description } : {});
    return { code, body, headers: {}, billable: false };
  };
  if (!endpoint) return fail(404, `Smartcar has no endpoint ${path}`);
  if (endpoint.scope && !grant.scopes.includes(endpoint.scope)) return fail(403, `This request needs the ${endpoint.scope} permission.`);
  if (endpoint.needs && vehicle.spec.lacks?.includes(endpoint.needs)) return fail(501);
  const now = state.now();
  const live = state.snapshot(vehicle, now);
  const dataAt = live.idleSince === null ? now : Math.min(now, live.idleSince);
  const snap = dataAt === now ? live : state.snapshot(vehicle, dataAt);
  const headers: Record<string, string> = {};
  if (endpoint.data) headers['sc-data-age'] = new Date(dataAt).toISOString();
  if (endpoint.units) headers['sc-unit-system'] = units;
  return { code: 200, body: endpoint.render({ state, vehicle, grant, units, snap }), headers, billable: endpoint.data === true };
}
