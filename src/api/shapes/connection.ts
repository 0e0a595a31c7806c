// One OEM connection as GET /v1/connections (and each owner vehicle summary) returns it; built by
// src/connectors/control/owner-control.ts. Plain types with no imports, so the dashboard (web/) imports them too.

export interface ConnectionView {
  id: string;
  oem: string;
  state: 'pending' | 'active' | 'paused' | 'reauth_required' | 'disconnected';
  stateReason: string | null;
  oemVehicleId: string;
  make: string;
  model: string;
  year: number;
  vehicleId: string | null;
  syntheticDeviceId: string | null;
  deviceAddress: string;
  /** What polling sees: driving, charging, parked, asleep, offline, not_capable, unknown. */
  pollState: string;
  lastDataAt: number | null;
  nextPollAt: number | null;
  notCapableOf: string[];
  account: { id: string; state: string; stateReason: string | null };
  createdAt: number;
  updatedAt: number;
}
